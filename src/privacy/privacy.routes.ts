import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Clock } from '../platform/clock.js';
import { principalOf } from '../platform/http/auth.js';
import { Instant, errorResponses } from '../platform/http/schemas.js';
import { badRequest } from '../platform/errors.js';
import type { Principal } from '../platform/principal.js';
import type { AuditActor, AuditService } from '../accounts/audit.service.js';
import type { RetentionService } from './retention.service.js';
import type { DataSubjectService } from './data-subject.service.js';
import { NOTICE_PATH, renderNotice } from './notice.page.js';
import { PRIVACY_LINK_PATH } from '../messages/plan/notification.templates.js';
import type { Config } from '../platform/config/config.js';
import type { SystemSettingsService } from '../reference/system-settings.service.js';

export interface PrivacyRoutesDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly retention: RetentionService;
  readonly dataSubjects: DataSubjectService;
  readonly systemSettings: SystemSettingsService;
}

/** Who an API call was, for the audit log: the token's id, or the admin token of the environment. */
export function apiActor(principal: Principal): AuditActor {
  return { id: null, username: principal.tokenId === null ? `api:${principal.role}` : `api:token-${principal.tokenId}` };
}

const Counts = Type.Object({
  dossiers: Type.Integer(),
  notifications: Type.Integer(),
  statusCallbacks: Type.Integer(),
  inbound: Type.Integer(),
  loginAttempts: Type.Integer(),
  sessions: Type.Integer(),
  auditAddresses: Type.Integer(),
});

const PhoneParam = Type.Object({
  phone: Type.String({ minLength: 1, maxLength: 40, description: 'In any format the phone check accepts' }),
});
const nullable = (schema: ReturnType<typeof Type.String>) => Type.Union([schema, Type.Null()]);
const S = Type.String();

const SubjectExport = Type.Object(
  {
    phone: S,
    dossiers: Type.Array(
      Type.Object({
        receiptCode: S,
        agencyCode: S,
        procedureCode: S,
        state: S,
        step: S,
        receivedAt: S,
        dueAt: S,
        finishedAt: nullable(S),
        returnedAt: nullable(S),
        name: nullable(S),
        phone: nullable(S),
        email: nullable(S),
        carrier: nullable(S),
        deidentifiedAt: nullable(S),
        eraseRequestedAt: nullable(S),
      }),
    ),
    notifications: Type.Array(
      Type.Object({
        id: Type.Integer(),
        receiptCode: nullable(S),
        agencyCode: nullable(S),
        kind: S,
        channel: S,
        to: nullable(S),
        status: S,
        createdAt: S,
        sentAt: nullable(S),
        deliveredAt: nullable(S),
        body: nullable(S),
      }),
    ),
    inbound: Type.Array(
      Type.Object({
        id: Type.Integer(),
        receivedAt: S,
        from: nullable(S),
        text: nullable(S),
        outcome: S,
        receiptCode: nullable(S),
        reply: nullable(S),
      }),
    ),
  },
  { $id: 'DataSubject' },
);

export function privacyRoutes(deps: PrivacyRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      NOTICE_PATH,
      { schema: { hide: true, querystring: Type.Object({ lang: Type.Optional(Type.Union([Type.Literal('vi'), Type.Literal('en')])) }) } },
      async (request, reply) => {
        const contact = await deps.systemSettings.noticeContact();
        return reply
          .type('text/html; charset=utf-8')
          .header('cache-control', 'public, max-age=300')
          .header('x-content-type-options', 'nosniff')
          .send(renderNotice({ lang: request.query.lang ?? 'vi', retention: deps.config.retention, contact }));
      },
    );

    // The short link SMS carry when an agency asks for it (messages/plan/notification.templates.ts).
    app.get(PRIVACY_LINK_PATH, { schema: { hide: true } }, async (_request, reply) =>
      reply.code(302).header('cache-control', 'public, max-age=3600').header('location', NOTICE_PATH).send(),
    );

    app.post(
      '/api/v1/jobs/retention',
      {
        config: { roles: ['admin'] },
        preValidation: async (request) => {
          if (request.body === undefined || request.body === null) request.body = {};
        },
        schema: {
          summary: 'Run the personal-data retention job as of an instant (idempotent)',
          description:
            'De-identifies in place what has outlived its retention period as of `asOf` (default now): counts per kind of record. Open dossiers are never touched; every past oversight figure stays the same.',
          tags: ['jobs'],
          body: Type.Optional(Type.Object({ asOf: Type.Optional(Instant) }, { additionalProperties: false })),
          response: { 200: Type.Intersect([Type.Object({ asOf: Type.String() }), Counts]), ...errorResponses },
        },
      },
      async (request) => {
        const now = deps.clock.now();
        const asOf = request.body?.asOf === undefined ? now : Date.parse(request.body.asOf);
        if (!Number.isFinite(asOf)) throw badRequest('VALIDATION_FAILED', 'asOf: thời điểm không hợp lệ.', { field: 'asOf' });
        const counts = await deps.retention.run(asOf, now);
        const at = new Date(asOf).toISOString();
        await deps.audit.record(apiActor(principalOf(request)), {
          action: 'privacy.retention',
          entity: 'privacy',
          entityId: at,
          after: { asOf: at, counts },
          ip: request.ip,
        });
        return { asOf: at, ...counts };
      },
    );

    app.get(
      '/api/v1/data-subjects/:phone',
      {
        config: { roles: ['admin', 'agency'] },
        schema: {
          summary: 'Everything held about a phone number (Law 91/2025/QH15)',
          description:
            'Dossiers, messages and look-ups (MOs) of the number; an agency sees its own dossiers only. `download=true` answers as a JSON file. Audited.',
          tags: ['personal data'],
          params: PhoneParam,
          querystring: Type.Object({ download: Type.Optional(Type.Boolean()) }),
          response: { 200: SubjectExport, ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const result = await deps.dataSubjects.export(principal, request.params.phone, apiActor(principal), request.ip);
        if (request.query.download)
          reply.header('content-disposition', `attachment; filename="data-subject-${result.phone.replace(/\D/g, '')}.json"`);
        reply.header('cache-control', 'no-store');
        return result;
      },
    );

    app.post(
      '/api/v1/data-subjects/:phone/erase',
      {
        config: { roles: ['admin'] },
        schema: {
          summary: "De-identify everything held about a phone number (the data subject's request)",
          description:
            'Closed dossiers, messages and MOs of the number, whatever their age; messages not sent yet are cancelled. Open dossiers keep name and number until they close (`keptOpen`), then the retention job removes them. Audited.',
          tags: ['personal data'],
          params: PhoneParam,
          body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
          response: {
            200: Type.Object({
              phone: S,
              dossiers: Type.Integer(),
              notifications: Type.Integer(),
              inbound: Type.Integer(),
              statusCallbacks: Type.Integer(),
              cancelled: Type.Integer(),
              keptOpen: Type.Array(Type.Object({ receiptCode: S, state: S })),
              note: nullable(S),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const reason = request.body.reason.trim();
        if (!reason) throw badRequest('VALIDATION_FAILED', 'reason: cần ghi lý do.', { field: 'reason' });
        return deps.dataSubjects.erase(request.params.phone, reason, apiActor(principalOf(request)), request.ip);
      },
    );
  };
}
