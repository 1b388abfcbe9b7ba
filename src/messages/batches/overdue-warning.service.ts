import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { AgencyService } from '../../reference/agency.service.js';
import type { DossierRow } from '../../dossiers/dossier.repository.js';
import type { NewNotification } from '../notification.repository.js';
import { isTriggerOn, procedureGetsMessages } from '../plan/notification.rules.js';
import { JOINED_PROCEDURE_COLUMNS, joinedProcedure, type OutboxService } from '../plan/outbox.service.js';

const HOUR_MS = 3_600_000;

/**
 * Khánh Hoà's "overdue warning" (off by default): an open dossier gets one message when it comes within
 * the agency's `overdueWarningHours` of its due time. The occurrence is the due time itself, so running
 * it every minute in every process creates each warning once, and a moved due date may earn another.
 * No transaction: each insert is one statement, and the dedupe key makes repeats harmless.
 */
export class OverdueWarningService {
  constructor(
    private readonly db: Db,
    private readonly agencies: AgencyService,
    private readonly outbox: OutboxService,
  ) {}

  async run(now: number): Promise<number> {
    const enabled = (await this.agencies.list()).filter((agency) => isTriggerOn('overdue_warning', agency.settings));
    if (enabled.length === 0) return 0;
    const byCode = new Map(enabled.map((agency) => [agency.code, agency]));
    const horizon = Math.max(...enabled.map((agency) => agency.settings.overdueWarningHours)) * HOUR_MS;
    const candidates = await this.db.kysely
      .selectFrom('dossiers')
      .innerJoin('procedures', 'procedures.code', 'dossiers.procedure_code')
      .selectAll('dossiers')
      .select(JOINED_PROCEDURE_COLUMNS)
      .where(sql.ref('dossiers.state'), 'in', ['received', 'in_progress'])
      .where('dossiers.agency_code', 'in', [...byCode.keys()])
      .where('dossiers.due_at', '>', now)
      .where('dossiers.due_at', '<=', now + horizon)
      .execute();
    const rows: NewNotification[] = [];
    for (const candidate of candidates) {
      const agency = byCode.get(candidate.agency_code)!;
      if (candidate.due_at - agency.settings.overdueWarningHours * HOUR_MS > now) continue;
      if (!procedureGetsMessages(candidate.processing_days, agency.settings)) continue;
      const planned = { kind: 'overdue_warning' as const, template: 'overdue_warning', occurrence: String(candidate.due_at), held: false };
      rows.push(...this.outbox.rowsFor(planned, candidate as unknown as DossierRow, agency, joinedProcedure(candidate), now));
    }
    return (await this.outbox.insert(this.db, rows)).length;
  }
}
