/**
 * SpeedSMS.vn, following its API page https://speedsms.vn/sms-api/ (English: https://en.speedsms.vn/sms-api-service-2):
 * - "Authentication": HTTP basic auth with the API access token as user name and `x` as password;
 * - "Error codes": 007, 008, 009, 101, 105, 110, 113, 300, 500; "Rate limit": 60 requests a minute,
 *   then HTTP 429;
 * - POST /index.php/sms/send with JSON {to: [...], content, sms_type, sender}, answered
 *   {status: "success", code: "00", data: {tranId, totalSMS, totalPrice, invalidPhone}} or
 *   {status: "error", code, message} (the request and answer of SpeedSMS's own SpeedSMSAPI samples
 *   on https://speedsms.vn/sms-api-service/);
 * - delivery reports (its webhook section, as SpeedSMS integrations implement it): SpeedSMS POSTs
 *   JSON {type: "report", tranId, phone, status} to the webhook URL set in the SpeedSMS dashboard,
 *   unsigned; status 0 is delivered, 1–63 a temporary failure it keeps retrying, 64 and above failed.
 */
import type { Logger } from 'pino';
import type { Metrics } from '../../platform/metrics.js';
import { HttpSmsProvider, type CodeRule, type HttpSmsOptions } from './http.provider.js';
import { ConfigReader } from './config-reader.js';
import { callbackField, callbackUrl } from './http.shared.js';
import type { DeliveryReceipt } from '../provider.js';

export const SPEEDSMS_SEND_URL = 'https://api.speedsms.vn/index.php/sms/send';

/** 2: random number, 3: the sender brandname, 4: SpeedSMS's default brandname (Notify/Verify), 5: an Android device. */
export const SPEEDSMS_SMS_TYPES = [2, 3, 4, 5] as const;

export interface SpeedSmsOptions {
  readonly accessToken: string;
  readonly smsType: (typeof SPEEDSMS_SMS_TYPES)[number];
  readonly url: string;
  readonly timeoutMs: number;
}

/** Balance is retried: topping up fixes it without touching the message. */
export const SPEEDSMS_CODES: Readonly<Record<string, CodeRule>> = Object.freeze({
  '007': { outcome: 'permanent', reason: 'provider_auth' },
  '008': { outcome: 'permanent', reason: 'provider_auth' },
  '009': { outcome: 'permanent', reason: 'provider_auth' },
  '101': { outcome: 'permanent', reason: 'provider_bad_request' },
  '105': { outcome: 'permanent', reason: 'invalid_recipient' },
  '110': { outcome: 'permanent', reason: 'unsupported_encoding' },
  '113': { outcome: 'permanent', reason: 'message_too_long' },
  '300': { outcome: 'retryable', reason: 'provider_balance' },
  '500': { outcome: 'retryable', reason: 'provider_error' },
});

export function parseSpeedSmsOptions(raw: unknown, path = 'speedsms'): SpeedSmsOptions {
  const config = ConfigReader.of(raw, path).allowOnly(['accessToken', 'smsType', 'url', 'timeoutMs']);
  const smsType = config.integer('smsType', 3, 2, 5);
  return {
    accessToken: config.string('accessToken'),
    smsType: smsType as SpeedSmsOptions['smsType'],
    url: config.url('url', SPEEDSMS_SEND_URL),
    timeoutMs: config.integer('timeoutMs', 15_000, 100, 120_000),
  };
}

export function speedSmsHttpOptions(options: SpeedSmsOptions): HttpSmsOptions {
  return {
    url: options.url,
    method: 'POST',
    format: 'json',
    headers: {},
    auth: { type: 'basic', username: options.accessToken, password: 'x' },
    body: { to: ['{to_msisdn}'], content: '{text}', sms_type: options.smsType, sender: '{from}' },
    response: {
      successPath: 'status',
      successValues: ['success'],
      messageIdPath: 'data.tranId',
      errorCodePath: 'code',
      errorMessagePath: 'message',
    },
    errorCodes: SPEEDSMS_CODES,
    timeoutMs: options.timeoutMs,
    callbackUrl: null,
  };
}

export class SpeedSmsProvider extends HttpSmsProvider {
  constructor(name: string, options: SpeedSmsOptions, logger: Logger, metrics: Metrics) {
    super(name, speedSmsHttpOptions(options), logger, metrics);
  }
}

/** The route the webhook URL points at; `:token` is the provider's callback secret. */
export const SPEEDSMS_CALLBACK_PATH = '/receipts/speedsms';

/** What to enter as the webhook URL in the SpeedSMS dashboard (SpeedSMS takes no per-message URL). */
export function speedSmsCallbackUrl(publicBaseUrl: string, secret: string): string {
  return callbackUrl(publicBaseUrl, SPEEDSMS_CALLBACK_PATH, secret);
}

/** A SpeedSMS webhook body → receipt, or null when it is not a delivery report (an incoming SMS, junk). */
export function parseSpeedSmsReceipt(provider: string, body: unknown): DeliveryReceipt | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const fields = body as Record<string, unknown>;
  if (callbackField(fields, 'type') !== 'report') return null;
  const tranId = callbackField(fields, 'tranId');
  const statusText = callbackField(fields, 'status');
  if (tranId === null || statusText === null || !/^\d+$/.test(statusText)) return null;
  const code = Number(statusText);
  const status: DeliveryReceipt['status'] = code === 0 ? 'delivered' : code < 64 ? 'sent' : 'failed';
  return {
    provider,
    providerMessageId: tranId,
    status,
    providerStatus: `status=${code}`,
    errorCode: status === 'delivered' ? null : statusText,
    at: null,
  };
}
