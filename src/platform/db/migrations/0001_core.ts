import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.js';

export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const idType = dialect === 'postgres' ? 'bigserial' : 'integer';
  const instant = 'bigint';

  await db.schema
    .createTable('agencies')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('procedures')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('agency_code', 'text', (c) => c.notNull().references('agencies.code'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('processing_days', 'integer', (c) => c.notNull())
    .addColumn('day_kind', 'text', (c) => c.notNull())
    .addColumn('supplement_rule', 'text', (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('procedures_agency').on('procedures').column('agency_code').execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', idType, (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('agency_code', 'text', (c) => c.references('agencies.code'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('revoked_at', instant)
    .execute();

  await db.schema
    .createTable('calendar_days')
    .addColumn('date', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('dossiers')
    .addColumn('id', idType, (c) => c.primaryKey())
    .addColumn('receipt_code', 'text', (c) => c.notNull())
    .addColumn('receipt_key', 'text', (c) => c.notNull().unique())
    .addColumn('agency_code', 'text', (c) => c.notNull().references('agencies.code'))
    .addColumn('procedure_code', 'text', (c) => c.notNull().references('procedures.code'))
    .addColumn('applicant_name', 'text', (c) => c.notNull())
    .addColumn('phone_input', 'text')
    .addColumn('phone_e164', 'text')
    .addColumn('phone_carrier', 'text')
    .addColumn('phone_problem', 'text')
    .addColumn('email', 'text')
    .addColumn('return_method', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('received_at', instant, (c) => c.notNull())
    .addColumn('due_at', instant, (c) => c.notNull())
    .addColumn('paused_at', instant)
    .addColumn('finished_at', instant)
    .addColumn('returned_at', instant)
    .addColumn('intake_hash', 'text', (c) => c.notNull())
    .addColumn('event_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .execute();
  // The 17:30 batch reads open dossiers by due time; stats read by agency and receipt time.
  await db.schema
    .createIndex('dossiers_open_due')
    .on('dossiers')
    .columns(['due_at'])
    .where(sql.ref('state'), 'in', ['received', 'in_progress'])
    .execute();
  await db.schema.createIndex('dossiers_agency_received').on('dossiers').columns(['agency_code', 'received_at']).execute();
  await db.schema.createIndex('dossiers_agency_finished').on('dossiers').columns(['agency_code', 'finished_at']).execute();
  await db.schema.createIndex('dossiers_phone').on('dossiers').column('phone_e164').execute();

  await db.schema
    .createTable('dossier_events')
    .addColumn('id', idType, (c) => c.primaryKey())
    .addColumn('dossier_id', 'bigint', (c) => c.notNull().references('dossiers.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('step', 'text')
    .addColumn('at', instant, (c) => c.notNull())
    .addColumn('event_id', 'text')
    .addColumn('state_after', 'text', (c) => c.notNull())
    .addColumn('due_at_after', instant, (c) => c.notNull())
    .addColumn('payload', 'text')
    .addColumn('created_at', instant, (c) => c.notNull())
    .addUniqueConstraint('dossier_events_seq', ['dossier_id', 'seq'])
    .addUniqueConstraint('dossier_events_event_id', ['dossier_id', 'event_id'])
    .execute();
  await db.schema.createIndex('dossier_events_type_at').on('dossier_events').columns(['type', 'at']).execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', idType, (c) => c.primaryKey())
    .addColumn('dossier_id', 'bigint', (c) => c.references('dossiers.id'))
    .addColumn('agency_code', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('to_address', 'text')
    .addColumn('carrier', 'text')
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('encoding', 'text', (c) => c.notNull())
    .addColumn('segments', 'integer', (c) => c.notNull())
    .addColumn('cost_vnd', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('failure_reason', 'text')
    .addColumn('last_error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('provider', 'text')
    .addColumn('provider_message_id', 'text')
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('send_after', instant, (c) => c.notNull())
    .addColumn('next_attempt_at', instant, (c) => c.notNull())
    .addColumn('lease_until', instant)
    .addColumn('sent_at', instant)
    .addColumn('delivered_at', instant)
    .addColumn('updated_at', instant, (c) => c.notNull())
    .execute();
  // The dispatcher's claim reads only this small partial index.
  await db.schema
    .createIndex('notifications_due')
    .on('notifications')
    .column('next_attempt_at')
    .where(sql.ref('status'), 'in', ['pending', 'sending'])
    .execute();
  await db.schema.createIndex('notifications_dossier').on('notifications').columns(['dossier_id', 'kind']).execute();
  await db.schema.createIndex('notifications_agency_created').on('notifications').columns(['agency_code', 'created_at']).execute();
  await db.schema.createIndex('notifications_provider_id').on('notifications').columns(['provider', 'provider_message_id']).execute();

  await db.schema
    .createTable('inbound_messages')
    .addColumn('id', idType, (c) => c.primaryKey())
    .addColumn('gateway', 'text', (c) => c.notNull())
    .addColumn('gateway_message_id', 'text')
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('sender_e164', 'text')
    .addColumn('short_code', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('parsed_code', 'text')
    .addColumn('dossier_id', 'bigint')
    .addColumn('fee_vnd', 'integer', (c) => c.notNull())
    .addColumn('reply', 'text')
    .addColumn('reply_notification_id', 'bigint')
    .addColumn('received_at', instant, (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .addUniqueConstraint('inbound_gateway_message', ['gateway', 'gateway_message_id'])
    .execute();
  await db.schema.createIndex('inbound_sender_received').on('inbound_messages').columns(['sender', 'received_at']).execute();
  await db.schema.createIndex('inbound_received').on('inbound_messages').column('received_at').execute();

  await db.schema
    .createTable('scheduler_jobs')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('last_slot', 'text')
    .addColumn('last_run_at', instant)
    .addColumn('last_result', 'text')
    .execute();
}
