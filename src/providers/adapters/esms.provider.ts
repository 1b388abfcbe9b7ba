/**
 * eSMS.vn (ViHAT) brandname customer-care SMS, following eSMS's developer documents:
 * - sending: "Send OTP/Customer care message", POST SendMultipleMessage_V4_post_json
 *   https://developers.esms.vn/en/esms-api/send-sms-api/send-otp-customer-care-message
 *   (source: github.com/devesms/gitbook_esms_for_develop_v2_en, esms-api/send-sms-api/send-otp-customer-care-message.md)
 * - answer codes: "Table of error codes" https://developers.esms.vn/en/esms-api/table-of-error-codes
 *   plus 119/131/132/145/159 of the earlier API document (https://esms.vn/TailieuAPI_V4_060215_Rest_Public.pdf)
 *   that eSMS integrations still list. 99 meant "unknown error" there; the current table makes it a
 *   blocked number, which is what we follow.
 * - delivery reports: "Callback Url" https://developers.esms.vn/esms-api/callback-url (HTTP GET, no signature)
 */
import type { Logger } from 'pino';
import type { Metrics } from '../../platform/metrics.js';
import { HttpSmsProvider, type CodeRule, type HttpSmsOptions, type TemplateValue } from './http.provider.js';
import { ConfigReader } from './config-reader.js';
import { callbackField, callbackUrl } from './http.shared.js';
import type { DeliveryReceipt } from '../provider.js';

export const ESMS_SEND_URL = 'https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/';

export interface EsmsOptions {
  readonly apiKey: string;
  readonly secretKey: string;
  readonly url: string;
  readonly timeoutMs: number;
  /** Where eSMS reports delivery (see `esmsCallbackUrl`); null sends no CallbackUrl, so no receipts. */
  readonly callbackUrl: string | null;
  /** eSMS's test mode: the request is checked and answered, nothing is sent or charged. */
  readonly sandbox: boolean;
  /**
   * Goes before our notification id in RequestId. eSMS refuses a RequestId it has seen before
   * (code 124), which makes a retry after a lost answer safe; a database created afresh against
   * the same eSMS account restarts the ids, so give it a new prefix then.
   */
  readonly requestIdPrefix: string;
}

/** CodeResult values; 100 is success. Balance is retried: topping up fixes it without touching the message. */
export const ESMS_CODES: Readonly<Record<string, CodeRule>> = Object.freeze({
  '99': { outcome: 'permanent', reason: 'recipient_blocked' },
  '101': { outcome: 'permanent', reason: 'provider_auth' },
  '102': { outcome: 'permanent', reason: 'provider_account' },
  '103': { outcome: 'retryable', reason: 'provider_balance' },
  '104': { outcome: 'permanent', reason: 'brandname_invalid' },
  '108': { outcome: 'permanent', reason: 'invalid_recipient' },
  '118': { outcome: 'permanent', reason: 'provider_bad_request' },
  '119': { outcome: 'permanent', reason: 'provider_bad_request' },
  '124': { outcome: 'accepted', reason: 'duplicate_request' },
  '131': { outcome: 'permanent', reason: 'message_too_long' },
  '132': { outcome: 'permanent', reason: 'provider_bad_request' },
  '140': { outcome: 'permanent', reason: 'provider_auth' },
  '145': { outcome: 'permanent', reason: 'template_not_registered' },
  '146': { outcome: 'permanent', reason: 'template_not_registered' },
  '159': { outcome: 'permanent', reason: 'provider_bad_request' },
  '177': { outcome: 'permanent', reason: 'carrier_not_registered' },
  '300': { outcome: 'permanent', reason: 'provider_bad_request' },
});

export function parseEsmsOptions(raw: unknown, path = 'esms'): EsmsOptions {
  const config = ConfigReader.of(raw, path).allowOnly([
    'apiKey',
    'secretKey',
    'url',
    'timeoutMs',
    'callbackUrl',
    'sandbox',
    'requestIdPrefix',
  ]);
  return {
    apiKey: config.string('apiKey'),
    secretKey: config.string('secretKey'),
    url: config.url('url', ESMS_SEND_URL),
    timeoutMs: config.integer('timeoutMs', 15_000, 100, 120_000),
    callbackUrl: config.optionalUrl('callbackUrl'),
    sandbox: config.boolean('sandbox', false),
    requestIdPrefix: config.text('requestIdPrefix', ''),
  };
}

/** SmsType 2 is customer care (CSKH): the brandname is the message's sender, registered with eSMS. */
export function esmsHttpOptions(options: EsmsOptions): HttpSmsOptions {
  const body: Record<string, TemplateValue> = {
    ApiKey: options.apiKey,
    Content: '{text}',
    Phone: '{to_local}',
    SecretKey: options.secretKey,
    Brandname: '{from}',
    SmsType: '2',
    IsUnicode: '{unicode}',
    Sandbox: options.sandbox ? '1' : '0',
    RequestId: `${options.requestIdPrefix}{id}`,
  };
  if (options.callbackUrl) body.CallbackUrl = '{callbackUrl}';
  return {
    url: options.url,
    method: 'POST',
    format: 'json',
    headers: {},
    auth: null,
    body,
    response: {
      successPath: 'CodeResult',
      successValues: ['100'],
      messageIdPath: 'SMSID',
      errorCodePath: 'CodeResult',
      errorMessagePath: 'ErrorMessage',
    },
    errorCodes: ESMS_CODES,
    timeoutMs: options.timeoutMs,
    callbackUrl: options.callbackUrl,
  };
}

export class EsmsProvider extends HttpSmsProvider {
  constructor(name: string, options: EsmsOptions, logger: Logger, metrics: Metrics) {
    super(name, esmsHttpOptions(options), logger, metrics);
  }
}

/** The route the callback URL points at; `:token` is the provider's callback secret. */
export const ESMS_CALLBACK_PATH = '/receipts/esms';

/** What to configure as `callbackUrl`: eSMS calls it with GET and its own query string appended. */
export function esmsCallbackUrl(publicBaseUrl: string, secret: string): string {
  return callbackUrl(publicBaseUrl, ESMS_CALLBACK_PATH, secret);
}

const count = (value: string | null) => (value !== null && /^\d+$/.test(value) ? Number(value) : 0);

/**
 * An eSMS callback's query string → receipt, or null when it carries no SMSID. One SMSID is one
 * request, which for us is one recipient. SendStatus 5 means eSMS finished sending, and the
 * SendSuccess/SendFailed counts say how it went; 4 is a rejection; 1, 2 and 7 (awaiting approval,
 * waiting to send, sent to the carrier awaiting its report) are intermediate.
 */
export function parseEsmsReceipt(provider: string, query: Readonly<Record<string, unknown>>): DeliveryReceipt | null {
  const smsId = callbackField(query, 'SMSID');
  if (smsId === null) return null;
  const sendStatus = callbackField(query, 'SendStatus') ?? '';
  const succeeded = count(callbackField(query, 'SendSuccess'));
  const failed = count(callbackField(query, 'SendFailed'));
  let status: DeliveryReceipt['status'] = 'sent';
  if (sendStatus === '4') status = 'failed';
  else if (sendStatus === '5' && succeeded > 0) status = 'delivered';
  else if (sendStatus === '5' && failed > 0) status = 'failed';
  return {
    provider,
    providerMessageId: smsId,
    status,
    providerStatus: `SendStatus=${sendStatus}`,
    errorCode: status === 'failed' ? callbackField(query, 'error_info') : null,
    at: null,
  };
}
