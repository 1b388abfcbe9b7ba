import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Clock } from '../platform/clock.js';
import { principalOf } from '../platform/http/auth.js';
import { Instant, errorResponses } from '../platform/http/schemas.js';
import { badRequest } from '../platform/errors.js';
import type { Principal } from '../platform/principal.js';
import type { AuditActor, AuditService } from '../accounts/audit.service.js';
import type { RetentionService } from './retention.service.js';

export interface PrivacyRoutesDeps {
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly retention: RetentionService;
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

export function privacyRoutes(deps: PrivacyRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
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
  };
}
