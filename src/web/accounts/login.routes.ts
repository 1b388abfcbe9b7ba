/** Login, logout and the language switch. */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatHhMm, localMinutes } from '../../lib/calendar/zone.js';
import { html } from '../html.js';
import { csrfField, formError, formString, textField } from '../forms.js';
import { homeFor, renderPage, sendPage } from '../web.layout.js';
import {
  LANG_COOKIE,
  clearCookie,
  csrfMatches,
  endSession,
  readCookie,
  requireWebUser,
  safeNext,
  sendCsrfFailure,
  setCookie,
  startSession,
} from '../web.session.js';
import type { WebLang } from '../web.types.js';
import { texts } from '../i18n/catalogue.js';
import type { AccountService } from '../../accounts/account.service.js';

const LOGIN_CSRF_COOKIE = 'mcs_login';

function loginPage(request: FastifyRequest, token: string, model: { username: string; next: string; error?: string }): string {
  const lang = request.webLang;
  const t = texts(lang).login;
  const body = html`<h1>${t.title}</h1>
<div class="card narrow">
  <p class="hint">${t.intro}</p>
  ${formError(model.error)}
  <form method="post" action="/dang-nhap" class="stack" novalidate>
    ${csrfField(token)}
    <input type="hidden" name="next" value="${model.next}">
    ${textField({ name: 'username', label: t.username, value: model.username, required: true, autocomplete: 'username', id: 'username' })}
    ${textField({ name: 'password', label: t.password, type: 'password', required: true, autocomplete: 'current-password', id: 'password' })}
    <div><button type="submit">${t.submit}</button></div>
  </form>
</div>
<p class="hint">${t.citizen} <a href="/tra-cuu">${t.lookup}</a>.</p>`;
  return renderPage({ title: t.title, user: null, csrfToken: null, lang, body });
}

/** The login form's CSRF token: a random value in a short-lived cookie, echoed by the form (no session exists yet). */
function loginToken(request: FastifyRequest, reply: FastifyReply): string {
  const existing = readCookie(request, LOGIN_CSRF_COOKIE, '/dang-nhap');
  if (existing && /^[A-Za-z0-9_-]{32,64}$/.test(existing)) return existing;
  const token = randomBytes(24).toString('base64url');
  setCookie(request, reply, LOGIN_CSRF_COOKIE, token, { path: '/dang-nhap', sameSite: 'Strict', maxAgeSeconds: 3600 });
  return token;
}

export interface LoginRoutesDeps {
  readonly accounts: AccountService;
}

export function loginRoutes(app: FastifyInstance, deps: LoginRoutesDeps): void {
  const { accounts } = deps;

  app.get('/', async (request, reply) =>
    reply
      .code(303)
      .header('location', request.webUser ? homeFor(request.webUser) : '/dang-nhap')
      .send(),
  );

  /** `next` is cleaned by safeNext (a NUL in it gives the safe fallback, not a 400). */
  const nextAsGiven = { config: { controlCharactersAllowed: ['querystring.next', 'body.next'] } };

  app.get('/dang-nhap', nextAsGiven, async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next, '');
    if (request.webUser)
      return reply
        .code(303)
        .header('location', next || homeFor(request.webUser))
        .send();
    return sendPage(reply, loginPage(request, loginToken(request, reply), { username: '', next }));
  });

  app.post('/dang-nhap', nextAsGiven, async (request, reply) => {
    const body = request.body;
    const expected = readCookie(request, LOGIN_CSRF_COOKIE, '/dang-nhap') ?? null;
    if (!request.webUser && !csrfMatches(formString(body, '_csrf') || null, expected)) return sendCsrfFailure(request, reply);
    const t = texts(request.webLang).login;
    const username = formString(body, 'username').slice(0, 128);
    const password = formString(body, 'password');
    const next = safeNext(formString(body, 'next'), '');
    const token = loginToken(request, reply);
    if (!username.trim() || !password) return sendPage(reply, loginPage(request, token, { username, next, error: t.required }), 400);
    const result = await accounts.login(username, password, request.ip);
    if (!result.ok) {
      if (result.reason === 'invalid') return sendPage(reply, loginPage(request, token, { username, next, error: t.invalid }), 401);
      const s = texts(request.webLang).security;
      if (result.reason === 'busy') {
        reply.header('retry-after', '2');
        return sendPage(reply, loginPage(request, token, { username, next, error: s.busy }), 429);
      }
      const until = formatHhMm(localMinutes(new Date(result.until + 59_999)));
      const message = { locked_pair: s.lockedPair, locked_ip: s.lockedIp, locked_user: s.lockedUser }[result.reason](until);
      reply.header('retry-after', String(result.retryAfterSeconds));
      return sendPage(reply, loginPage(request, token, { username, next, error: message }), 429);
    }
    if (request.webSessionHash) await accounts.endSession(request.webSessionHash);
    await startSession(deps, request, reply, result.user);
    clearCookie(request, reply, LOGIN_CSRF_COOKIE, '/dang-nhap');
    return reply
      .code(303)
      .header('location', next || homeFor(result.user))
      .send();
  });

  app.post('/dang-xuat', { preHandler: requireWebUser() }, async (request, reply) => {
    await endSession(deps, request, reply);
    return reply.code(303).header('location', '/dang-nhap').send();
  });

  app.get('/ngon-ngu', nextAsGiven, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const lang: WebLang = query.lang === 'en' ? 'en' : 'vi';
    setCookie(request, reply, LANG_COOKIE, lang, { maxAgeSeconds: 365 * 86_400 });
    let back = safeNext(query.next, '');
    if (!back && request.headers.referer) {
      try {
        const referer = new URL(request.headers.referer);
        if (referer.host === request.host)
          back = safeNext(`${referer.pathname}${referer.search.replace(/([?&])lang=(vi|en)&?/, '$1').replace(/[?&]$/, '')}`);
      } catch {
        back = '';
      }
    }
    return reply
      .code(303)
      .header('location', back || '/')
      .send();
  });
}
