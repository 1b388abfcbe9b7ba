import { createHash, timingSafeEqual } from 'node:crypto';
import { Agent } from 'undici';
import { ConfigError } from '../../platform/config/config.js';
import { ProviderError } from '../provider.js';

// ─── what every HTTP-based adapter shares ───────────────────────────────────

/** How the recipient is written in a request: `+84912345678`, `84912345678` or `0912345678`. */
export type NumberFormat = 'e164' | 'msisdn' | 'local';
export const NUMBER_FORMATS: readonly NumberFormat[] = ['e164', 'msisdn', 'local'];

/** `to` is E.164 as the outbox stores it; `local` gives the national form for Vietnamese numbers only. */
export function formatRecipient(to: string, format: NumberFormat): string {
  const digits = to.replace(/^\+/, '');
  if (format === 'e164') return to.startsWith('+') ? to : `+${digits}`;
  if (format === 'msisdn') return digits;
  return digits.startsWith('84') ? `0${digits.slice(2)}` : to;
}

/** A pooled keep-alive agent for one provider, closed with it: every request of the provider goes through
 *  it (requestText), so connections are reused instead of opened per message. `connections`: at most this
 *  many at once to the provider's host (requests beyond wait in the agent's queue). */
export function createKeepAliveAgent(connections = 16): Agent {
  return new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000, connections });
}

export interface ProviderRequest {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string | undefined;
  readonly timeoutMs: number;
  readonly agent: Agent;
}

/**
 * One request to a provider's HTTP API: the status and the answer's text, or a retryable transport error
 * (no answer within the timeout, connection refused or reset: it may or may not have arrived).
 *
 * Sent with the agent's own `request` (undici's dispatcher API), not `fetch`: fetch builds a WHATWG
 * Request, Headers and a web ReadableStream per call, which cost more CPU than the rest of a send together
 * (bench zalo's profile). The timeout is undici's own per request (no answer, or a stalled body, within
 * `timeoutMs`; undici's timers are exact below 1 s, within a second above), not an AbortSignal and its
 * listeners per call; the dispatcher bounds the whole send besides. Redirects are not followed: no
 * provider API answers a send with one.
 */
export async function requestText(
  provider: string,
  url: string | URL,
  request: ProviderRequest,
): Promise<{ status: number; text: string }> {
  try {
    const target = typeof url === 'string' ? new URL(url) : url;
    const response = await request.agent.request({
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method: request.method as 'GET' | 'POST',
      headers: request.headers,
      body: request.body ?? null,
      headersTimeout: request.timeoutMs,
      bodyTimeout: request.timeoutMs,
    });
    return { status: response.statusCode, text: await response.body.text() };
  } catch (error) {
    throw transportError(provider, error);
  }
}

/** Network failures and our own timeout: the request may or may not have arrived, so it is retried. */
export function transportError(provider: string, error: unknown): ProviderError {
  const err = error as Error & { code?: string; cause?: { code?: string; message?: string } };
  if (
    err?.name === 'TimeoutError' ||
    err?.name === 'AbortError' ||
    err?.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    err?.code === 'UND_ERR_BODY_TIMEOUT' ||
    err?.code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return new ProviderError(`${provider}: no answer within the timeout`, true, 'provider_timeout');
  }
  const detail = err?.code ?? err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(error);
  return new ProviderError(`${provider}: cannot reach the provider (${detail})`, true, 'provider_unreachable');
}

/** The HTTP statuses that mean the same for every provider: 429 and 5xx retry, 401/403 is our credentials. */
export function httpStatusError(provider: string, status: number, body: string): ProviderError | null {
  const excerpt = body.slice(0, 200);
  if (status === 429) return new ProviderError(`${provider}: HTTP 429 rate limited ${excerpt}`, true, 'provider_rate_limited');
  if (status >= 500) return new ProviderError(`${provider}: HTTP ${status} ${excerpt}`, true, 'provider_unavailable');
  if (status === 401 || status === 403) return new ProviderError(`${provider}: HTTP ${status} ${excerpt}`, false, 'provider_auth');
  return null;
}

/**
 * Neither eSMS nor SpeedSMS signs its delivery-report callbacks, so the callback URL itself carries
 * a secret: the provider's `receiptSecret` (in the path: eSMS appends its own query string to the URL).
 * Anyone without the secret cannot forge receipts; rotate it by changing the config and the URL.
 * Compared in constant time: hashing first makes both sides the same length, so the length does not leak either.
 */
export function callbackTokenMatches(expected: string, presented: string | null | undefined): boolean {
  if (!expected || typeof presented !== 'string') return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(expected), digest(presented));
}

export function callbackUrl(publicBaseUrl: string, path: string, secret: string): string {
  if (!secret) throw new ConfigError('a callback secret is required');
  return `${publicBaseUrl.replace(/\/+$/, '')}${path}/${encodeURIComponent(secret)}`;
}

/** A field of a callback's query string or JSON body, as one string (the first of a repeated one). */
export function callbackField(params: Readonly<Record<string, unknown>>, name: string): string | null {
  const value = params[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first === 'string') return first.trim() === '' ? null : first.trim();
  if (typeof first === 'number' && Number.isFinite(first)) return String(first);
  return null;
}
