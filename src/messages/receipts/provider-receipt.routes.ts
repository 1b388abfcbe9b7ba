/** Delivery-report callbacks of the HTTP providers: eSMS, SpeedSMS and Kannel's dlr-url. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Config } from '../../platform/config/config.js';
import type { ReceiptService } from './receipt.service.js';
import { badRequest, unauthorized } from '../../platform/errors.js';
import { errorResponses } from '../../platform/http/schemas.js';
import type { DeliveryReceipt } from '../../providers/provider.js';
import type { ProviderType } from '../../platform/config/provider-file.js';
import { callbackTokenMatches } from '../../providers/adapters/http.shared.js';
import { ESMS_CALLBACK_PATH, parseEsmsReceipt } from '../../providers/adapters/esms.provider.js';
import { SPEEDSMS_CALLBACK_PATH, parseSpeedSmsReceipt } from '../../providers/adapters/speedsms.provider.js';
import { KANNEL_DLR_PATH, parseKannelDlr } from '../../providers/adapters/kannel.provider.js';

const Token = Type.Object({ token: Type.String({ minLength: 16, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' }) });
const CallbackFields = Type.Record(
  Type.String({ maxLength: 64 }),
  Type.Union([Type.String({ maxLength: 2000 }), Type.Number(), Type.Boolean(), Type.Null()]),
  { maxProperties: 40 },
);
const Answer = Type.Object({ ok: Type.Boolean(), matched: Type.Boolean() });

export interface ProviderReceiptRoutesDeps {
  readonly config: Config;
  readonly receipts: ReceiptService;
}

export function providerReceiptRoutes(deps: ProviderReceiptRoutesDeps): FastifyPluginAsyncTypebox {
  /** The provider whose receipt secret the URL carries; every secret is compared, in constant time. */
  function providerFor(type: ProviderType, token: string): string {
    let name: string | null = null;
    for (const spec of deps.config.sms.providers) {
      if (spec.type === type && spec.receiptSecret && callbackTokenMatches(spec.receiptSecret, token)) name = spec.name;
    }
    if (!name) throw unauthorized('Địa chỉ nhận báo cáo gửi tin không đúng (receipt secret).');
    return name;
  }

  async function record(receipt: DeliveryReceipt | null) {
    if (!receipt) throw badRequest('INVALID_RECEIPT', 'Báo cáo gửi tin thiếu mã tin nhắn hoặc trạng thái.');
    const result = await deps.receipts.record(receipt);
    return { ok: true, matched: result.matched };
  }

  const schema = (summary: string, extra: Record<string, unknown>) => ({
    summary,
    tags: ['sending'],
    security: [],
    params: Token,
    ...extra,
    response: { 200: Answer, ...errorResponses },
  });

  return async (app) => {
    app.get(
      `${ESMS_CALLBACK_PATH}/:token`,
      { schema: schema('eSMS delivery report (CallbackUrl): SMSID, SendStatus … in the query', { querystring: CallbackFields }) },
      async (request) => record(parseEsmsReceipt(providerFor('esms', request.params.token), request.query as Record<string, unknown>)),
    );
    app.post(
      `${SPEEDSMS_CALLBACK_PATH}/:token`,
      { schema: schema('SpeedSMS delivery report webhook (JSON: type "report", tranId, phone, status)', { body: CallbackFields }) },
      async (request) => record(parseSpeedSmsReceipt(providerFor('speedsms', request.params.token), request.body)),
    );
    app.get(
      `${KANNEL_DLR_PATH}/:token`,
      {
        // Kannel's %A is the SMSC's reply as it came; only its stat:/err: words are read.
        config: { controlCharactersAllowed: ['querystring.reply'] },
        schema: schema("Kannel dlr-url: type=%d, our nid, Kannel's %A reply and %T time in the query", { querystring: CallbackFields }),
      },
      async (request) => record(parseKannelDlr(providerFor('kannel', request.params.token), request.query as Record<string, unknown>)),
    );
  };
}
