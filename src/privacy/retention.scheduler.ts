import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/database.js';
import { dbFailureOf } from '../platform/db/failure.js';
import { addDays, fromLocal, localDate } from '../lib/calendar/zone.js';
import type { AuditService } from '../accounts/audit.service.js';
import type { RetentionCounts, RetentionService } from './retention.service.js';

export const RETENTION_JOB = 'retention';
/** 02:00 Asia/Ho_Chi_Minh: the quietest hour (no office hours, no quiet-hour releases). */
export const RETENTION_MINUTES = 2 * 60;
/** A claim not renewed for this long belongs to a process that died: another one takes the slot over. */
export const RETENTION_LEASE_MS = 10 * 60_000;

export const SYSTEM_ACTOR = { id: null, username: 'system' } as const;

/**
 * Runs the retention job once a day across every process, with the `scheduler_jobs` row the 17:30 batch
 * uses (its own row, "retention"): `last_slot` is the last local date whose 02:00 run finished. The job
 * runs in many short transactions, not in one, so the claim is a lease instead: a process claims the
 * slot by a conditional update of `last_run_at` (unclaimed, or the lease lapsed), renews it after each
 * batch, and sets `last_slot` when done. A process killed mid-job leaves the slot unfinished; after
 * the lease another process's minute tick resumes it (the job itself skips what is already done).
 */
export class RetentionScheduler {
  private cron: Cron | null = null;
  private outage = false;

  constructor(
    private readonly db: Db,
    private readonly retention: RetentionService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The local date of the latest 02:00 that has passed. */
  latestSlot(now: number): string {
    const today = localDate(new Date(now));
    return fromLocal(today, RETENTION_MINUTES).getTime() <= now ? today : addDays(today, -1);
  }

  /** Runs `slot` unless it is done or another live process holds it; null when it was not this one's to run. */
  async runSlot(slot: string): Promise<RetentionCounts | null> {
    await this.db.kysely
      .insertInto('scheduler_jobs')
      .values({ name: RETENTION_JOB, last_slot: null, last_run_at: null, last_result: null })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const claimedAt = this.clock.now();
    const claimed = await this.db.kysely
      .updateTable('scheduler_jobs')
      .set({ last_run_at: claimedAt })
      .where('name', '=', RETENTION_JOB)
      .where((eb) => eb.or([eb('last_slot', 'is', null), eb('last_slot', '<', slot)]))
      .where((eb) => eb.or([eb('last_run_at', 'is', null), eb('last_run_at', '<', claimedAt - RETENTION_LEASE_MS)]))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) return null;
    const asOf = fromLocal(slot, RETENTION_MINUTES).getTime();
    const counts = await this.retention.run(asOf, claimedAt, {
      onBatch: async () => {
        await this.db.kysely
          .updateTable('scheduler_jobs')
          .set({ last_run_at: this.clock.now() })
          .where('name', '=', RETENTION_JOB)
          .execute();
      },
    });
    await this.db.kysely
      .updateTable('scheduler_jobs')
      .set({ last_slot: slot, last_run_at: this.clock.now(), last_result: JSON.stringify(counts) })
      .where('name', '=', RETENTION_JOB)
      .execute();
    await this.audit.record(SYSTEM_ACTOR, {
      action: 'privacy.retention',
      entity: 'privacy',
      entityId: slot,
      after: { asOf: slot, counts },
    });
    return counts;
  }

  async tick(): Promise<RetentionCounts | null> {
    const slot = this.latestSlot(this.clock.now());
    const counts = await this.runSlot(slot);
    if (counts) this.logger.info({ slot, ...counts }, 'retention job ran');
    return counts;
  }

  start(): void {
    const run = async (): Promise<void> => {
      try {
        await this.tick();
        if (this.outage) this.logger.info('retention scheduler resumed');
        this.outage = false;
      } catch (error) {
        const failure = dbFailureOf(error);
        if (!failure) this.logger.error({ err: error }, 'retention job failed');
        else if (!this.outage) this.logger.warn({ reason: failure.kind }, 'retention: database unavailable, trying again every minute');
        this.outage = failure !== null;
      }
    };
    void run();
    this.cron = new Cron('* * * * *', { timezone: 'Asia/Ho_Chi_Minh', protect: true }, run);
  }

  stop(): void {
    this.cron?.stop();
  }
}
