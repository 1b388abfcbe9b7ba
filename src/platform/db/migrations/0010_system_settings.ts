import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Province-wide settings (issue 16 item 5), one row per key, the value as JSON text: first
 * `privacy_contact`, whom citizens contact about their data on /quyen-rieng-tu. No row: the default
 * (MOTCUA_PRIVACY_CONTACT, then the agency that received the dossier).
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('system_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
