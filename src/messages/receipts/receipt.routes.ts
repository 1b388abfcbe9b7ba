import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Clock } from '../../platform/clock.js';
import type { AgencyService } from '../../reference/agency.service.js';
import type { ReceiptService } from './receipt.service.js';
import type { StatusCallbackService } from '../callbacks/status-callback.service.js';
import { principalOf } from '../../platform/http/auth.js';
import { Code, Instant, SafeText, errorResponses } from '../../platform/http/schemas.js';
import { agencyScope, assertCanWriteAgency } from '../../platform/principal.js';
import { vnIso } from '../../lib/calendar/zone.js';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../callbacks/status-callback.service.js';

const ReceiptResultJson = Type.Object({
  matched: Type.Boolean(),
  notificationId: Type.Union([Type.Integer(), Type.Null()]),
  status: Type.Union([Type.String(), Type.Null()]),
});

export interface ReceiptRoutesDeps {
  readonly clock: Clock;
  readonly agencies: AgencyService;
  readonly receipts: ReceiptService;
  readonly statusCallbacks: StatusCallbackService;
}

export function receiptRoutes(deps: ReceiptRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/api/v1/receipts',
      {
        config: { roles: ['gateway', 'admin'] },
        schema: {
          summary: 'A delivery receipt from a gateway of your own (SMPP, Kannel and the aggregator presets have their own ways in)',
          tags: ['sending'],
          body: Type.Object(
            {
              provider: Code,
              providerMessageId: SafeText(100),
              status: Type.Union([Type.Literal('delivered'), Type.Literal('failed'), Type.Literal('sent')]),
              providerStatus: Type.Optional(SafeText(40)),
              errorCode: Type.Optional(SafeText(40)),
              at: Type.Optional(Instant),
            },
            { additionalProperties: false },
          ),
          response: { 200: ReceiptResultJson, ...errorResponses },
        },
      },
      async (request) => {
        const { provider, providerMessageId, status, providerStatus, errorCode, at } = request.body;
        return deps.receipts.record({
          provider,
          providerMessageId,
          status,
          providerStatus: providerStatus ?? status,
          errorCode: errorCode ?? null,
          at: at ? Date.parse(at) : null,
        });
      },
    );

    app.post(
      '/api/v1/agencies/:agencyCode/callback-secret',
      {
        config: { roles: ['admin', 'agency'] },
        schema: {
          summary: "Create or rotate the secret that signs this agency's status callbacks (shown once)",
          tags: ['sending'],
          params: Type.Object({ agencyCode: Code }),
          response: {
            201: Type.Object({
              secret: Type.String(),
              signatureHeader: Type.String(),
              timestampHeader: Type.String(),
              deliveryHeader: Type.String(),
              scheme: Type.String(),
            }),
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const { agencyCode } = request.params;
        assertCanWriteAgency(principalOf(request), agencyCode);
        await deps.agencies.require(agencyCode);
        const secret = await deps.statusCallbacks.rotateSecret(agencyCode, deps.clock.now());
        return reply.code(201).send({
          secret,
          signatureHeader: SIGNATURE_HEADER,
          timestampHeader: TIMESTAMP_HEADER,
          deliveryHeader: DELIVERY_HEADER,
          scheme: 'sha256=hex(HMAC-SHA256(secret, "<timestamp>.<raw body>"))',
        });
      },
    );

    app.get(
      '/api/v1/status-callbacks',
      {
        config: { roles: ['admin', 'oversight', 'agency'] },
        schema: {
          summary: 'Status callbacks posted (or waiting) to agencies, newest first',
          tags: ['sending'],
          querystring: Type.Object(
            { agencyCode: Type.Optional(Code), limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              items: Type.Array(
                Type.Object({
                  id: Type.Integer(),
                  agencyCode: Type.String(),
                  notificationId: Type.Integer(),
                  url: Type.String(),
                  status: Type.String(),
                  attempts: Type.Integer(),
                  responseStatus: Type.Union([Type.Integer(), Type.Null()]),
                  lastError: Type.Union([Type.String(), Type.Null()]),
                  createdAt: Type.String(),
                  deliveredAt: Type.Union([Type.String(), Type.Null()]),
                  payload: Type.Unknown(),
                }),
              ),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const scope = agencyScope(principalOf(request), request.query.agencyCode);
        const rows = await deps.statusCallbacks.list(scope, request.query.limit);
        return {
          items: rows.map((row) => ({
            id: row.id,
            agencyCode: row.agency_code,
            notificationId: row.notification_id,
            url: row.url,
            status: row.status,
            attempts: row.attempts,
            responseStatus: row.response_status === null ? null : row.response_status,
            lastError: row.last_error,
            createdAt: vnIso(row.created_at),
            deliveredAt: vnIso(row.delivered_at),
            payload: JSON.parse(row.payload) as unknown,
          })),
        };
      },
    );
  };
}
