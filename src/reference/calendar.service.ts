import type { Db, DbHandle } from '../platform/db/database.js';
import { deleteCalendarDay, listCalendarDays, upsertCalendarDay } from './calendar.repository.js';
import type { CalendarDay } from '../lib/calendar/holidays.js';
import { WorkingCalendar, parseOfficeHours } from '../lib/calendar/working-calendar.js';

/** Holds the working calendar in memory (a few hundred rows), rebuilt after a change or every 30 s,
 *  so that a correction made by another process is seen soon. */
export class CalendarService {
  private days: CalendarDay[] | null = null;
  private loadedAt = 0;
  private byHours = new Map<string, WorkingCalendar>();

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 30_000,
  ) {}

  /** `officeHours` as an agency stores it, e.g. "07:00-11:30,13:30-17:00". `via`: the open transaction
   *  when called inside one (on SQLite a read through `this.db` would wait for its only connection). */
  async calendar(officeHours: string, via: DbHandle = this.db): Promise<WorkingCalendar> {
    const now = Date.now();
    if (!this.days || now - this.loadedAt > this.ttlMs) {
      this.days = await listCalendarDays(via);
      this.loadedAt = now;
      this.byHours.clear();
    }
    let calendar = this.byHours.get(officeHours);
    if (!calendar) {
      calendar = new WorkingCalendar(this.days, parseOfficeHours(officeHours));
      this.byHours.set(officeHours, calendar);
    }
    return calendar;
  }

  list(year: number): Promise<CalendarDay[]> {
    return listCalendarDays(this.db, year);
  }

  async put(day: CalendarDay, now: number): Promise<void> {
    await upsertCalendarDay(this.db, day, now);
    this.days = null;
  }

  async remove(date: string): Promise<boolean> {
    const removed = await deleteCalendarDay(this.db, date);
    this.days = null;
    return removed;
  }
}
