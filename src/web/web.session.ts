/**
 * Sessions of people on the web screens. `registerWebSession` runs on the root instance: it reads the
 * session cookie of every request into `request.webUser` / `request.csrfToken`, and refuses any
 * state-changing request made within a session unless it carries that session's CSRF token
 * (form field `_csrf` or header `x-csrf-token`). `requireWebUser` guards a page.
 */
import { requestForLog } from '../platform/log.js';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../platform/errors.js';
import { databaseUnavailable } from '../platform/http/error-handler.js';
import { type AccountService, SESSION } from '../accounts/account.service.js';
import { html } from './html.js';
import { texts } from './i18n/catalogue.js';
import { renderPage, sendPage } from './web.layout.js';
import type { WebLang, WebRole, WebUser } from './web.types.js';

declare module 'fastify' {
  interface FastifyRequest {
    webUser: WebUser | null;
    csrfToken: string | null;
    /** Language of the page: `?lang=`, else the `lang` cookie, else the user's preference, else Vietnamese. */
    webLang: WebLang;
    /** Hash of the current session id (for logout). */
    webSessionHash: string | null;
    /** MOTCUA_PUBLIC_URL is https: cookies are Secure (and prefixed) whatever protocol Fastify sees. */
    cookiesAlwaysSecure: boolean;
  }
}

export const SESSION_COOKIE = 'mcs_session';
export const LANG_COOKIE = 'lang';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Probes and metrics never read a session: /livez must answer with the database frozen, cookie or not. */
const OPERATIONS = /^\/(livez|readyz|healthz|metrics)(\?|$)/;

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in cookies) continue;
    try {
      cookies[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // a malformed value is ignored, as if the cookie were absent
    }
  }
  return cookies;
}

export interface CookieOptions {
  maxAgeSeconds?: number | null;
  path?: string;
  sameSite?: 'Lax' | 'Strict';
  httpOnly?: boolean;
}

/**
 * Whether cookies are `Secure`: always when MOTCUA_PUBLIC_URL is https (behind a TLS proxy Fastify sees
 * plain http), else when the request came over HTTPS (directly, or via a trusted proxy's X-Forwarded-Proto).
 */
function secureCookies(request: FastifyRequest): boolean {
  return request.cookiesAlwaysSecure || request.protocol === 'https';
}

/**
 * The name a cookie goes by: a `Secure` cookie for the whole site takes the `__Host-` prefix (the browser
 * then refuses it unless Secure, Path=/ and no Domain, so a sibling subdomain cannot plant one); a
 * `Secure` cookie for one path takes `__Secure-`. Plain http keeps the bare name.
 */
export function cookieName(request: FastifyRequest, name: string, path = '/'): string {
  if (!secureCookies(request)) return name;
  return path === '/' ? `__Host-${name}` : `__Secure-${name}`;
}

/** A cookie of this request, by the name it goes by (a bare name is not read when cookies are Secure). */
export function readCookie(request: FastifyRequest, name: string, path = '/'): string | undefined {
  return parseCookies(request.headers.cookie)[cookieName(request, name, path)];
}

export function setCookie(request: FastifyRequest, reply: FastifyReply, name: string, value: string, options: CookieOptions = {}): void {
  const path = options.path ?? '/';
  const parts = [
    `${cookieName(request, name, path)}=${encodeURIComponent(value)}`,
    `Path=${path}`,
    `SameSite=${options.sameSite ?? 'Lax'}`,
  ];
  if (options.httpOnly !== false) parts.push('HttpOnly');
  if (secureCookies(request)) parts.push('Secure');
  if (options.maxAgeSeconds !== undefined && options.maxAgeSeconds !== null) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  void reply.header('set-cookie', parts.join('; '));
}

export function clearCookie(request: FastifyRequest, reply: FastifyReply, name: string, path = '/'): void {
  setCookie(request, reply, name, '', { maxAgeSeconds: 0, path });
}

function isLang(value: unknown): value is WebLang {
  return value === 'vi' || value === 'en';
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The CSRF token a request carries, from the form body or the header. */
export function sentCsrfToken(request: FastifyRequest): string | null {
  const body = request.body;
  if (body && typeof body === 'object' && '_csrf' in body) {
    const value = (body as Record<string, unknown>)._csrf;
    if (typeof value === 'string') return value;
  }
  const header = request.headers['x-csrf-token'];
  return typeof header === 'string' ? header : null;
}

export function csrfMatches(sent: string | null, expected: string | null): boolean {
  return sent !== null && expected !== null && safeEqual(sent, expected);
}

/** A full HTML error page in the user's language. */
export function sendErrorPage(request: FastifyRequest, reply: FastifyReply, status: number, title: string, message: string): FastifyReply {
  const lang = request.webLang;
  const body = html`<h1>${title}</h1><div class="card" role="alert"><p>${message}</p></div><p><a href="/">${texts(lang).errors.back}</a></p>`;
  return sendPage(reply, renderPage({ title, user: request.webUser, csrfToken: request.csrfToken, lang, body }), status);
}

/** The page of an unknown address, in the site's layout (with the staff navigation when signed in). */
export function sendNotFoundPage(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const t = texts(request.webLang).errors;
  return sendErrorPage(request, reply, 404, t.notFoundTitle, t.notFound);
}

export function sendForbidden(request: FastifyRequest, reply: FastifyReply, message?: string): FastifyReply {
  const t = texts(request.webLang).errors;
  return sendErrorPage(request, reply, 403, t.forbiddenTitle, message ?? t.forbidden);
}

/** The page for a database outage (unreachable, timed out, disk full): 503 with `Retry-After` and nothing
 *  technical; null when the error is not one (the caller goes on with its own mapping). */
export function sendBusyPage(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply | null {
  const unavailable = databaseUnavailable(error);
  if (!unavailable) return null;
  const t = texts(request.webLang).errors;
  reply.header('retry-after', String(unavailable.retryAfterSeconds));
  return sendErrorPage(request, reply, 503, t.busyTitle, t.busy);
}

export function sendCsrfFailure(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const t = texts(request.webLang).errors;
  return sendErrorPage(request, reply, 403, t.csrfTitle, t.csrf);
}

const NEXT_BASE = 'http://motcua.invalid';

/**
 * Where a path may be sent back to (after login, after a language switch): parsed as a URL against our
 * own origin and kept only if the origin is unchanged and the path starts with a single `/`. Control
 * characters, whitespace, backslashes and anything over 2,000 characters give the fallback; non-ASCII is
 * percent-encoded, so the Location header is always printable ASCII (a browser strips tabs and newlines
 * before resolving, which is how `/\t/evil.example/` became `//evil.example/`).
 */
export function safeNext(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 2000) return fallback;
  if (!next.startsWith('/') || next.startsWith('//') || /[\\\p{Cc}\p{Cs}\p{Z}\u{FEFF}]/u.test(next)) return fallback;
  let url: URL;
  try {
    url = new URL(next, NEXT_BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== NEXT_BASE || !url.pathname.startsWith('/') || url.pathname.startsWith('//')) return fallback;
  const result = `${url.pathname}${url.search}${url.hash}`;
  return /^\/(?!\/)[\x21-\x7e]*$/.test(result) ? result : fallback;
}

export interface WebSessionDeps {
  readonly accounts: AccountService;
}

export interface WebSessionSetup extends WebSessionDeps {
  readonly config: { readonly sms: { readonly publicBaseUrl: string }; readonly demo: boolean };
}

/** `serve --demo`: every HTML page (staff pages, error pages, the public look-up) opens with a DEMO banner. */
function addDemoBanner(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
    const banner = html`<p class="demo-banner" role="note" lang="${request.webLang}">${texts(request.webLang).security.demoBanner}</p>`;
    return payload.replace(/<body[^>]*>/, (tag) => `${tag}\n${banner.toString()}`);
  });
}

export function registerWebSession(app: FastifyInstance, { accounts, config }: WebSessionSetup): void {
  app.decorateRequest('webUser', null);
  app.decorateRequest('csrfToken', null);
  app.decorateRequest('webLang', 'vi');
  app.decorateRequest('webSessionHash', null);
  app.decorateRequest('cookiesAlwaysSecure', config.sms.publicBaseUrl.startsWith('https://'));
  if (config.demo) addDemoBanner(app);

  app.addHook('onRequest', async (request) => {
    const path = request.url;
    if (path.startsWith('/api/') || path.startsWith('/static/') || path.startsWith('/docs') || OPERATIONS.test(path)) return;
    const sessionId = readCookie(request, SESSION_COOKIE);
    if (sessionId) {
      const session = await accounts.resolveSession(sessionId);
      if (session) {
        request.webUser = session.user;
        request.csrfToken = session.csrfToken;
        request.webSessionHash = session.idHash;
      }
    }
    const query = request.query as Record<string, unknown> | undefined;
    const fromQuery = query?.lang;
    const fromCookie = readCookie(request, LANG_COOKIE);
    request.webLang = isLang(fromQuery) ? fromQuery : isLang(fromCookie) ? fromCookie : (request.webUser?.lang ?? 'vi');
  });

  app.addHook('preHandler', async (request, reply) => {
    if (SAFE_METHODS.has(request.method) || !request.webUser || request.url.startsWith('/api/')) return;
    if (!csrfMatches(sentCsrfToken(request), request.csrfToken)) return sendCsrfFailure(request, reply);
  });
}

/** Starts a session for a user who just proved who they are; the cookie lives until the absolute expiry. */
export async function startSession(
  { accounts }: WebSessionDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  user: WebUser,
): Promise<void> {
  const { id } = await accounts.createSession(user.id, request.ip);
  setCookie(request, reply, SESSION_COOKIE, id, { maxAgeSeconds: SESSION.absoluteMs / 1000 });
}

export async function endSession({ accounts }: WebSessionDeps, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.webSessionHash) await accounts.endSession(request.webSessionHash);
  clearCookie(request, reply, SESSION_COOKIE);
}

function refererPath(request: FastifyRequest): string {
  try {
    return safeNext(request.headers.referer ? new URL(request.headers.referer).pathname : '/');
  } catch {
    return '/';
  }
}

/** Guards a page: no session → 303 to the login page (coming back here after); a role not listed → 403 page. */
export function requireWebUser(roles?: readonly WebRole[]): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const user = request.webUser;
    if (!user) {
      const next = request.method === 'GET' ? request.url : refererPath(request);
      return reply
        .code(303)
        .header('location', `/dang-nhap?next=${encodeURIComponent(next)}`)
        .send();
    }
    if (roles && !roles.includes(user.role)) return sendForbidden(request, reply);
  };
}

/** Error handler for a plugin of web pages: a 4xx `AppError` becomes an HTML page with its message; anything else is logged and shown as a 500 page. */
export function webErrorHandler(deps: { readonly logger: Logger }) {
  return (error: Error & { statusCode?: number }, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const t = texts(request.webLang).errors;
    const busy = sendBusyPage(request, reply, error);
    if (busy) return busy;
    if (error instanceof AppError && error.status < 500) {
      if (error.status === 403) return sendForbidden(request, reply, error.message);
      return sendErrorPage(request, reply, error.status, t.failedTitle, error.message);
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendErrorPage(request, reply, error.statusCode, t.invalidTitle, t.invalid);
    }
    deps.logger.error({ err: error, req: requestForLog(request) }, 'web page error');
    return sendErrorPage(request, reply, 500, t.systemErrorTitle, t.systemError);
  };
}
