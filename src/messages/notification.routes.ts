import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Db } from '../platform/db/database.js';
import type { Clock } from '../platform/clock.js';
import type { ApologyService } from './batches/apology.service.js';
import { principalOf } from '../platform/http/auth.js';
import { Code, Instant, ReceiptCode, errorResponses } from '../platform/http/schemas.js';
import { agencyScope, assertCanReadAgency } from '../platform/principal.js';
import { badRequest } from '../platform/errors.js';
import { transaction } from '../platform/db/database.js';
import { findDossierByKey, receiptKey } from '../dossiers/dossier.repository.js';
import { listNotifications } from './notification.repository.js';
import { toNotificationJson } from './notification.view.js';
import { NOTIFICATION_KINDS } from './catalogue.js';

const STATUSES = ['pending', 'sending', 'sent', 'delivered', 'failed', 'cancelled', 'unknown'] as const;

export interface NotificationRoutesDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly apology: ApologyService;
}

export function notificationRoutes(deps: NotificationRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/v1/notifications',
      {
        config: { roles: ['admin', 'oversight', 'agency'] },
        schema: {
          summary: 'Messages, newest first',
          tags: ['notifications'],
          querystring: Type.Object(
            {
              receiptCode: Type.Optional(ReceiptCode),
              agencyCode: Type.Optional(Code),
              kind: Type.Optional(Type.Union(NOTIFICATION_KINDS.map((k) => Type.Literal(k)))),
              status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))),
              limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
              beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ items: Type.Array(Type.Ref('Notification')) }), ...errorResponses },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const { receiptCode, agencyCode, kind, status, limit, beforeId } = request.query;
        let dossierId: number | undefined;
        if (receiptCode !== undefined) {
          const dossier = await findDossierByKey(deps.db, receiptKey(receiptCode));
          if (!dossier) return { items: [] };
          assertCanReadAgency(principal, dossier.agency_code);
          dossierId = dossier.id;
        }
        const rows = await listNotifications(deps.db, {
          agencyCode: agencyScope(principal, agencyCode),
          dossierId,
          kind,
          status,
          limit,
          beforeId,
        });
        return { items: rows.map(toNotificationJson) };
      },
    );

    app.post(
      '/api/v1/jobs/apology',
      {
        config: { roles: ['admin'] },
        // `asOf` defaults to now, so a POST without a body is "run it now" (Fastify would validate the
        // missing body against the object schema and answer 400).
        preValidation: async (request) => {
          if (request.body === undefined || request.body === null) request.body = {};
        },
        schema: {
          summary: 'Run the 17:30 apology batch as of an instant (idempotent)',
          tags: ['jobs'],
          body: Type.Optional(Type.Object({ asOf: Type.Optional(Instant) }, { additionalProperties: false })),
          response: { 200: Type.Object({ dueDate: Type.String(), dossiers: Type.Integer(), created: Type.Integer() }), ...errorResponses },
        },
      },
      async (request) => {
        const now = deps.clock.now();
        const asOf = request.body?.asOf === undefined ? now : Date.parse(request.body.asOf);
        if (!Number.isFinite(asOf)) throw badRequest('VALIDATION_FAILED', 'asOf: thời điểm không hợp lệ.', { field: 'asOf' });
        const result = await transaction(deps.db, (tx) => deps.apology.run(tx, asOf, now));
        return result;
      },
    );
  };
}
