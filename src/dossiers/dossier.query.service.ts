/**
 * The read side of dossiers: one dossier with its history and messages, the one search (diacritics and
 * case ignored), the desk's work queues with their counts, the hold of an event's messages and the next
 * receipt code to suggest. Writes (intake, events, undo) are DossierService's.
 */
import type { Db } from '../platform/db/database.js';
import { notFound } from '../platform/errors.js';
import type { Principal } from '../platform/principal.js';
import { assertCanReadAgency } from '../platform/principal.js';
import type { AgencyService } from '../reference/agency.service.js';
import type { CalendarService } from '../reference/calendar.service.js';
import { formatVnIso, fromLocal, localDate } from '../lib/calendar/zone.js';
import type { Clock } from '../platform/clock.js';
import {
  countCreatedSince,
  countDossiers,
  findDossierByKey,
  listEvents,
  receiptKey,
  searchDossiers,
  type DossierCount,
} from './dossier.repository.js';
import type { DossierSearchQuery } from './dossier.input.js';
import { toDossierJson, type DossierDetail, type DossierJson } from './dossier.view.js';
import type { DossierMessages, HeldMessage } from './dossier.messages.js';
import { QUEUES, queueDates, queueSql, type QueueDates, type QueueName } from './dossier.queues.js';

export interface QueueCounts {
  dates: QueueDates;
  counts: Record<QueueName, number>;
}

export interface QueuePage {
  dates: QueueDates;
  items: DossierJson[];
  /** All the dossiers in the queue matching the search text, across pages. */
  total: number;
}

export class DossierQueryService {
  constructor(
    private readonly db: Db,
    private readonly agencies: AgencyService,
    private readonly calendars: CalendarService,
    private readonly messages: DossierMessages,
    private readonly clock: Clock,
  ) {}

  async get(principal: Principal, code: string): Promise<DossierDetail> {
    const row = await findDossierByKey(this.db, receiptKey(code));
    if (!row) throw notFound(`hồ sơ mã "${code}"`);
    assertCanReadAgency(principal, row.agency_code);
    const now = this.clock.now();
    const [events, notifications] = await Promise.all([listEvents(this.db, row.id), this.messages.list(this.db, row.id)]);
    return {
      dossier: toDossierJson(row, now),
      version: row.event_count,
      events: events.map((e) => ({
        seq: e.seq,
        type: e.type,
        step: e.step,
        at: formatVnIso(new Date(e.at)),
        eventId: e.event_id,
        state: e.state_after,
        dueAt: formatVnIso(new Date(e.due_at_after)),
      })),
      notifications,
    };
  }

  /** The one dossier search: part of a receipt code, six or more digits of a phone number, or part of
   *  the applicant's name ignoring diacritics and case ("nguyen van" finds "Nguyễn Văn"). */
  async search(principal: Principal, agencyCode: string | null, query: DossierSearchQuery): Promise<DossierJson[]> {
    if (agencyCode) assertCanReadAgency(principal, agencyCode);
    const now = this.clock.now();
    const { q, ...rest } = query;
    const rows = await searchDossiers(this.db, { agencyCode, query: q, ...rest });
    return rows.map((row) => toDossierJson(row, now));
  }

  /** One page of `search` with how many dossiers match across pages (the web lists' "1–50 / 647"). */
  async searchPage(
    principal: Principal,
    agencyCode: string | null,
    page: { q?: string | undefined; limit: number; offset: number },
  ): Promise<{ items: DossierJson[]; total: number }> {
    if (agencyCode) assertCanReadAgency(principal, agencyCode);
    return this.pageOf({ agencyCode, query: page.q }, page, this.clock.now());
  }

  /** The agency's work queues with how many dossiers each holds now: one count statement per queue. */
  async queueCounts(principal: Principal, agencyCode: string): Promise<QueueCounts> {
    assertCanReadAgency(principal, agencyCode);
    const dates = await queueDates(this.calendars, this.clock.now());
    const counts = await Promise.all(QUEUES.map((queue) => countDossiers(this.db, { agencyCode, where: queueSql(queue, dates) })));
    return { dates, counts: Object.fromEntries(QUEUES.map((queue, i) => [queue, counts[i]!])) as Record<QueueName, number> };
  }

  /** One page of a work queue, newest first, searched like `search` (diacritics and case ignored). */
  async queue(
    principal: Principal,
    agencyCode: string,
    queue: QueueName,
    page: { q?: string | undefined; limit: number; offset: number },
  ): Promise<QueuePage> {
    assertCanReadAgency(principal, agencyCode);
    const dates = await queueDates(this.calendars, this.clock.now());
    return { dates, ...(await this.pageOf({ agencyCode, where: queueSql(queue, dates), query: page.q }, page, dates.now)) };
  }

  /** One page of the dossiers `search` finds, with how many it finds across pages. */
  private async pageOf(
    search: DossierCount,
    page: { limit: number; offset: number },
    now: number,
  ): Promise<{ items: DossierJson[]; total: number }> {
    const [rows, total] = await Promise.all([
      searchDossiers(this.db, { ...search, limit: page.limit, offset: page.offset }),
      countDossiers(this.db, search),
    ]);
    return { items: rows.map((row) => toDossierJson(row, now)), total };
  }

  /** A receipt code for the desk's next intake in the national format `<prefix>-YYMMDD-NNNN`: the agency's
   *  first prefix (its code when it has none), today's date and the next number not yet taken. */
  async suggestReceiptCode(agencyCode: string): Promise<string> {
    const now = this.clock.now();
    const today = localDate(new Date(now));
    const prefix = (await this.agencies.get(agencyCode))?.settings.receiptPrefixes[0] ?? agencyCode;
    const date = today.slice(2).replace(/-/g, '');
    for (let n = (await countCreatedSince(this.db, agencyCode, fromLocal(today, 0).getTime())) + 1; ; n++) {
      const code = `${prefix}-${date}-${String(n).padStart(4, '0')}`;
      if (!(await findDossierByKey(this.db, receiptKey(code)))) return code;
    }
  }

  /** Messages the dossier's event `seq` created that are still inside their hold. */
  async heldBy(code: string, seq: number): Promise<HeldMessage[]> {
    const row = await findDossierByKey(this.db, receiptKey(code));
    if (!row) return [];
    return this.messages.heldBy(this.db, row.id, seq, this.clock.now());
  }
}
