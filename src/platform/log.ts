/**
 * The service's logger: pino with the secrets and personal data a log line must never carry removed at
 * the source. Tokens travel in headers, cookies and (Kannel's get-url, the providers' receipt URLs) in
 * the URL itself; a citizen's number travels in query strings (`from=`, `phone=`) and paths
 * (`/data-subjects/{phone}`). So: `redact` blanks the known fields, and every URL written to the log goes
 * through `redactUrl`, which keeps the path's shape and the query's names, never their values.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

const SECRET_FIELDS = ['authorization', 'cookie', 'password', 'token', 'secret', 'apiKey', 'secretKey', 'receiptSecret'];

export const REDACT_PATHS: readonly string[] = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  '*.headers["x-csrf-token"]',
];

const REDACTED = '[redacted]';

/** A path segment that is a secret (a token or receipt secret) or a phone number. */
function sensitiveSegment(segment: string): boolean {
  let text = segment;
  try {
    text = decodeURIComponent(segment);
  } catch {
    // malformed escapes: judge the raw text
  }
  return /^[A-Za-z0-9_-]{16,}$/.test(text) || (/^[\d\s.+()-]+$/.test(text) && text.replace(/\D/g, '').length >= 9);
}

/** The URL as a log line may show it: `/receipts/esms/[redacted]?SMSID&SendStatus`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const safePath = path
    .split('/')
    .map((segment) => (sensitiveSegment(segment) ? REDACTED : segment))
    .join('/');
  if (q < 0) return safePath;
  const names = url
    .slice(q + 1)
    .split('&')
    .map((pair) => pair.split('=')[0] ?? '')
    .filter(Boolean)
    .map((name) => name.replace(/[^A-Za-z0-9_.[\]-]/g, '_').slice(0, 40));
  return names.length > 0 ? `${safePath}?${names.join('&')}` : safePath;
}

/** The fields of a request worth a log line, as `{ req: … }` shows it. */
export function requestForLog(request: { method?: string; url?: string }): { method: string | undefined; url: string | undefined } {
  return { method: request.method, url: request.url === undefined ? undefined : redactUrl(request.url) };
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    serializers: { req: requestForLog },
  };
  return destination ? pino(options, destination) : pino(options);
}
