import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Login throttling counters (issue 13): one row per scope — a (username, address) pair, an address, a
 * username — counted atomically before any password hash is computed. `username` or `ip` is '' when the
 * scope does not use it. `verdict` is scratch space: the upsert that counts an attempt writes there
 * whether that very attempt may go on, and returns it.
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('web_login_throttle')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_at', 'bigint', (c) => c.notNull())
    .addColumn('blocked_until', 'bigint', (c) => c.notNull())
    .addColumn('verdict', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('web_login_throttle_pk', ['scope', 'username', 'ip'])
    .execute();
  await db.schema.createIndex('web_login_throttle_blocked').on('web_login_throttle').column('blocked_until').execute();
}
