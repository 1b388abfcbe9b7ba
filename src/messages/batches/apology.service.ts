import type { DbHandle } from '../../platform/db/database.js';
import type { Agency, AgencyService } from '../../reference/agency.service.js';
import type { CalendarService } from '../../reference/calendar.service.js';
import type { DossierRow } from '../../dossiers/dossier.repository.js';
import { dueOnSql, nextWorkingDueDate } from '../../dossiers/dossier.queues.js';
import type { NewNotification } from '../notification.repository.js';
import { isTriggerOn, procedureGetsMessages } from '../plan/notification.rules.js';
import { JOINED_PROCEDURE_COLUMNS, joinedProcedure, type OutboxService } from '../plan/outbox.service.js';

export interface ApologyResult {
  dueDate: string;
  dossiers: number;
  created: number;
}

/**
 * The 17:30 batch of seed 001: every open dossier (not at the result step, not awaiting a supplement)
 * due on the next working day gets one apology per due date — the dedupe key holds the due date, so a
 * second run creates nothing and a moved due date may earn another.
 */
export class ApologyService {
  constructor(
    private readonly agencies: AgencyService,
    private readonly calendars: CalendarService,
    private readonly outbox: OutboxService,
  ) {}

  async dueDateFor(asOf: number, via?: DbHandle): Promise<string> {
    return nextWorkingDueDate(this.calendars, asOf, via);
  }

  /** Reference data is read through `tx`: on SQLite the transaction holds the only connection. */
  async run(tx: DbHandle, asOf: number, now: number): Promise<ApologyResult> {
    const dueDate = await this.dueDateFor(asOf, tx);
    const candidates = await tx.kysely
      .selectFrom('dossiers')
      .innerJoin('procedures', 'procedures.code', 'dossiers.procedure_code')
      .selectAll('dossiers')
      .select(JOINED_PROCEDURE_COLUMNS)
      // The selection rule lives in dossiers/dossier.queues.ts: the desk's "due tomorrow" queue is the same list.
      .where(dueOnSql(dueDate))
      .execute();

    const agencies = new Map<string, Agency | null>();
    for (const code of new Set(candidates.map((c) => c.agency_code))) agencies.set(code, await this.agencies.get(code, tx));
    const rows: NewNotification[] = [];
    for (const candidate of candidates) {
      const agency = agencies.get(candidate.agency_code);
      if (!agency || !isTriggerOn('apology', agency.settings)) continue;
      if (!procedureGetsMessages(candidate.processing_days, agency.settings)) continue;
      const dossier = candidate as unknown as DossierRow;
      rows.push(
        ...this.outbox.rowsFor(
          { kind: 'apology', template: 'apology', occurrence: dueDate, held: false },
          dossier,
          agency,
          joinedProcedure(candidate),
          now,
        ),
      );
    }
    const created = (await this.outbox.insert(tx, rows)).length;
    return { dueDate, dossiers: candidates.length, created };
  }
}
