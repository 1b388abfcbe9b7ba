import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/** Delivery receipts, the per-part ids they are matched by, and the agencies' status callbacks (an outbox of their own). */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const idType = dialect === 'postgres' ? 'bigserial' : 'integer';
  const instant = 'bigint';

  // One row per id a provider gave us (one per SMPP part); receipts name these ids.
  await db.schema
    .createTable('provider_message_parts')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('notification_id', 'bigint', (c) => c.notNull().references('notifications.id'))
    .addColumn('part', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('provider_status', 'text')
    .addColumn('error_code', 'text')
    .addColumn('updated_at', instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('provider_message_parts_pk', ['provider', 'message_id'])
    .execute();
  await db.schema.createIndex('provider_message_parts_notification').on('provider_message_parts').column('notification_id').execute();

  // Every receipt as it arrived. One that names an id we have not recorded yet (it overtook our own
  // update after the provider accepted the message) waits here with no notification and is applied
  // when the id is recorded.
  await db.schema
    .createTable('delivery_receipts')
    .addColumn('id', idType, (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text', (c) => c.notNull())
    .addColumn('notification_id', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('provider_status', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('done_at', instant)
    .addColumn('received_at', instant, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('delivery_receipts_unmatched')
    .on('delivery_receipts')
    .columns(['provider', 'provider_message_id'])
    .where(sql.ref('notification_id'), 'is', null)
    .execute();
  await db.schema.createIndex('delivery_receipts_notification').on('delivery_receipts').column('notification_id').execute();

  await db.schema
    .createTable('status_callbacks')
    .addColumn('id', idType, (c) => c.primaryKey())
    .addColumn('agency_code', 'text', (c) => c.notNull())
    .addColumn('notification_id', 'bigint', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('response_status', 'integer')
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('next_attempt_at', instant, (c) => c.notNull())
    .addColumn('delivered_at', instant)
    .addColumn('updated_at', instant, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('status_callbacks_due')
    .on('status_callbacks')
    .column('next_attempt_at')
    .where(sql.ref('status'), 'in', ['pending', 'sending'])
    .execute();

  await db.schema
    .createTable('agency_secrets')
    .addColumn('agency_code', 'text', (c) => c.primaryKey().references('agencies.code'))
    .addColumn('callback_secret', 'text', (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .execute();
}
