import type { Insertable, Selectable } from 'kysely';
import type { DbHandle } from '../platform/db/database.js';
import type { WebAuditTable } from '../platform/db/schema.js';

export type AuditRow = Selectable<WebAuditTable>;

export async function insertAudit(db: DbHandle, row: Insertable<WebAuditTable>): Promise<void> {
  await db.kysely.insertInto('web_audit').values(row).execute();
}

export interface AuditQuery {
  username?: string | undefined;
  entity?: string | undefined;
  action?: string | undefined;
  entityId?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  limit: number;
  beforeId?: number | undefined;
}

/** Newest first. */
export async function listAudit(db: DbHandle, filter: AuditQuery): Promise<AuditRow[]> {
  let query = db.kysely.selectFrom('web_audit').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.username) query = query.where('username', '=', filter.username);
  if (filter.entity) query = query.where('entity', '=', filter.entity);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.entityId) query = query.where('entity_id', '=', filter.entityId);
  if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('at', '<', filter.to);
  if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
  return query.execute();
}

export async function auditFacets(db: DbHandle): Promise<{ entities: string[]; actions: string[] }> {
  const [entities, actions] = await Promise.all([
    db.kysely.selectFrom('web_audit').select('entity').distinct().orderBy('entity').execute(),
    db.kysely.selectFrom('web_audit').select('action').distinct().orderBy('action').execute(),
  ]);
  return { entities: entities.map((e) => e.entity), actions: actions.map((a) => a.action) };
}
