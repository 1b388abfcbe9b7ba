/** The audit log of changes people make through the web screens: who, when, what, before and after. */
import type { AppContext } from '../main/context.js';
import type { DbHandle } from '../platform/db/database.js';

export interface AuditEntry {
  action: string;
  entity: string;
  entityId?: string | number | null;
  before?: unknown;
  after?: unknown;
  ip?: string | null;
}

export interface AuditActor {
  id: number | null;
  username: string;
}

const json = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

export async function audit(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  user: AuditActor,
  entry: AuditEntry,
  via: DbHandle = ctx.db,
): Promise<void> {
  await via.kysely
    .insertInto('web_audit')
    .values({
      at: ctx.clock.now(),
      user_id: user.id,
      username: user.username,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId === undefined || entry.entityId === null ? null : String(entry.entityId),
      before_json: json(entry.before),
      after_json: json(entry.after),
      ip: entry.ip ?? null,
    })
    .execute();
}

export interface AuditFilter {
  username?: string | undefined;
  entity?: string | undefined;
  action?: string | undefined;
  entityId?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  limit: number;
  beforeId?: number | undefined;
}

export async function listAudit(db: DbHandle, filter: AuditFilter) {
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
