import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { DossierService } from './dossier.service.js';
import type { DossierQueryService } from './dossier.query.service.js';
import { principalOf } from '../platform/http/auth.js';
import { Code, Instant, ReceiptCode, SafeText, errorResponses } from '../platform/http/schemas.js';
import { agencyScope } from '../platform/principal.js';
import { badRequest } from '../platform/errors.js';
import { DOSSIER_STATES, EVENT_TYPES } from './dossier.state-machine.js';

const nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

const IntakeBody = Type.Object(
  {
    receiptCode: ReceiptCode,
    agencyCode: Code,
    procedureCode: Code,
    applicant: Type.Object(
      {
        name: SafeText(200),
        phone: Type.Optional(nullable(Type.String({ maxLength: 40 }))),
        email: Type.Optional(nullable(Type.String({ format: 'email', maxLength: 254 }))),
      },
      { additionalProperties: false },
    ),
    receivedAt: Type.Optional(Instant),
    dueAt: Type.Optional(Instant),
    returnMethod: Type.Optional(Type.Union([Type.Literal('counter'), Type.Literal('postal'), Type.Literal('online')])),
    submittedVia: Type.Optional(
      Type.Union([Type.Literal('counter'), Type.Literal('online'), Type.Literal('postal')], {
        description: 'How the dossier was filed (extension): online and postal filings may get a receipt confirmation.',
      }),
    ),
  },
  { additionalProperties: false },
);

const EventBody = Type.Object(
  {
    type: Type.Union(EVENT_TYPES.map((t) => Type.Literal(t))),
    step: Type.Optional(SafeText(200)),
    at: Type.Optional(Instant),
    eventId: Type.Optional(SafeText(100)),
    dueAt: Type.Optional(Instant),
    note: Type.Optional(SafeText(1000, 0)),
  },
  { additionalProperties: false },
);

const EventJson = Type.Object({
  seq: Type.Integer(),
  type: Type.String(),
  step: Type.Union([Type.String(), Type.Null()]),
  at: Type.String(),
  eventId: Type.Union([Type.String(), Type.Null()]),
  state: Type.String(),
  dueAt: Type.String(),
});

const DossierWithNotifications = Type.Intersect([
  Type.Ref('Dossier'),
  Type.Object({ notifications: Type.Array(Type.Ref('Notification')) }),
]);
const DossierDetail = Type.Intersect([
  Type.Ref('Dossier'),
  Type.Object({ events: Type.Array(EventJson), notifications: Type.Array(Type.Ref('Notification')) }),
]);

export interface DossierRoutesDeps {
  readonly dossiers: DossierService;
  readonly dossierQueries: DossierQueryService;
}

export function dossierRoutes(deps: DossierRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/api/v1/dossiers',
      {
        config: { roles: ['admin', 'agency'] },
        schema: {
          summary: 'Intake a dossier (idempotent on receiptCode)',
          description:
            "A receipt code carrying another agency's prefix (settings.receiptPrefixes) is refused with 403 RECEIPT_PREFIX_MISMATCH, except for that agency and admins; an agency with prefixes must use one of them (400 RECEIPT_PREFIX_REQUIRED). Dates must fall in 2000–2100; a string holding a control character (NUL …) is a 400 naming the field.",
          tags: ['dossiers'],
          body: IntakeBody,
          response: { 200: DossierWithNotifications, 201: DossierWithNotifications, ...errorResponses },
        },
      },
      async (request, reply) => {
        const result = await deps.dossiers.intake(principalOf(request), request.body);
        return reply.code(result.created ? 201 : 200).send({ ...result.dossier, notifications: result.notifications });
      },
    );

    app.get(
      '/api/v1/dossiers',
      {
        config: { roles: ['admin', 'oversight', 'agency'] },
        schema: {
          summary: 'Search dossiers by receipt code, phone or applicant name',
          tags: ['dossiers'],
          querystring: Type.Object(
            {
              agencyCode: Type.Optional(Code),
              q: Type.Optional(SafeText(100)),
              state: Type.Optional(Type.Union(DOSSIER_STATES.map((s) => Type.Literal(s)))),
              limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
              beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ items: Type.Array(Type.Ref('Dossier')) }), ...errorResponses },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const { agencyCode, ...query } = request.query;
        return { items: await deps.dossierQueries.search(principal, agencyScope(principal, agencyCode), query) };
      },
    );

    app.get(
      '/api/v1/dossiers/:receiptCode',
      {
        config: { roles: ['admin', 'oversight', 'agency'] },
        schema: {
          summary: 'A dossier with its events and notifications',
          tags: ['dossiers'],
          params: Type.Object({ receiptCode: ReceiptCode }),
          response: { 200: DossierDetail, ...errorResponses },
        },
      },
      async (request) => {
        const detail = await deps.dossierQueries.get(principalOf(request), request.params.receiptCode);
        return { ...detail.dossier, events: detail.events, notifications: detail.notifications };
      },
    );

    app.post(
      '/api/v1/dossiers/:receiptCode/events',
      {
        config: { roles: ['admin', 'agency'] },
        schema: {
          summary: 'Apply an event (idempotent with eventId)',
          tags: ['dossiers'],
          params: Type.Object({ receiptCode: ReceiptCode }),
          body: EventBody,
          response: {
            200: Type.Object({ dossier: Type.Ref('Dossier'), notifications: Type.Array(Type.Ref('Notification')) }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        if (request.body.type === 'step' && request.body.step === undefined) {
          throw badRequest('VALIDATION_FAILED', 'Sự kiện "step" cần tên bước ("step").', { field: 'step' });
        }
        const result = await deps.dossiers.applyEvent(principalOf(request), request.params.receiptCode, request.body);
        return result;
      },
    );
  };
}
