/**
 * Status look-up: the public answer (web, JSON) and the SMS loop — an MO is stored, guarded, parsed,
 * answered from the dossier's state, and the reply recorded as a `lookup_reply` notification from the
 * short code. The MO row and its reply commit together; a re-delivered MO (same gateway message id)
 * finds the stored row and gets no second reply.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, DbHandle } from '../platform/db/database.js';
import { transaction } from '../platform/db/database.js';
import type { Config } from '../platform/config/config.js';
import type { Clock } from '../platform/clock.js';
import type { Metrics } from '../platform/metrics.js';
import type { AgencyService } from '../reference/agency.service.js';
import type { ProcedureService } from '../reference/procedure.service.js';
import { AppError, notFound } from '../platform/errors.js';
import { replaceControlCharacters } from '../platform/http/schemas.js';
import { checkPhone } from '../lib/phone/phone.js';
import type { SmsEncoding } from '../lib/sms-text/encode.js';
import { GroupCommit } from '../platform/db/group-commit.js';
import { findDossierByKey, receiptKey } from '../dossiers/dossier.repository.js';
import { toDossierJson } from '../dossiers/dossier.service.js';
import type { NotificationRow } from '../messages/notification.repository.js';
import { renderFor } from '../messages/plan/notification.templates.js';
import { dossierVars, type OutboxService } from '../messages/plan/outbox.service.js';
import { lookupSyntax, normalizeReceiptCode, parseMo } from './mo-parser.js';
import { UnknownCodeGuard } from './web-guard.js';

export type LookupOutcome = 'found' | 'not_found' | 'bad_syntax' | 'rate_limited';

export interface PublicStatus {
  receiptCode: string;
  state: string;
  step: string;
  dueAt: string;
  /** null for a refused, withdrawn or stopped dossier: neither on time nor late. */
  onTime: boolean | null;
  statusText: string | null;
}

export interface InboundSms {
  /** Which way it came in: `api`, `kannel`, `esms`, `smpp:<bind>` … (scopes `messageId`). */
  gateway: string;
  messageId: string | null;
  from: string;
  to: string;
  text: string;
  receivedAt: number | null;
  /** `outbox`: the dispatcher sends the reply; `response`: the gateway sends it from our HTTP answer. */
  replyVia: 'outbox' | 'response';
}

export interface InboundResult {
  outcome: LookupOutcome;
  /** The text sent back; null when a rate-limited number is answered with silence. */
  reply: string | null;
  duplicate: boolean;
  notificationId: number | null;
}

const HOUR_MS = 3_600_000;

/**
 * The phone simulator (/gia-lap) sends as this gateway, from senders in its own range — `sim:<user id>:<number>`
 * — which no gateway can deliver and no real number matches: a staff member sees and writes only the
 * threads they created, never a citizen's; its look-ups pay no fee, trip no guard and are no revenue.
 */
export const SIMULATOR_GATEWAY = 'simulator';
export function simulatorSender(userId: number, phone: string): string {
  const typed = phone.trim().slice(0, 40);
  return `sim:${userId}:${checkPhone(typed).e164 ?? typed}`;
}

/** One MO of a conversation with the short code, with the reply it got. */
export interface ThreadEntry {
  id: number;
  text: string;
  receivedAt: number;
  reply: string | null;
  replyStatus: string | null;
}

/** How an MO's sender is stored: its +84 number, or what the gateway gave when it is not a number. */
function senderOf(from: string, phone = checkPhone(from)): string {
  return phone.e164 ?? from.trim();
}

export interface ThrottledNumber {
  sender: string;
  lookupsLastHour: number;
  unknownCodesLastHour: number;
  reason: 'flood' | 'enumeration';
}

/** An MO with what can be worked out before its transaction. */
interface PreparedMo {
  readonly mo: InboundSms;
  readonly phone: ReturnType<typeof checkPhone>;
  readonly sender: string;
  readonly answer: Awaited<ReturnType<LookupService['prepare']>>;
  readonly replyKey: string;
}

export class LookupService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly agencies: AgencyService,
    private readonly procedures: ProcedureService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {
    this.webGuard = new UnknownCodeGuard(config.lookup.webUnknownCodeLimitPerHour);
  }

  private readonly inboundGroups = new GroupCommit<InboundSms, InboundResult>((mos) => this.handleGroup(mos), { maxSize: 100, delayMs: 2 });

  private readonly webGuard: UnknownCodeGuard;

  /**
   * What anyone may know about a dossier, never the applicant, for a web client at `address` (the page
   * and the JSON API share this): an address that tried too many unknown codes is refused with 429.
   */
  async publicStatus(code: string, address: string): Promise<PublicStatus> {
    const now = this.clock.now();
    if (!this.webGuard.allows(address, now)) {
      this.metrics.lookups.inc({ outcome: 'rate_limited', via: 'web' });
      throw new AppError('RATE_LIMITED', 429, 'Đã tra cứu quá nhiều mã số không có thật; vui lòng thử lại sau một giờ.');
    }
    const normalized = normalizeReceiptCode(code);
    const dossier = normalized ? await findDossierByKey(this.db, receiptKey(normalized)) : undefined;
    this.metrics.lookups.inc({ outcome: dossier ? 'found' : 'not_found', via: 'web' });
    if (!dossier) {
      this.webGuard.miss(address, normalized ?? code, now);
      throw notFound(`hồ sơ có mã số "${code}"`);
    }
    const json = toDossierJson(dossier, now);
    return {
      receiptCode: json.receiptCode,
      state: json.state,
      step: json.step,
      dueAt: json.dueAt,
      onTime: json.onTime,
      statusText: json.statusText,
    };
  }

  /** MOs are answered in groups, one transaction per group (see GroupCommit). A carrier's text is taken
   *  as it comes: control characters (a NUL from a badly decoded GSM "@" …) become spaces. */
  handleInbound(mo: InboundSms): Promise<InboundResult> {
    return this.inboundGroups.submit({ ...mo, text: replaceControlCharacters(mo.text) });
  }

  /** Answers what is queued; call before the database closes. */
  drain(): Promise<void> {
    return this.inboundGroups.drain();
  }

  private async handleGroup(mos: readonly InboundSms[]): Promise<InboundResult[]> {
    const now = this.clock.now();
    const prepared: PreparedMo[] = [];
    for (const mo of mos) {
      const phone = checkPhone(mo.from);
      // The reply's dedupe key comes from the gateway's message id, so a re-delivered MO conflicts on its
      // first insert; without an id every MO is new.
      prepared.push({
        mo,
        phone,
        sender: senderOf(mo.from, phone),
        answer: await this.prepare(mo.text, now),
        replyKey: `lookup|${mo.gateway}|${mo.messageId ?? randomUUID()}`,
      });
    }
    const results = await transaction(this.db, async (tx) => {
      const answered: InboundResult[] = [];
      for (const item of prepared) answered.push(await this.answer(tx, item, now));
      return answered;
    });
    results.forEach((result, i) => {
      if (!result.duplicate && prepared[i]!.mo.gateway !== SIMULATOR_GATEWAY)
        this.metrics.lookups.inc({ outcome: result.outcome, via: 'sms' });
    });
    return results;
  }

  private async answer(tx: DbHandle, { mo, phone, sender, answer: prepared, replyKey }: PreparedMo, now: number): Promise<InboundResult> {
    const simulated = mo.gateway === SIMULATOR_GATEWAY;
    const answer = simulated || (await this.guard(tx, sender, now)) ? prepared : this.rateLimited();
    let notificationId: number | null = null;
    // What leaves is the prepared text (folded unless the agency sends Unicode), whichever way it leaves.
    let sentText: string | null = null;
    if (answer.reply !== null) {
      const reply = this.outbox.lookupReply({
        dedupeKey: replyKey,
        to: sender,
        phone: {
          e164: phone.e164,
          carrier: phone.carrier,
          reachable: phone.e164 !== null && (phone.problem === null || phone.problem === 'foreign'),
        },
        text: answer.reply,
        encoding: answer.encoding,
        dossier: answer.dossier === null ? null : { id: Number(answer.dossier.id), agencyCode: answer.dossier.agency_code },
        viaResponse: mo.replyVia === 'response' || simulated ? { gateway: mo.gateway } : null,
        now,
      });
      const [row] = await this.outbox.insert(tx, [reply]);
      if (!row) return this.stored(tx, mo);
      notificationId = Number(row.id);
      sentText = reply.body;
    }
    const inserted = await tx.kysely
      .insertInto('inbound_messages')
      .values({
        gateway: mo.gateway,
        gateway_message_id: mo.messageId,
        sender,
        sender_e164: phone.problem === null ? phone.e164 : null,
        short_code: mo.to.trim() || this.config.lookup.shortCode,
        text: mo.text.slice(0, 2000),
        outcome: answer.outcome,
        parsed_code: answer.code,
        dossier_id: answer.dossier === null ? null : Number(answer.dossier.id),
        fee_vnd: simulated ? 0 : this.config.lookup.feeVnd,
        reply: sentText,
        reply_notification_id: notificationId,
        received_at: mo.receivedAt ?? now,
        created_at: now,
      })
      .onConflict((oc) => oc.columns(['gateway', 'gateway_message_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return this.stored(tx, mo);
    return { outcome: answer.outcome, reply: sentText, duplicate: false, notificationId };
  }

  /** The answer already given to a re-delivered MO. */
  private async stored(tx: DbHandle, mo: InboundSms): Promise<InboundResult> {
    const seen = await tx.kysely
      .selectFrom('inbound_messages')
      .select(['outcome', 'reply', 'reply_notification_id'])
      .where('gateway', '=', mo.gateway)
      .where('gateway_message_id', '=', mo.messageId)
      .executeTakeFirst();
    if (!seen) return { outcome: 'bad_syntax', reply: null, duplicate: true, notificationId: null };
    return {
      outcome: seen.outcome,
      reply: seen.reply,
      duplicate: true,
      notificationId: seen.reply_notification_id === null ? null : Number(seen.reply_notification_id),
    };
  }

  /** A simulated MO from `phone`, as the staff member `userId` (sandbox demos only; see SIMULATOR_GATEWAY). */
  simulate(userId: number, phone: string, text: string): Promise<InboundResult> {
    return this.handleInbound({
      gateway: SIMULATOR_GATEWAY,
      messageId: null,
      from: simulatorSender(userId, phone),
      to: this.config.lookup.shortCode,
      text,
      receivedAt: null,
      replyVia: 'response',
    });
  }

  /** The latest simulated MOs of `userId` from `phone` with their replies, oldest first (never a real number's thread). */
  async simulatorConversation(userId: number, phone: string, limit = 30): Promise<ThreadEntry[]> {
    const rows = await this.db.kysely
      .selectFrom('inbound_messages as i')
      .leftJoin('notifications as m', 'm.id', 'i.reply_notification_id')
      .select(['i.id', 'i.text', 'i.received_at', 'i.reply', 'm.status'])
      .where('i.gateway', '=', SIMULATOR_GATEWAY)
      .where('i.sender', '=', simulatorSender(userId, phone))
      .orderBy('i.id', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse().map((r) => ({
      id: Number(r.id),
      text: r.text,
      receivedAt: Number(r.received_at),
      reply: r.reply,
      replyStatus: r.status ?? null,
    }));
  }

  /** Numbers throttled right now and why, for administrators. */
  async throttled(): Promise<ThrottledNumber[]> {
    const since = this.clock.now() - HOUR_MS;
    const rows = await this.db.kysely
      .selectFrom('inbound_messages')
      .select((eb) => [
        'sender',
        eb.fn.countAll<number>().as('total'),
        sql<number>`count(distinct case when outcome = 'not_found' then parsed_code end)`.as('unknown'),
      ])
      .where('received_at', '>', since)
      .where('gateway', '!=', SIMULATOR_GATEWAY)
      .groupBy('sender')
      .execute();
    const { rateLimitPerHour, unknownCodeLimitPerHour } = this.config.lookup;
    return rows
      .map((r) => ({ sender: r.sender, lookupsLastHour: Number(r.total), unknownCodesLastHour: Number(r.unknown) }))
      .flatMap((r): ThrottledNumber[] => {
        if (r.unknownCodesLastHour > unknownCodeLimitPerHour) return [{ ...r, reason: 'enumeration' as const }];
        if (rateLimitPerHour > 0 && r.lookupsLastHour >= rateLimitPerHour) return [{ ...r, reason: 'flood' as const }];
        return [];
      })
      .sort((a, b) => b.lookupsLastHour - a.lookupsLastHour);
  }

  private async guard(tx: DbHandle, sender: string, now: number): Promise<boolean> {
    const since = now - HOUR_MS;
    const counts = await tx.kysely
      .selectFrom('inbound_messages')
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        sql<number>`count(distinct case when outcome = 'not_found' then parsed_code end)`.as('unknown'),
      ])
      .where('sender', '=', sender)
      .where('received_at', '>', since)
      .where('gateway', '!=', SIMULATOR_GATEWAY)
      .executeTakeFirstOrThrow();
    const { rateLimitPerHour, unknownCodeLimitPerHour } = this.config.lookup;
    if (Number(counts.unknown) > unknownCodeLimitPerHour) return false;
    return rateLimitPerHour === 0 || Number(counts.total) < rateLimitPerHour;
  }

  /** Parses the MO and reads the dossier and its agency: outside the transaction, which on SQLite
   *  holds the only connection (reference data is read through the cached services). */
  private async prepare(text: string, now: number) {
    const { keyword, shortCode } = this.config.lookup;
    const common = { lookupSyntax: lookupSyntax(keyword, shortCode), shortCode };
    const parsed = parseMo(text, { keyword });
    if (parsed.kind === 'bad_syntax') {
      return {
        outcome: 'bad_syntax' as const,
        code: null,
        dossier: null,
        encoding: 'ascii' as SmsEncoding,
        reply: renderFor('lookup_bad_syntax', {}, common),
      };
    }
    const dossier = (await findDossierByKey(this.db, receiptKey(parsed.code))) ?? null;
    if (!dossier) {
      return {
        outcome: 'not_found' as const,
        code: parsed.code,
        dossier: null,
        encoding: 'ascii' as SmsEncoding,
        reply: renderFor('lookup_not_found', {}, { ...common, receiptCode: parsed.code }),
      };
    }
    const [agency, procedure] = await Promise.all([this.agencies.get(dossier.agency_code), this.procedures.get(dossier.procedure_code)]);
    const overrides = agency?.settings.templates ?? {};
    const kind = dossier.state === 'returned' ? 'lookup_returned' : dossier.state === 'result_ready' ? 'lookup_finished' : 'lookup_reply';
    const vars = dossierVars(dossier, agency?.name ?? dossier.agency_code, procedure?.name ?? '', now, shortCode, keyword);
    const reply = renderFor(kind, overrides, { ...vars, ...common });
    return {
      outcome: 'found' as const,
      code: parsed.code,
      dossier,
      encoding: agency?.settings.smsEncoding ?? ('ascii' as SmsEncoding),
      reply,
    };
  }

  private rateLimited() {
    const { keyword, shortCode, replyWhenRateLimited } = this.config.lookup;
    return {
      outcome: 'rate_limited' as const,
      code: null,
      dossier: null,
      encoding: 'ascii' as SmsEncoding,
      reply: replyWhenRateLimited
        ? renderFor('lookup_rate_limited', {}, { lookupSyntax: lookupSyntax(keyword, shortCode), shortCode })
        : null,
    };
  }
}

export type { NotificationRow };
