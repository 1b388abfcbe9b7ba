import type { Logger } from 'pino';
import { transaction, type Db, type DbHandle } from '../../platform/db/database.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config/config.js';
import type { Metrics } from '../../platform/metrics.js';
import { ProviderError, type SendOutcome } from '../../providers/provider.js';
import type { ProviderRouter } from '../../providers/provider.router.js';
import type { Signal } from '../../platform/db/signal.js';
import { PollLoop } from '../../platform/poll-loop.js';
import { GroupCommit } from '../../platform/db/group-commit.js';
import { dbFailureOf } from '../../platform/db/failure.js';
import { withTimeout } from '../../lib/async.js';

import type { NotificationRow } from '../notification.repository.js';
import type { DispatchSizing } from './dispatch-sizing.js';
import { claimDue, giveBack, markFailed, markSent, renewLease, retryLater, type FailedItem, type SentItem } from './queue.sql.js';
import { lockReceiptIds, type ReceiptService } from '../receipts/receipt.service.js';
import type { StatusCallbackService } from '../callbacks/status-callback.service.js';

/** The dispatcher's part of the configuration (its `enabled` is the CLI's to decide), sized (dispatch-sizing.ts). */
export type DispatcherOptions = Omit<Config['dispatcher'], 'enabled' | 'batchSize' | 'concurrency'> & DispatchSizing;

const POKE_DELAY_MS = 20;
/** Sent updates per transaction at most (one UPDATE whatever the size; see queue.sql.ts markSent). */
const SENT_GROUP_MAX = 1_000;
/** Sent and failed updates commit as the operator chose for the notification path (MOTCUA_PG_SYNCHRONOUS_COMMIT_NOTIFICATIONS). */
const NOTIFICATION_PATH = { notificationPath: true } as const;
/** A rate-limited provider is waited for up to this long; a longer wait defers the message instead. */
const MAX_RATE_WAIT_MS = 1_000;

/** What happens after Zalo notifications fail for good: their SMS replacements (plan/zalo.channel.ts). */
export interface FailureFollowUp {
  afterFailure(tx: DbHandle, rows: readonly NotificationRow[], now: number): Promise<void>;
}
/** A send that never reached the provider is tried again after this, without spending an attempt. */
const NOT_ATTEMPTED_RETRY_MS = 1_000;

/** Exponential backoff with full jitter: 5 s, 10 s, 20 s … capped at 30 min. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(30 * 60_000, 5_000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Claims due messages atomically and hands them to a provider.
 *
 * A claim moves rows to `sending` and pushes `next_attempt_at` one lease into the future, so a row whose
 * worker died is claimable again when the lease runs out. The only window for a duplicate is between the
 * provider accepting a message and the `sent` update committing (a crash there, or a provider call slower
 * than the lease — sends are timed out at half the lease to prevent the latter, and a row that waited in its
 * batch is sent only with at least half a lease left, renewed if need be). SMPP and the HTTP APIs
 * have no idempotency key to close that window. It is milliseconds wide, but a crash inside it re-sends every
 * message whose send finished and whose update had not committed — up to `concurrency` of them.
 */
export class Dispatcher {
  private readonly loop: PollLoop;
  private readonly sentGroups: GroupCommit<SentItem, boolean>;
  private readonly failedGroups: GroupCommit<FailedItem, undefined>;

  private unsubscribe: (() => void) | null = null;
  private started = false;
  /** Fast-path sends under way, awaited by stop(). */
  private readonly handedOff = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly db: Db,
    private readonly router: ProviderRouter,
    private readonly receipts: ReceiptService,
    private readonly callbacks: StatusCallbackService,
    private readonly options: DispatcherOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    /** Rung by the outbox when rows are added, in this process or (PostgreSQL) another. */
    private readonly outboxSignal: Signal,
    /** Zalo → SMS fallback, in the transaction that fails the Zalo notification; null without Zalo. */
    private readonly followUp: FailureFollowUp | null = null,
  ) {
    // Not capped at the concurrency: the look-up fast path has as many sends in flight as MOs, and on
    // SQLite each group waits its turn behind the MO groups, so the updates that piled up meanwhile go in one.
    this.sentGroups = new GroupCommit((group) => this.recordSentGroup(group), {
      maxSize: Math.max(options.concurrency, SENT_GROUP_MAX),
      delayMs: 2,
    });
    this.failedGroups = new GroupCommit((group) => this.recordFailedGroup(group), { maxSize: options.concurrency, delayMs: 2 });
    this.loop = new PollLoop(
      () => this.runOnce(),
      { pollMs: options.pollMs, pokeDelayMs: POKE_DELAY_MS, label: 'dispatcher batch' },
      logger,
    );
  }

  async claim(limit: number): Promise<NotificationRow[]> {
    const now = this.clock.now();
    const leaseUntil = now + this.options.leaseSeconds * 1000;
    return claimDue(this.db, limit, now, leaseUntil);
  }

  /** Claims and sends one batch; returns how many messages it handled. */
  async runOnce(): Promise<number> {
    const rows = await this.claim(this.options.batchSize);
    if (rows.length === 0) return 0;
    let next = 0;
    // Set when a send of this batch could not be recorded (the database failed): no further send starts,
    // since each would be one more message sent but not recorded, to be sent again after its lease. So
    // an outage duplicates at most the sends already in flight, `concurrency` of them.
    let failed = false;
    const workers = Array.from({ length: Math.min(this.options.concurrency, rows.length) }, async () => {
      while (next < rows.length && !failed) {
        const row = rows[next++]!;
        try {
          // Shutting down: what was claimed and not started goes back to the queue at once.
          if (this.stopping) await this.releaseClaim(row);
          else await this.process(row);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    });
    // Every send of the batch settles before the loop goes on (or backs off, when the database failed):
    // rows left unprocessed stay claimed and are claimed again when their lease ends; none is lost.
    const rejected = (await Promise.allSettled(workers)).find((r) => r.status === 'rejected');
    if (rejected) throw rejected.reason;
    return rows.length;
  }

  private async process(row: NotificationRow): Promise<void> {
    let pick = this.router.pick(row);
    while (pick && pick.waitMs > 0 && pick.waitMs <= MAX_RATE_WAIT_MS) {
      await new Promise((resolve) => setTimeout(resolve, pick!.waitMs));
      pick = this.router.pick(row);
    }
    if (!pick) {
      await this.finishFailed(
        row,
        'no_provider',
        `No provider for channel ${row.channel}${row.carrier ? ` and carrier ${row.carrier}` : ''}`,
      );
      return;
    }
    if (pick.waitMs > 0) {
      await this.defer(row, pick.waitMs);
      return;
    }
    const provider = pick.provider;
    const sendTimeoutMs = (this.options.leaseSeconds * 1000) / 2;
    if (!(await this.holdLease(row, sendTimeoutMs))) return;
    // The lease covers at least half a lease from here (holdLease), on the wall clock the database compares.
    const sendStarted = Date.now();
    let outcome: SendOutcome;
    try {
      outcome = await withTimeout(
        provider.send({
          id: row.id,
          kind: row.kind,
          channel: row.channel,
          to: row.to_address ?? '',
          toTon: row.to_ton,
          toNpi: row.to_npi,
          from: row.sender,
          // A Zalo notification sends its template payload; its body is the SMS text a fallback would use.
          body: row.channel === 'zalo' && row.payload !== null ? row.payload : (row.body ?? ''),
          encoding: row.encoding,
          segments: row.segments,
          carrier: row.carrier,
        }),
        sendTimeoutMs,
        () => new ProviderError(`provider did not answer within ${sendTimeoutMs} ms`, true, 'timeout'),
      );
    } catch (error) {
      const failure = error instanceof ProviderError ? error : new ProviderError(String(error), true, 'provider_error');
      // The provider's own send is still running; the base reports it when it settles, this reports the wait.
      if (failure.reason === 'timeout') this.router.report(provider, 'retryable', sendTimeoutMs, 'timeout');
      await this.recordFailure(row, failure);
      return;
    }
    try {
      if (!(await this.recordSentWhileLeased(row, provider.name, outcome, sendStarted + sendTimeoutMs))) {
        this.logger.warn({ notificationId: row.id }, 'lease lost before the sent update: another worker re-claimed the message');
      }
      this.metrics.notificationsFinal.inc({ kind: row.kind, status: outcome.status });
    } catch (error) {
      // The provider has the message; when its lease ends the row is claimed and sent again.
      const failure = dbFailureOf(error);
      if (failure) {
        this.logger.warn(
          { notificationId: row.id, reason: failure.kind },
          'sent but not recorded (database unavailable): the message will be sent again',
        );
        // The batch stops starting sends (runOnce): the database is down.
        throw error;
      }
      this.logger.error({ notificationId: row.id, err: error }, 'sent but not recorded: the message will be sent again');
    }
  }

  /**
   * The provider accepted the message; a database outage must not turn that into a second send. The
   * `sent` update is retried until it commits or the row's lease is about to end (after which another
   * worker may claim the row, and the update, conditional on this claim, could no longer apply anyway).
   */
  private async recordSentWhileLeased(row: NotificationRow, provider: string, outcome: SendOutcome, leasedUntil: number): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.recordSent(row, provider, outcome);
      } catch (error) {
        const waitMs = Math.min(2_000, 100 * 2 ** (attempt - 1));
        if (!dbFailureOf(error) || Date.now() + waitMs >= leasedUntil - 500) throw error;
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }

  private async recordFailure(row: NotificationRow, failure: ProviderError): Promise<void> {
    const now = this.clock.now();
    const tooOld = now - row.created_at > this.options.maxAgeSeconds * 1000;
    if (failure.retryable && !failure.attempted && !tooOld) {
      await this.release(row, failure);
      return;
    }
    if (!failure.retryable || row.attempts >= this.options.maxAttempts || tooOld) {
      await this.finishFailed(row, failure.retryable ? `gave_up:${failure.reason}` : failure.reason, failure.message);
      return;
    }
    await retryLater(this.db, row, now, now + retryDelayMs(row.attempts), failure.message);
  }

  /**
   * Accepted messages are recorded in groups (see GroupCommit): the group's UPDATE, part ids and
   * early receipts in one transaction. The duplicate window (accepted, not yet recorded) grows by the
   * group's wait, 2 ms at most.
   */
  private recordSent(row: NotificationRow, provider: string, outcome: SendOutcome): Promise<boolean> {
    return this.sentGroups.submit({ row, provider, outcome });
  }

  private recordSentGroup(group: readonly SentItem[]): Promise<boolean[]> {
    const now = this.clock.now();
    return transaction(
      this.db,
      async (tx) => {
        await lockReceiptIds(
          tx,
          group
            .filter(({ outcome }) => outcome.status === 'sent')
            .map(({ provider, outcome }) => ({
              provider,
              ids: outcome.partIds ?? (outcome.providerMessageId ? [outcome.providerMessageId] : []),
            })),
        );
        const marked = new Map((await markSent(tx, group, now)).map((row) => [row.id, row]));
        await this.receipts.recordParts(
          tx,
          group
            .filter(({ row, outcome }) => outcome.status === 'sent' && marked.has(row.id))
            .map(({ row, provider, outcome }) => ({
              notificationId: row.id,
              provider,
              ids: outcome.partIds ?? (outcome.providerMessageId ? [outcome.providerMessageId] : []),
            })),
          now,
        );
        for (const sent of marked.values()) if (sent.status === 'delivered') await this.callbacks.enqueue(tx, sent, now);
        return group.map(({ row }) => marked.has(row.id));
      },
      NOTIFICATION_PATH,
    );
  }

  /**
   * A row can wait in its batch longer than the lease (a batch larger than the concurrency and a slow
   * provider): never start a send that could outlive the lease, or another worker re-claims the row and
   * both send it. Renews the lease when less than `needMs` is left; false when the row is no longer ours.
   */
  private async holdLease(row: NotificationRow, needMs: number): Promise<boolean> {
    const now = this.clock.now();
    if (row.lease_until !== null && row.lease_until - now >= needMs) return true;
    const leaseUntil = now + this.options.leaseSeconds * 1000;
    if (!(await renewLease(this.db, row, now, leaseUntil))) {
      this.logger.warn({ notificationId: row.id }, 'lease lost before sending: another worker re-claimed the message');
      return false;
    }
    return true;
  }

  /**
   * The message never reached the provider (a local queue timeout, a session down or closing, a throttle
   * refusal): it goes back to the queue at once without spending an attempt (a closing session's
   * messages are taken by another worker straight away).
   */
  private async release(row: NotificationRow, failure: ProviderError): Promise<void> {
    const now = this.clock.now();
    const waitMs = failure.reason === 'session_closing' ? 0 : NOT_ATTEMPTED_RETRY_MS;
    await giveBack(this.db, row, now, now + waitMs, failure.message);
  }

  /** A claimed row this process will not send (shutting down): back to pending at once, the attempt not spent. */
  private async releaseClaim(row: NotificationRow): Promise<void> {
    const now = this.clock.now();
    await giveBack(this.db, row, now, now);
  }

  /** Every provider for the message is at its rate limit for a while: try later without spending an attempt. */
  private async defer(row: NotificationRow, waitMs: number): Promise<void> {
    const now = this.clock.now();
    await giveBack(this.db, row, now, now + waitMs);
  }

  private async finishFailed(row: NotificationRow, reason: string, detail: string): Promise<void> {
    await this.failedGroups.submit({ row, reason, detail });
    this.metrics.notificationsFinal.inc({ kind: row.kind, status: 'failed' });
  }

  /**
   * Failures for good are recorded in groups too (a Zalo batch with many "not a Zalo user" answers):
   * the group's UPDATE, the agencies' status callbacks and the Zalo → SMS replacements in one transaction.
   */
  private recordFailedGroup(group: readonly FailedItem[]): Promise<undefined[]> {
    const now = this.clock.now();
    return transaction(
      this.db,
      async (tx) => {
        const failed = await markFailed(tx, group, now);
        for (const row of failed) await this.callbacks.enqueue(tx, row, now);
        const zalo = failed.filter((row) => row.channel === 'zalo');
        if (zalo.length > 0) await this.followUp?.afterFailure(tx, zalo, now);
        return group.map(() => undefined);
      },
      NOTIFICATION_PATH,
    );
  }

  /** The claim size and the sends in flight it runs with. */
  get sizing(): DispatchSizing {
    return { concurrency: this.options.concurrency, batchSize: this.options.batchSize };
  }

  /** True between start() and stop(): rows handed to this dispatcher get sent. */
  get running(): boolean {
    return this.started;
  }

  /**
   * The look-up fast path: rows committed already claimed by this process (status `sending`, one
   * attempt, leased) are sent at once, as a claimed batch would be, with no poll and no claim round
   * trip. A row whose send is lost (crash, stop) is claimed again when its lease runs out.
   */
  sendClaimed(rows: readonly NotificationRow[]): void {
    for (const row of rows) {
      const work = this.process(row).catch((error: unknown) => {
        const failure = dbFailureOf(error);
        this.logger[failure ? 'warn' : 'error'](
          { notificationId: row.id, ...(failure ? { reason: failure.kind } : { err: error }) },
          'fast-path send failed: the message is claimed again when its lease ends',
        );
      });
      this.handedOff.add(work);
      void work.finally(() => this.handedOff.delete(work));
    }
  }

  start(): void {
    this.started = true;
    this.stopping = false;
    this.unsubscribe ??= this.outboxSignal.subscribe(() => this.loop.poke());
    this.outboxSignal.start();
    this.loop.start();
  }

  /**
   * Stops claiming; claimed rows not yet started are released at once (see runOnce), and the sends in
   * flight are waited for (the providers, closed alongside, answer or release them).
   */
  async stop(): Promise<void> {
    this.started = false;
    this.stopping = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.loop.stop();
    await Promise.allSettled([...this.handedOff]);
    // Nothing is in flight any more: a later runOnce (a test, a restart) claims as usual.
    this.stopping = false;
  }
}
