import type { Insertable, Selectable } from 'kysely';
import type { DbHandle } from '../platform/db/database.js';
import type { WebAuditTable } from '../platform/db/schema.js';

export type AuditRow = Selectable<WebAuditTable>;

export async function insertAudit(db: DbHandle, row: Insertable<WebAuditTable>): Promise<void> {
  await db.kysely.insertInto('web_audit').values(row).execute();
}

export interface AuditFilter {
  username?: string | undefined;
  entity?: string | undefined;
  action?: string | undefined;
  entityId?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
}

export interface AuditQuery extends AuditFilter {
  limit: number;
  offset?: number | undefined;
}

/** The log's rows the filter matches: shared by the list and its count. */
function filteredAudit(db: DbHandle, filter: AuditFilter) {
  let query = db.kysely.selectFrom('web_audit');
  if (filter.username) query = query.where('username', '=', filter.username);
  if (filter.entity) query = query.where('entity', '=', filter.entity);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.entityId) query = query.where('entity_id', '=', filter.entityId);
  if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('at', '<', filter.to);
  return query;
}

/** Newest first. */
export async function listAudit(db: DbHandle, filter: AuditQuery): Promise<AuditRow[]> {
  let query = filteredAudit(db, filter).selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.offset) query = query.offset(filter.offset);
  return query.execute();
}

/** How many rows `listAudit` would find without paging: one statement. */
export async function countAudit(db: DbHandle, filter: AuditFilter): Promise<number> {
  const row = await filteredAudit(db, filter)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function auditFacets(db: DbHandle): Promise<{ entities: string[]; actions: string[] }> {
  const [entities, actions] = await Promise.all([
    db.kysely.selectFrom('web_audit').select('entity').distinct().orderBy('entity').execute(),
    db.kysely.selectFrom('web_audit').select('action').distinct().orderBy('action').execute(),
  ]);
  return { entities: entities.map((e) => e.entity), actions: actions.map((a) => a.action) };
}
