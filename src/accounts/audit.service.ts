/** The audit log of changes people make through the web screens (and the CLI): who, when, what, before and after. */
import type { Clock } from '../platform/clock.js';
import type { Db, DbHandle } from '../platform/db/database.js';
import { type AuditFilter, type AuditQuery, auditFacets, countAudit, insertAudit, listAudit } from './audit.repository.js';

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

export interface AuditRecord {
  id: number;
  at: number;
  username: string;
  action: string;
  entity: string;
  entityId: string | null;
  /** The values before and after as stored: JSON text, or null. */
  beforeJson: string | null;
  afterJson: string | null;
}

const json = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

export class AuditService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Writes one entry; `via` is the transaction of the change when the entry must commit with it. */
  async record(actor: AuditActor, entry: AuditEntry, via: DbHandle = this.db): Promise<void> {
    await insertAudit(via, {
      at: this.clock.now(),
      user_id: actor.id,
      username: actor.username,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId === undefined || entry.entityId === null ? null : String(entry.entityId),
      before_json: json(entry.before),
      after_json: json(entry.after),
      ip: entry.ip ?? null,
    });
  }

  /** One page of the log, newest first, with how many rows the filter matches across pages. */
  async page(filter: AuditFilter, page: { limit: number; offset: number }): Promise<{ items: AuditRecord[]; total: number }> {
    const [items, total] = await Promise.all([this.list({ ...filter, ...page }), countAudit(this.db, filter)]);
    return { items, total };
  }

  async list(filter: AuditQuery): Promise<AuditRecord[]> {
    return (await listAudit(this.db, filter)).map((r) => ({
      id: r.id,
      at: r.at,
      username: r.username,
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id,
      beforeJson: r.before_json,
      afterJson: r.after_json,
    }));
  }

  /** The entities and actions present in the log, for the filter lists. */
  facets(): Promise<{ entities: string[]; actions: string[] }> {
    return auditFacets(this.db);
  }
}
