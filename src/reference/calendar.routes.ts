import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Clock } from '../platform/clock.js';
import type { CalendarService } from './calendar.service.js';
import { LocalDate, SafeText, errorResponses } from '../platform/http/schemas.js';
import { DEFAULT_SETTINGS } from './agency.settings.js';
import { notFound } from '../platform/errors.js';
import { addDays, isWeekend } from '../lib/calendar/zone.js';

const CalendarDayJson = Type.Object({ date: Type.String(), kind: Type.String(), name: Type.String() });

export interface CalendarRoutesDeps {
  readonly clock: Clock;
  readonly calendars: CalendarService;
}

export function calendarRoutes(deps: CalendarRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.put(
      '/api/v1/calendar/:date',
      {
        config: { roles: ['admin'] },
        schema: {
          summary: 'Mark a date as a holiday (weekday off) or a make-up working day (weekend worked)',
          tags: ['calendar'],
          params: Type.Object({ date: LocalDate }),
          body: Type.Object(
            { kind: Type.Union([Type.Literal('holiday'), Type.Literal('workday')]), name: SafeText(200) },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ day: CalendarDayJson, weekend: Type.Boolean() }), ...errorResponses },
        },
      },
      async (request) => {
        const day = { date: request.params.date, kind: request.body.kind, name: request.body.name.trim() };
        await deps.calendars.put(day, deps.clock.now());
        return { day, weekend: isWeekend(day.date) };
      },
    );

    app.delete(
      '/api/v1/calendar/:date',
      {
        config: { roles: ['admin'] },
        schema: {
          summary: 'Remove an entry: the date follows the Monday–Friday rule again',
          tags: ['calendar'],
          params: Type.Object({ date: LocalDate }),
          response: { 200: Type.Object({ removed: Type.Literal(true) }), ...errorResponses },
        },
      },
      async (request) => {
        if (!(await deps.calendars.remove(request.params.date))) throw notFound(`ngày ${request.params.date} trong lịch làm việc`);
        return { removed: true as const };
      },
    );

    app.get(
      '/api/v1/calendar',
      {
        config: { roles: ['admin', 'oversight', 'agency'] },
        schema: {
          summary: 'Holidays and make-up working days of a year',
          tags: ['calendar'],
          querystring: Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100 }) }, { additionalProperties: false }),
          response: {
            200: Type.Object({ year: Type.Integer(), workingDays: Type.Integer(), days: Type.Array(CalendarDayJson) }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { year } = request.query;
        const [days, calendar] = await Promise.all([deps.calendars.list(year), deps.calendars.calendar(DEFAULT_SETTINGS.officeHours)]);
        let workingDays = 0;
        for (let date = `${year}-01-01`; date <= `${year}-12-31`; date = addDays(date, 1)) {
          if (calendar.isWorkingDay(date)) workingDays++;
        }
        return { year, workingDays, days };
      },
    );
  };
}
