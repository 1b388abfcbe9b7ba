/**
 * What we rely on from Zalo's own documentation ("Zalo Notification Service", now "ZBS Template Message"),
 * in one place so the adapter, the webhook and the simulator (`motcua zalo-sim`) agree.
 *
 * - Send: POST https://business.openapi.zalo.me/message/template, header `access_token`, JSON
 *   `{ phone, template_id, template_data, tracking_id }`; the answer is `{ error, message, data: { msg_id,
 *   sent_time, quota } }` with `error: 0` on success. The phone is `84…` (the error table accepts 84xxxx,
 *   0xxxx and xxxx; we send the documented international form).
 *   https://developers.zalo.me/docs/zalo-notification-service/gui-tin-zns/gui-zns
 *   (endpoint as used by Zalo-based SDKs: https://app.unpkg.com/@warriorteam/redai-zalo-sdk@1.32.17/files/dist/services/zns.service.js)
 * - OAuth v4 (Official Account API): POST https://oauth.zaloapp.com/v4/oa/access_token, header `secret_key`
 *   (the app's secret), form `refresh_token`, `app_id`, `grant_type=refresh_token`. The answer carries a new
 *   `access_token` (about 25 hours: `expires_in`, seconds, a string) and a NEW `refresh_token`: each refresh
 *   token can be used once (valid 3 months), so the rotated one must be kept.
 *   https://developers.zalo.me/docs/official-account/bat-dau/xac-thuc-va-uy-quyen-cho-ung-dung-new
 *   (walk-through: https://www.hexasync.vn/zalo-oa-api-huong-dan-cach-lay-access-token-tu-refresh-token/)
 *   Not documented in what we could read: the error body of a refused refresh. We treat any HTTP 2xx answer
 *   without an `access_token` as a refusal of that refresh token (failed for good until an operator gives a
 *   new one), and network errors, timeouts, HTTP 429 and 5xx as transient.
 * - Error codes: "Cách xử lý mã lỗi" https://zalo.cloud/zns/guidelines/handle-error-code (see zalo.errors.ts).
 * - Delivery webhook: event `user_received_message` with `message.msg_id`, `message.delivery_time`,
 *   `message.tracking_id` and a top-level `timestamp` (epoch ms, a string), signed in the header
 *   `X-ZEvent-Signature: mac=<hex sha256(app_id + raw body + timestamp + OA secret key)>` — the OA secret
 *   key, not the app secret. https://developers.zalo.me/docs/official-account/webhook/xac-thuc-webhook
 *   (worked example: https://hainh.me/zalo-api-php-webhook-callback-official-account.html).
 */
export const ZALO_SEND_BASE_URL = 'https://business.openapi.zalo.me';
export const ZALO_SEND_PATH = '/message/template';
export const ZALO_OAUTH_URL = 'https://oauth.zaloapp.com/v4/oa/access_token';
export const ZALO_SIGNATURE_HEADER = 'x-zevent-signature';

/** The body of a template send. */
export interface ZaloSendRequest {
  readonly phone: string;
  readonly template_id: string;
  readonly template_data: Readonly<Record<string, string>>;
  readonly tracking_id: string;
}

/** Our E.164 number (`+84…`) or a national one (`0…`) in the `84…` form Zalo documents. */
export function zaloPhone(to: string): string {
  const digits = to.replace(/\D/g, '');
  if (digits.startsWith('84')) return digits;
  if (digits.startsWith('0')) return `84${digits.slice(1)}`;
  return digits;
}
