/**
 * `POST /webhooks/zalo`: Zalo's delivery events (issue 17). The signature is checked over the raw body as
 * Zalo documents it (X-ZEvent-Signature: mac = sha256(app id + body + timestamp + OA secret key), see
 * providers/adapters/zalo/zalo.api.ts); a wrong one is 401, and so is an event more than 15 minutes old
 * (a replay of a captured request). `user_received_message` marks the Zalo notification delivered (matched by
 * msg_id, through the receipts, so an event that overtakes our `sent` update is kept and applied later);
 * other events are acknowledged and ignored. Zalo expects a 200 quickly, whatever the event.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError, badRequest } from '../../platform/errors.js';
import { errorResponses } from '../../platform/http/schemas.js';
import { ZALO_SIGNATURE_HEADER } from '../../providers/adapters/zalo/zalo.api.js';
import { parseZaloEvent, zaloReceipt, zaloSignature, zaloSignatureMatches } from '../../providers/adapters/zalo/zalo.webhook.js';
import type { ReceiptService } from './receipt.service.js';
import type { ZaloSetup } from '../plan/zalo.channel.js';

export const ZALO_WEBHOOK_PATH = '/webhooks/zalo';
/** Events older (or further in the future) than this are refused as replays. */
const REPLAY_WINDOW_MS = 15 * 60_000;
const BODY_LIMIT = 64 * 1024;

export interface ZaloWebhookDeps {
  readonly zalo: ZaloSetup | null;
  readonly receipts: ReceiptService;
  readonly zaloFallback: { recordLate(notificationId: number, at: number | null): Promise<boolean> };
}

const Answer = Type.Object({ ok: Type.Boolean(), matched: Type.Boolean(), late: Type.Optional(Type.Boolean()) });

export function zaloWebhookRoutes(deps: ZaloWebhookDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    // This plugin's scope only: the signature is over the bytes Zalo sent, so the body stays a string.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));
    app.post(
      ZALO_WEBHOOK_PATH,
      {
        // The raw body is checked by its signature, then parsed; a pretty-printed event has newlines.
        config: { controlCharactersAllowed: ['body'] },
        schema: {
          summary:
            'Zalo delivery events (user_received_message), verified by X-ZEvent-Signature; 401 when it is wrong or the event is over 15 minutes old',
          tags: ['sending'],
          security: [],
          response: { 200: Answer, ...errorResponses },
        },
      },
      async (request) => {
        const setup = deps.zalo;
        if (!setup) throw new AppError('NOT_FOUND', 404, 'Không cấu hình Zalo (không có nhà cung cấp zalo_zns).');
        const raw = typeof request.body === 'string' ? request.body : '';
        let json: unknown;
        try {
          json = JSON.parse(raw);
        } catch {
          throw badRequest('INVALID_ZALO_EVENT', 'Sự kiện Zalo không phải JSON hợp lệ.');
        }
        const event = parseZaloEvent(json);
        if (!event) throw badRequest('INVALID_ZALO_EVENT', 'Sự kiện Zalo thiếu event_name hoặc timestamp.');
        const { appId, oaSecretKey } = setup.options;
        const header = request.headers[ZALO_SIGNATURE_HEADER];
        const presented = Array.isArray(header) ? header[0] : header;
        const signedTimestamp = (json as { timestamp?: unknown }).timestamp;
        const expected = zaloSignature(appId, raw, String(signedTimestamp), oaSecretKey);
        if (!zaloSignatureMatches(expected, presented)) {
          throw new AppError('ZALO_SIGNATURE_INVALID', 401, 'Chữ ký X-ZEvent-Signature của sự kiện Zalo không đúng.');
        }
        // Network timing, not business time: the wall clock, as Zalo's timestamp is.
        if (Math.abs(Date.now() - event.timestamp) > REPLAY_WINDOW_MS) {
          throw new AppError('ZALO_EVENT_REPLAYED', 401, 'Sự kiện Zalo đã quá 15 phút: bị từ chối (chống gửi lại).');
        }
        const receipt = zaloReceipt(setup.provider, event);
        if (!receipt) return { ok: true, matched: false };
        const result = await deps.receipts.record(receipt);
        if (result.matched && result.status === 'failed' && result.notificationId !== null) {
          const late = await deps.zaloFallback.recordLate(result.notificationId, receipt.at);
          return { ok: true, matched: true, late };
        }
        return { ok: true, matched: result.matched };
      },
    );
  };
}
