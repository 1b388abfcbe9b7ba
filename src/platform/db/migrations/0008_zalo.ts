import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Zalo notifications (issue 17).
 * - `zalo_tokens`: one row per zalo_zns provider. Zalo rotates the refresh token on every refresh (each one
 *   is single-use), so the current one lives here, not in the config file: a restart or another process
 *   keeps working. The row is also the cluster-wide lock that serialises refreshes.
 * - `notifications.fallback_of`: on an SMS sent because the Zalo notification could not be, the id of that
 *   Zalo notification. `notifications.payload`: a Zalo notification's template id and data (JSON).
 *   `notifications.sms_cost_vnd`: on a Zalo notification, what the same text would have cost by SMS.
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('zalo_tokens')
    .addColumn('provider', 'text', (c) => c.primaryKey())
    .addColumn('refresh_token', 'text', (c) => c.notNull())
    // sha256 of the config file's refresh token the row started from: a different one in the file replaces a failed row.
    .addColumn('seed_hash', 'text', (c) => c.notNull())
    .addColumn('access_token', 'text')
    .addColumn('access_expires_at', 'bigint')
    .addColumn('refreshes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('refreshing_until', 'bigint')
    .addColumn('failed_reason', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('notifications').addColumn('fallback_of', 'bigint').execute();
  await db.schema.alterTable('notifications').addColumn('payload', 'text').execute();
  // On a Zalo notification: what the same text would have cost by SMS (the money saved, in the stats).
  await db.schema.alterTable('notifications').addColumn('sms_cost_vnd', 'integer').execute();
  await db.schema.createIndex('notifications_fallback_of').on('notifications').column('fallback_of').execute();
}
