import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/** One row that readiness rewrites during a full-disk episode: a committed write is the only way to
 *  know that space is back (reads keep working on a full disk). Never written otherwise. */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('health_probe')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('checked_at', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text')
    .execute();
}
