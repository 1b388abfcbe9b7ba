import type { DbHandle as Db } from '../platform/db/database.js';
import type { Role } from '../platform/principal.js';

export async function insertToken(
  db: Db,
  row: { tokenHash: string; role: Role; agencyCode: string | null; label: string; now: number },
): Promise<number> {
  const inserted = await db.kysely
    .insertInto('api_tokens')
    .values({ token_hash: row.tokenHash, role: row.role, agency_code: row.agencyCode, label: row.label, created_at: row.now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

export async function findActiveTokenByHash(db: Db, tokenHash: string) {
  return db.kysely
    .selectFrom('api_tokens')
    .select(['id', 'role', 'agency_code'])
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function countAdminTokens(db: Db): Promise<number> {
  const row = await db.kysely
    .selectFrom('api_tokens')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin')
    .where('revoked_at', 'is', null)
    .executeTakeFirstOrThrow();
  return row.n;
}

const LISTED = ['id', 'role', 'agency_code', 'label', 'created_at', 'revoked_at'] as const;

export async function listTokens(db: Db) {
  return db.kysely.selectFrom('api_tokens').select(LISTED).orderBy('id').execute();
}

export async function findToken(db: Db, id: number) {
  return db.kysely.selectFrom('api_tokens').select(LISTED).where('id', '=', id).executeTakeFirst();
}

export async function revokeToken(db: Db, id: number, now: number): Promise<boolean> {
  const result = await db.kysely
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
