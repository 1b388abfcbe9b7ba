import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Db } from '../../platform/db/database.js';
import { transaction } from '../../platform/db/database.js';
import { dbFailureOf } from '../../platform/db/failure.js';
import type { Clock } from '../../platform/clock.js';
import type { CalendarService } from '../../reference/calendar.service.js';
import { DEFAULT_SETTINGS } from '../../reference/agency.settings.js';
import { addDays, fromLocal, localDate } from '../../lib/calendar/zone.js';
import type { ApologyResult, ApologyService } from './apology.service.js';
import type { OverdueWarningService } from './overdue-warning.service.js';

export const APOLOGY_JOB = 'apology';
export const APOLOGY_MINUTES = 17 * 60 + 30;

/**
 * Fires the 17:30 apology batch once per working day across every process: the `scheduler_jobs` row
 * holds the last slot (a local date) that ran, and a process runs a slot only if its conditional update
 * of that row succeeds — in the same transaction as the batch, so a crash leaves the slot unclaimed.
 * A process that starts after a missed 17:30 catches up while the apology can still arrive before the due date.
 */
export class Scheduler {
  private cron: Cron | null = null;
  private outage = false;

  constructor(
    private readonly db: Db,
    private readonly calendars: CalendarService,
    private readonly apologies: ApologyService,
    private readonly overdueWarnings: OverdueWarningService,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The most recent working day whose 17:30 has passed, if its due date is still ahead. */
  async latestSlot(now: number): Promise<string | null> {
    const calendar = await this.calendars.calendar(DEFAULT_SETTINGS.officeHours);
    const today = localDate(new Date(now));
    for (let back = 0; back < 14; back++) {
      const day = addDays(today, -back);
      if (!calendar.isWorkingDay(day) || fromLocal(day, APOLOGY_MINUTES).getTime() > now) continue;
      return calendar.nextWorkingDay(day) >= today ? day : null;
    }
    return null;
  }

  /** Runs the batch for `slot` unless some process already did; returns null when it was not this one's to run. */
  async runSlot(slot: string, asOf: number): Promise<ApologyResult | null> {
    await this.db.kysely
      .insertInto('scheduler_jobs')
      .values({ name: APOLOGY_JOB, last_slot: null, last_run_at: null, last_result: null })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    return transaction(this.db, async (tx) => {
      const now = this.clock.now();
      const claimed = await tx.kysely
        .updateTable('scheduler_jobs')
        .set({ last_slot: slot, last_run_at: now })
        .where('name', '=', APOLOGY_JOB)
        .where((eb) => eb.or([eb('last_slot', 'is', null), eb('last_slot', '<', slot)]))
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) return null;
      const result = await this.apologies.run(tx, asOf, now);
      await tx.kysely
        .updateTable('scheduler_jobs')
        .set({ last_result: JSON.stringify(result) })
        .where('name', '=', APOLOGY_JOB)
        .execute();
      return result;
    });
  }

  async tick(): Promise<ApologyResult | null> {
    const now = this.clock.now();
    const slot = await this.latestSlot(now);
    if (!slot) return null;
    const result = await this.runSlot(slot, fromLocal(slot, APOLOGY_MINUTES).getTime());
    if (result) this.logger.info({ slot, ...result }, 'apology batch ran');
    return result;
  }

  start(): void {
    const run = async (): Promise<void> => {
      try {
        await this.tick();
        const warned = await this.overdueWarnings.run(this.clock.now());
        if (warned > 0) this.logger.info({ created: warned }, 'overdue warnings created');
        if (this.outage) this.logger.info('scheduler resumed');
        this.outage = false;
      } catch (error) {
        // A database outage is logged once (the database's health says what it is); the next minute tries again.
        const failure = dbFailureOf(error);
        if (!failure) this.logger.error({ err: error }, 'scheduler tick failed');
        else if (!this.outage) this.logger.warn({ reason: failure.kind }, 'scheduler: database unavailable, trying again every minute');
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
