import type { DbHandle as Db } from '../platform/db/database.js';
import type { CalendarDay } from '../lib/calendar/holidays.js';

export async function listCalendarDays(db: Db, year?: number): Promise<CalendarDay[]> {
  let query = db.kysely.selectFrom('calendar_days').select(['date', 'kind', 'name']).orderBy('date');
  if (year !== undefined) query = query.where('date', '>=', `${year}-01-01`).where('date', '<=', `${year}-12-31`);
  return query.execute();
}

export async function upsertCalendarDay(db: Db, day: CalendarDay, now: number): Promise<void> {
  await db.kysely
    .insertInto('calendar_days')
    .values({ ...day, updated_at: now })
    .onConflict((oc) => oc.column('date').doUpdateSet({ kind: day.kind, name: day.name, updated_at: now }))
    .execute();
}

export async function deleteCalendarDay(db: Db, date: string): Promise<boolean> {
  const result = await db.kysely.deleteFrom('calendar_days').where('date', '=', date).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
