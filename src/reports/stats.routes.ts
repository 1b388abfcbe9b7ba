import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Clock } from '../platform/clock.js';
import { principalOf } from '../platform/http/auth.js';
import { Code, LocalDate, errorResponses } from '../platform/http/schemas.js';
import { agencyScope } from '../platform/principal.js';
import { badRequest } from '../platform/errors.js';
import { daysBetween, localDate } from '../lib/calendar/zone.js';
import { MAX_PERIOD_DAYS } from './period.js';
import type { StatsService } from './stats.service.js';

const Count = Type.Integer();
const StatsRowJson = Type.Object({
  agencyCode: Type.String(),
  procedureCode: Type.Optional(Type.String()),
  dossiersReceived: Count,
  dossiersResolved: Count,
  resolvedOnTime: Count,
  resolvedLate: Count,
  supplementRequests: Count,
  messages: Type.Object({ created: Count, sent: Count, delivered: Count, failed: Count, cancelled: Count, pending: Count, unknown: Count }),
  messagesByKind: Type.Record(Type.String(), Count),
  failedByReason: Type.Record(Type.String(), Count),
  lookups: Count,
  lookupRevenueVnd: Type.Number(),
  webLookups: Type.Integer({
    minimum: 0,
    description: 'Look-ups on the web (/tra-cuu, GET /api/v1/lookup): no fee, not in `lookups` (an extension of API.md)',
  }),
  costVnd: Type.Number(),
  reach: Type.Union([Type.Number(), Type.Null()], {
    description: 'share of dossiers received in the period with a mobile number that can receive SMS',
  }),
  byChannel: Type.Record(
    Type.String(),
    Type.Object({ created: Count, sent: Count, delivered: Count, failed: Count, costVnd: Type.Number() }),
    { description: 'Messages and their cost per channel: sms, zalo, email' },
  ),
  zalo: Type.Object(
    {
      deliveredByZalo: Count,
      smsFallbacks: Count,
      deliveredBySmsAfterFallback: Count,
      lateZaloDeliveries: Count,
      savedVnd: Type.Number({ description: 'What the Zalo messages sent would have cost by SMS, less what they cost' }),
    },
    { description: 'Zalo first, SMS as the fallback' },
  ),
  reconciliation: Type.Object({
    resolved: Count,
    resultMessagesDelivered: Count,
    resultMessagesUnknown: Count,
    resolvedWithoutDeliveredResult: Count,
  }),
});

export interface StatsRoutesDeps {
  readonly clock: Clock;
  readonly stats: StatsService;
}

export function statsRoutes(deps: StatsRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/v1/stats',
      {
        config: { roles: ['admin', 'oversight', 'agency'] },
        schema: {
          summary: 'Oversight figures for a period (local dates, inclusive)',
          tags: ['oversight'],
          querystring: Type.Object(
            {
              from: Type.Optional(LocalDate),
              to: Type.Optional(LocalDate),
              groupBy: Type.Union([Type.Literal('agency'), Type.Literal('procedure')], { default: 'agency' }),
              agencyCode: Type.Optional(Code),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              from: Type.String(),
              to: Type.String(),
              groupBy: Type.String(),
              rows: Type.Array(StatsRowJson),
              lookupsUnattributed: Type.Object({ lookups: Count, lookupRevenueVnd: Type.Number(), webLookups: Count }),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const today = localDate(new Date(deps.clock.now()));
        const to = request.query.to ?? today;
        const from = request.query.from ?? `${to.slice(0, 8)}01`;
        if (from > to) throw badRequest('VALIDATION_FAILED', '"from" phải trước hoặc bằng "to".', { field: 'from' });
        if (daysBetween(from, to) > MAX_PERIOD_DAYS)
          throw badRequest('VALIDATION_FAILED', 'Khoảng thời gian tối đa 3 năm.', { field: 'to' });
        return deps.stats.compute({
          from,
          to,
          groupBy: request.query.groupBy,
          agencyCode: agencyScope(principalOf(request), request.query.agencyCode),
        });
      },
    );
  };
}
