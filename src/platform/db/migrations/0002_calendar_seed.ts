import type { Kysely } from 'kysely';
import { defaultCalendarRange } from '../../../lib/calendar/holidays.js';

/** Seeds 2020–2030 with the Labour Code holidays and the announced civil-service schedules;
 *  administrators correct the data per year through PUT /api/v1/calendar/{date}. */
export async function up(db: Kysely<any>): Promise<void> {
  const now = Date.now();
  const rows = defaultCalendarRange(2020, 2030).map((d) => ({ date: d.date, kind: d.kind, name: d.name, updated_at: now }));
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('calendar_days')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.column('date').doNothing())
      .execute();
  }
}
