/**
 * ZNS answer codes → what we do, from Zalo's table "Cách xử lý mã lỗi"
 * https://zalo.cloud/zns/guidelines/handle-error-code. Retryable codes are tried again with backoff; every
 * other code fails the Zalo notification for good, and the message then goes by SMS (issue 17: a permanent
 * Zalo answer, or any code we do not recognise, falls back). -124 (access token invalid) is handled before
 * this table: the token is refreshed and the send tried once more.
 *
 * The table as published lists -100 … -1xx with a description each; the codes past -119 below are as that
 * page lists them when we read it. Where the page gives no advice on retrying, a code that describes the
 * recipient, the template, the quota or our app is permanent (retrying the same request cannot change it),
 * and "unknown error" is transient.
 */
export interface ZaloCodeRule {
  readonly retryable: boolean;
  readonly reason: string;
}

const permanent = (reason: string): ZaloCodeRule => ({ retryable: false, reason });

export const ZALO_ERROR_CODES: Readonly<Record<string, ZaloCodeRule>> = Object.freeze({
  '-100': { retryable: true, reason: 'zalo_unknown_error' },
  '-101': permanent('zalo_app_invalid'),
  '-102': permanent('zalo_app_invalid'),
  '-103': permanent('zalo_app_invalid'),
  '-104': permanent('zalo_app_invalid'),
  '-105': permanent('zalo_app_invalid'),
  '-106': permanent('zalo_app_invalid'),
  '-107': permanent('zalo_rejected'),
  '-108': permanent('zalo_phone_invalid'),
  '-109': permanent('zalo_template_rejected'),
  '-110': permanent('zalo_not_eligible'),
  '-111': permanent('zalo_template_rejected'),
  '-112': permanent('zalo_template_rejected'),
  '-114': permanent('zalo_not_eligible'),
  '-115': permanent('zalo_quota_exhausted'),
  '-116': permanent('zalo_template_rejected'),
  '-117': permanent('zalo_app_invalid'),
  '-118': permanent('zalo_not_a_user'),
  '-119': permanent('zalo_not_eligible'),
  '-124': { retryable: true, reason: 'zalo_token_invalid' },
  '-131': permanent('zalo_template_rejected'),
  // Sent during the night-time window Zalo refuses: a later attempt goes through.
  '-133': { retryable: true, reason: 'zalo_outside_hours' },
  '-137': permanent('zalo_quota_exhausted'),
  '-139': permanent('zalo_blocked'),
  '-141': permanent('zalo_template_rejected'),
  '-144': permanent('zalo_quota_exhausted'),
  '-147': permanent('zalo_quota_exhausted'),
});

/** What an answer code means; an unrecognised code is permanent (and so falls back to SMS). */
export function zaloCodeRule(code: string): ZaloCodeRule {
  return ZALO_ERROR_CODES[code] ?? permanent(`zalo_rejected`);
}

export const ZALO_TOKEN_INVALID = '-124';
