import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/** People who use the web screens: accounts, sessions, login attempts (lockout) and the audit log. */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const idType = dialect === 'postgres' ? 'bigserial' : 'integer';
  const instant = 'bigint';

  await db.schema
    .createTable('web_users')
    .addColumn('id', idType, (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('agency_code', 'text', (c) => c.references('agencies.code'))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull().defaultTo('vi'))
    .addColumn('disabled_at', instant)
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('updated_at', instant, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('web_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('web_users.id'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', instant, (c) => c.notNull())
    .addColumn('last_seen_at', instant, (c) => c.notNull())
    .addColumn('expires_at', instant, (c) => c.notNull())
    .addColumn('ip', 'text')
    .execute();
  await db.schema.createIndex('web_sessions_user').on('web_sessions').column('user_id').execute();

  await db.schema
    .createTable('web_login_attempts')
    .addColumn('id', idType, (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('succeeded', 'integer', (c) => c.notNull())
    .addColumn('at', instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('web_login_attempts_username').on('web_login_attempts').columns(['username', 'at']).execute();
  await db.schema.createIndex('web_login_attempts_ip').on('web_login_attempts').columns(['ip', 'at']).execute();

  await db.schema
    .createTable('web_audit')
    .addColumn('id', idType, (c) => c.primaryKey())
    .addColumn('at', instant, (c) => c.notNull())
    .addColumn('user_id', 'bigint')
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('before_json', 'text')
    .addColumn('after_json', 'text')
    .addColumn('ip', 'text')
    .execute();
  await db.schema.createIndex('web_audit_at').on('web_audit').column('at').execute();
  await db.schema.createIndex('web_audit_entity').on('web_audit').columns(['entity', 'entity_id']).execute();
  await db.schema.createIndex('web_audit_user').on('web_audit').columns(['user_id', 'at']).execute();
}
