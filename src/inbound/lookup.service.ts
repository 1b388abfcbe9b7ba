/**
 * Status look-up by SMS (the web's is public-lookup.service.ts): an MO is stored, guarded, parsed,
 * answered from the dossier's state, and the reply recorded as a `lookup_reply` notification from the
 * short code. The MO row and its reply commit together; a re-delivered MO (same gateway message id)
 * finds the stored row and gets no second reply.
 */
import { randomUUID } from 'node:crypto';
import type { Db, DbHandle } from '../platform/db/database.js';
import { transaction } from '../platform/db/database.js';
import type { Config } from '../platform/config/config.js';
import type { Clock } from '../platform/clock.js';
import type { Metrics } from '../platform/metrics.js';
import type { AgencyService } from '../reference/agency.service.js';
import type { ProcedureService } from '../reference/procedure.service.js';
import { replaceControlCharacters } from '../platform/http/schemas.js';
import { checkPhone } from '../lib/phone/phone.js';
import type { SmsEncoding } from '../lib/sms-text/encode.js';
import { GroupCommit } from '../platform/db/group-commit.js';
import { findDossiersByKeys, receiptKey, type DossierRow } from '../dossiers/dossier.repository.js';
import { hot } from '../platform/db/hot/index.js';
import type { NotificationRow } from '../messages/notification.repository.js';
import { fitOneSegment } from './lookup.reply.js';
import { dossierVars, type OutboxService } from '../messages/plan/outbox.service.js';
import { lookupSyntax, parseMo } from './mo-parser.js';
import { SenderGuard, throttledNumbers, type ThrottledNumber } from './lookup.guard.js';
import { type InboxEntry, SIMULATOR_GATEWAY, simulatorInbox, simulatorSender, simulatorThread, type ThreadEntry } from './simulator.js';
import { lookupFeeVnd } from './lookup.billing.js';

export type LookupOutcome = 'found' | 'not_found' | 'bad_syntax' | 'rate_limited';

export interface InboundSms {
  /** Which way it came in: `api`, `kannel`, `esms`, `smpp:<bind>` … (scopes `messageId`). */
  gateway: string;
  messageId: string | null;
  from: string;
  /** The source address's SMPP type of number and numbering plan (MOs that came over SMPP): the reply
   *  goes back to `from` exactly as given, with these. */
  fromTon?: number | null;
  fromNpi?: number | null;
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

/**
 * The look-up fast path: where committed reply rows go at once, in memory (the dispatcher of this
 * process, on the bind that is up), instead of waiting for a poll and a claim. The rows arrive already
 * claimed (`sending`, leased); the outbox stays the safety net when the hand-off never sends them.
 */
export interface ReplyHandoff {
  /** True when this process can send a reply now (its dispatcher runs, an SMS provider is bound). */
  ready(): boolean;
  /** Takes claimed reply rows once their transaction has committed; never throws. */
  send(rows: readonly NotificationRow[]): void;
}

/** How an MO's sender is stored: its +84 number, or what the gateway gave when it is not a number. */
function senderOf(from: string, phone = checkPhone(from)): string {
  return phone.e164 ?? from.trim();
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
  ) {}

  private readonly inboundGroups = new GroupCommit<InboundSms, InboundResult>((mos) => this.handleGroup(mos), { maxSize: 100, delayMs: 2 });

  private handoff: ReplyHandoff | null = null;

  /** Wired where a dispatcher runs in the same process (src/main/context.ts). */
  setReplyHandoff(handoff: ReplyHandoff | null): void {
    this.handoff = handoff;
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
    // The group's dossiers in one statement (a round trip per MO is what PostgreSQL pays for).
    const parsed = mos.map((mo) => parseMo(mo.text, { keyword: this.config.lookup.keyword }));
    const keys = parsed.flatMap((p) => (p.kind === 'bad_syntax' ? [] : [receiptKey(p.code)]));
    const dossiers = new Map((await findDossiersByKeys(this.db, keys)).map((d) => [d.receipt_key, d]));
    const prepared: PreparedMo[] = await Promise.all(
      mos.map(async (mo, i) => {
        const phone = checkPhone(mo.from);
        // The reply's dedupe key comes from the gateway's message id, so a re-delivered MO conflicts on its
        // first insert; without an id every MO is new.
        return {
          mo,
          phone,
          sender: senderOf(mo.from, phone),
          answer: await this.prepare(parsed[i]!, dossiers, now),
          replyKey: `lookup|${mo.gateway}|${mo.messageId ?? randomUUID()}`,
        };
      }),
    );
    // Fast path: the replies are inserted claimed and handed to the sender once the group commits.
    const handoff = this.handoff?.ready() ? this.handoff : null;
    const claimUntil = handoff ? now + this.config.dispatcher.leaseSeconds * 1000 : null;
    const claimed: NotificationRow[] = [];
    const results = await transaction(this.db, async (tx) => {
      return this.answerGroup(tx, prepared, now, claimUntil, claimed);
    });
    if (handoff && claimed.length > 0) handoff.send(claimed);
    results.forEach((result, i) => {
      if (!result.duplicate && prepared[i]!.mo.gateway !== SIMULATOR_GATEWAY)
        this.metrics.lookups.inc({ outcome: result.outcome, via: 'sms' });
    });
    return results;
  }

  /**
   * The group's statements, few whatever its size (round trips are what PostgreSQL pays for): one read
   * of the senders' last hour, one multi-row insert of the replies, one of the MOs. Each MO is decided in
   * arrival order, counting the group's earlier MOs as if each had been stored before the next (the
   * flood and enumeration guards). A re-delivered MO — stored before, or twice in the group — gets the
   * answer already stored and no second reply.
   */
  private async answerGroup(
    tx: DbHandle,
    items: readonly PreparedMo[],
    now: number,
    claimUntil: number | null,
    claimed: NotificationRow[],
  ): Promise<InboundResult[]> {
    const guard = await SenderGuard.load(tx, [...new Set(items.map((i) => i.sender))], now, this.config.lookup);
    const idKey = (mo: InboundSms) => (mo.messageId === null ? null : `${mo.gateway}\u0000${mo.messageId}`);
    const seen = new Set<string>();
    const plans = items.map((item) => {
      const key = idKey(item.mo);
      if (key !== null && seen.has(key)) return { item, repeat: true as const };
      if (key !== null) seen.add(key);
      const allowed = item.mo.gateway === SIMULATOR_GATEWAY || guard.allows(item.sender);
      const answer = allowed ? item.answer : this.rateLimited();
      guard.count(item.sender, answer.outcome === 'not_found' ? answer.code : null);
      return { item, repeat: false as const, answer, reply: answer.reply === null ? null : this.replyRow(item, answer, now, claimUntil) };
    });

    const replies = await this.outbox.insert(
      tx,
      plans.flatMap((p) => (!p.repeat && p.reply !== null ? [p.reply] : [])),
    );
    const replyByKey = new Map(replies.map((row) => [row.dedupe_key, row]));
    const stored = plans.map((p) => {
      if (p.repeat) return null;
      const row = p.reply === null ? null : (replyByKey.get(p.reply.dedupe_key) ?? null);
      // No reply row inserted for a reply it should have: its dedupe key (the gateway's message id) exists.
      if (p.reply !== null && row === null) return null;
      return { ...p, row };
    });
    const moRows = stored.flatMap((p) => {
      if (p === null) return [];
      const { mo, phone, sender } = p.item;
      return [
        {
          gateway: mo.gateway,
          gateway_message_id: mo.messageId,
          sender,
          sender_e164: phone.problem === null ? phone.e164 : null,
          short_code: mo.to.trim() || this.config.lookup.shortCode,
          text: mo.text.slice(0, 2000),
          outcome: p.answer.outcome,
          parsed_code: p.answer.code,
          dossier_id: p.answer.dossier === null ? null : p.answer.dossier.id,
          fee_vnd: lookupFeeVnd(mo.gateway, this.config.lookup.feeVnd),
          // What leaves is the prepared text (folded unless the agency sends Unicode), whichever way it leaves.
          reply: p.row === null ? null : p.row.body,
          reply_notification_id: p.row === null ? null : p.row.id,
          received_at: mo.receivedAt ?? now,
          created_at: now,
        },
      ];
    });
    const insertedIds = new Set<string>();
    if (moRows.length > 0) {
      for (const row of await hot(tx).insertInbound(tx, moRows))
        if (row.gateway_message_id !== null) insertedIds.add(`${row.gateway}\u0000${row.gateway_message_id}`);
    }

    const results: InboundResult[] = [];
    for (const p of stored) {
      const i = results.length;
      const mo = items[i]!.mo;
      const key = idKey(mo);
      if (p === null || (key !== null && !insertedIds.has(key))) {
        results.push(await this.stored(tx, mo));
        continue;
      }
      if (p.row?.status === 'sending') claimed.push(p.row);
      results.push({
        outcome: p.answer.outcome,
        reply: p.row === null ? null : p.row.body,
        duplicate: false,
        notificationId: p.row === null ? null : p.row.id,
      });
    }
    return results;
  }

  /** The reply's row: back to the MO's source. The carrier that delivered the MO routes the answer: it
   *  goes back to the address as given (a short code, "456", a national number …); only a number
   *  without SMPP addressing (an HTTP gateway) is written in its +84 form when it is one. */
  private replyRow(
    { mo, phone, sender, replyKey }: PreparedMo,
    answer: PreparedMo['answer'] | ReturnType<LookupService['rateLimited']>,
    now: number,
    claimUntil: number | null,
  ) {
    const smpp = mo.fromTon !== undefined && mo.fromTon !== null && mo.fromNpi !== undefined && mo.fromNpi !== null;
    return this.outbox.lookupReply({
      dedupeKey: replyKey,
      to: smpp ? mo.from.trim() : sender,
      address: smpp ? { ton: mo.fromTon!, npi: mo.fromNpi! } : null,
      carrier: phone.carrier,
      text: answer.reply ?? '',
      encoding: answer.encoding,
      dossier: answer.dossier === null ? null : { id: answer.dossier.id, agencyCode: answer.dossier.agency_code },
      viaResponse: mo.replyVia === 'response' || mo.gateway === SIMULATOR_GATEWAY ? { gateway: mo.gateway } : null,
      claimUntil,
      now,
    });
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
      notificationId: seen.reply_notification_id === null ? null : seen.reply_notification_id,
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
  simulatorConversation(userId: number, phone: string, limit = 30): Promise<ThreadEntry[]> {
    return simulatorThread(this.db, userId, phone, limit);
  }

  /** The notification SMS `phone` received, of `agencyCode`'s dossiers when given (the phone simulator's inbox). */
  simulatorInbox(phone: string, agencyCode: string | null, limit = 20): Promise<InboxEntry[]> {
    return simulatorInbox(this.db, phone, agencyCode, limit);
  }

  /** Numbers throttled right now and why, for administrators. */
  throttled(): Promise<ThrottledNumber[]> {
    return throttledNumbers(this.db, this.clock.now(), this.config.lookup);
  }

  /** Answers a parsed MO from its dossier (read for the whole group) and its agency: outside the
   *  transaction, which on SQLite holds the only connection (reference data comes from the cached services). */
  private async prepare(parsed: ReturnType<typeof parseMo>, dossiers: ReadonlyMap<string, DossierRow>, now: number) {
    const { keyword, shortCode } = this.config.lookup;
    const common = { lookupSyntax: lookupSyntax(keyword, shortCode), shortCode };
    if (parsed.kind === 'bad_syntax') {
      const fitted = fitOneSegment('lookup_bad_syntax', {}, common, 'ascii');
      return { outcome: 'bad_syntax' as const, code: null, dossier: null, encoding: fitted.encoding, reply: fitted.text };
    }
    const dossier = dossiers.get(receiptKey(parsed.code)) ?? null;
    if (!dossier) {
      const fitted = fitOneSegment('lookup_not_found', {}, { ...common, receiptCode: parsed.code }, 'ascii');
      return { outcome: 'not_found' as const, code: parsed.code, dossier: null, encoding: fitted.encoding, reply: fitted.text };
    }
    const [agency, procedure] = await Promise.all([this.agencies.get(dossier.agency_code), this.procedures.get(dossier.procedure_code)]);
    const overrides = agency?.settings.templates ?? {};
    const kind = dossier.state === 'returned' ? 'lookup_returned' : dossier.state === 'result_ready' ? 'lookup_finished' : 'lookup_reply';
    const vars = dossierVars(dossier, agency?.name ?? dossier.agency_code, procedure?.name ?? '', now, shortCode, keyword);
    const fitted = fitOneSegment(kind, overrides, { ...vars, ...common }, agency?.settings.smsEncoding ?? 'ascii');
    return { outcome: 'found' as const, code: parsed.code, dossier, encoding: fitted.encoding, reply: fitted.text };
  }

  private rateLimited() {
    const { keyword, shortCode, replyWhenRateLimited } = this.config.lookup;
    return {
      outcome: 'rate_limited' as const,
      code: null,
      dossier: null,
      encoding: 'ascii' as SmsEncoding,
      reply: replyWhenRateLimited
        ? fitOneSegment('lookup_rate_limited', {}, { lookupSyntax: lookupSyntax(keyword, shortCode), shortCode }, 'ascii').text
        : null,
    };
  }
}

export type { NotificationRow };
