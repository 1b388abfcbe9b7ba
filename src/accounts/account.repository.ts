import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DbHandle } from '../platform/db/database.js';
import type { WebSessionTable, WebUserTable } from '../platform/db/schema.js';

export type WebUserRow = Selectable<WebUserTable>;

export async function insertUser(db: DbHandle, row: Insertable<WebUserTable>): Promise<WebUserRow | undefined> {
  return db.kysely
    .insertInto('web_users')
    .values(row)
    .onConflict((oc) => oc.column('username').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function findUserByUsername(db: DbHandle, username: string): Promise<WebUserRow | undefined> {
  return db.kysely.selectFrom('web_users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function findUserById(db: DbHandle, id: number): Promise<WebUserRow | undefined> {
  return db.kysely.selectFrom('web_users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listUsers(db: DbHandle): Promise<WebUserRow[]> {
  return db.kysely.selectFrom('web_users').selectAll().orderBy('username').execute();
}

export async function updateUser(db: DbHandle, id: number, changes: Updateable<WebUserTable>): Promise<void> {
  await db.kysely.updateTable('web_users').set(changes).where('id', '=', id).execute();
}

export async function insertSession(db: DbHandle, row: Insertable<WebSessionTable>): Promise<void> {
  await db.kysely.insertInto('web_sessions').values(row).execute();
}

export async function findSession(db: DbHandle, idHash: string) {
  return db.kysely
    .selectFrom('web_sessions')
    .innerJoin('web_users', 'web_users.id', 'web_sessions.user_id')
    .select([
      'web_sessions.id_hash',
      'web_sessions.csrf_token',
      'web_sessions.last_seen_at',
      'web_sessions.expires_at',
      'web_users.id',
      'web_users.username',
      'web_users.display_name',
      'web_users.role',
      'web_users.agency_code',
      'web_users.lang',
      'web_users.disabled_at',
    ])
    .where('web_sessions.id_hash', '=', idHash)
    .executeTakeFirst();
}

export async function touchSession(db: DbHandle, idHash: string, now: number): Promise<void> {
  await db.kysely.updateTable('web_sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
}

export async function deleteSession(db: DbHandle, idHash: string): Promise<void> {
  await db.kysely.deleteFrom('web_sessions').where('id_hash', '=', idHash).execute();
}

export async function deleteUserSessions(db: DbHandle, userId: number): Promise<void> {
  await db.kysely.deleteFrom('web_sessions').where('user_id', '=', userId).execute();
}

export async function deleteExpiredSessions(db: DbHandle, userId: number, now: number, idleMs: number): Promise<void> {
  await db.kysely
    .deleteFrom('web_sessions')
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', now - idleMs)]))
    .execute();
}

export async function insertAttempt(db: DbHandle, row: { username: string; ip: string; succeeded: boolean; at: number }): Promise<void> {
  await db.kysely
    .insertInto('web_login_attempts')
    .values({ ...row, succeeded: row.succeeded ? 1 : 0 })
    .execute();
}
