/**
 * /tai-khoan/khoa-dang-nhap: the administrator sees the login throttling counters (per account and
 * address, per address, per account) and clears them; each clear is audited. A user's page clears every
 * counter of that username at once.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html } from '../html.js';
import { csrfField } from '../forms.js';
import { renderPage, sendPage, type Flash } from '../web.layout.js';
import { requireWebUser } from '../web.session.js';
import { formatDateTime } from '../format.js';
import { texts } from '../i18n/catalogue.js';
import { badRequest } from '../../platform/errors.js';
import type { AccountService } from '../../accounts/account.service.js';
import type { AuditService } from '../../accounts/audit.service.js';

export const LOGIN_LOCKS_PATH = '/tai-khoan/khoa-dang-nhap';
const SCOPES = ['pair', 'ip', 'user'] as const;

export interface LoginLocksRoutesDeps {
  readonly accounts: AccountService;
  readonly audit: AuditService;
}

const field = (body: unknown, name: string): string => {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
};

export function loginLocksRoutes(app: FastifyInstance, deps: LoginLocksRoutesDeps): void {
  const { accounts, audit } = deps;
  const guard = { preHandler: requireWebUser(['admin']) };

  const listPage = async (request: FastifyRequest, reply: FastifyReply, flash: Flash | null) => {
    const lang = request.webLang;
    const t = texts(lang).security;
    const locks = await accounts.loginLocks();
    const rows = locks.map(
      (l) => html`<tr>
  <td>${t.scopes[l.scope]}</td><td>${l.username || '—'}</td><td>${l.ip || '—'}</td><td class="num">${l.failures}</td>
  <td>${formatDateTime(l.lastAt)}</td><td>${l.blocking ? html`<strong>${formatDateTime(l.blockedUntil)}</strong>` : t.notBlocked}</td>
  <td><form method="post" action="${LOGIN_LOCKS_PATH}/go">
    ${csrfField(request.csrfToken)}
    <input type="hidden" name="scope" value="${l.scope}"><input type="hidden" name="username" value="${l.username}"><input type="hidden" name="ip" value="${l.ip}">
    <button type="submit">${t.clear}<span class="visually-hidden"> ${l.username} ${l.ip}</span></button>
  </form></td>
</tr>`,
    );
    const body = html`<p><a href="/tai-khoan">${texts(lang).users.back}</a></p>
<h1>${t.locksTitle}</h1>
<p class="hint">${t.locksIntro}</p>
<section class="card">
  ${
    locks.length === 0
      ? html`<p>${t.noLocks}</p>`
      : html`<div class="table-wrap"><table>
    <caption class="visually-hidden">${t.locksTitle}</caption>
    <thead><tr><th scope="col">${t.scope}</th><th scope="col">${t.username}</th><th scope="col">${t.address}</th><th scope="col">${t.failures}</th><th scope="col">${t.lastAt}</th><th scope="col">${t.blockedUntil}</th><th scope="col"><span class="visually-hidden">${t.clear}</span></th></tr></thead>
    <tbody>${rows}</tbody>
  </table></div>`
  }
</section>`;
    return sendPage(
      reply,
      renderPage({ title: t.locksTitle, user: request.webUser, csrfToken: request.csrfToken, lang, active: '/tai-khoan', body, flash }),
    );
  };

  app.get(LOGIN_LOCKS_PATH, guard, async (request, reply) => {
    const ok = (request.query as Record<string, unknown>).ok;
    const t = texts(request.webLang).security;
    const flash =
      ok === 'cleared'
        ? { kind: 'success' as const, message: t.cleared }
        : ok === 'gone'
          ? { kind: 'info' as const, message: t.nothingCleared }
          : null;
    return listPage(request, reply, flash);
  });

  app.post(`${LOGIN_LOCKS_PATH}/go`, guard, async (request, reply) => {
    const scope = field(request.body, 'scope');
    if (!(SCOPES as readonly string[]).includes(scope))
      throw badRequest('VALIDATION_FAILED', `Phạm vi phải là một trong: ${SCOPES.join(', ')}.`, { field: 'scope' });
    const key = { scope: scope as (typeof SCOPES)[number], username: field(request.body, 'username'), ip: field(request.body, 'ip') };
    const lock = (await accounts.loginLocks()).find((l) => l.scope === key.scope && l.username === key.username && l.ip === key.ip);
    const cleared = await accounts.clearLoginLock(key);
    if (cleared) {
      await audit.record(request.webUser!, {
        action: 'login_lock.clear',
        entity: 'login_lock',
        entityId: `${key.scope}:${key.username}@${key.ip}`,
        before: lock ? { ...key, failures: lock.failures, blockedUntil: lock.blockedUntil } : key,
        after: null,
        ip: request.ip,
      });
    }
    return reply
      .code(303)
      .header('location', `${LOGIN_LOCKS_PATH}?ok=${cleared ? 'cleared' : 'gone'}`)
      .send();
  });

  app.post('/tai-khoan/:id/go-khoa-dang-nhap', guard, async (request, reply) => {
    const id = Number((request.params as { id: string }).id);
    const user = await accounts.get(Number.isSafeInteger(id) && id > 0 ? id : 0);
    const cleared = await accounts.clearLoginLocksOf(user.username);
    if (cleared.length > 0) {
      await audit.record(request.webUser!, {
        action: 'login_lock.clear_user',
        entity: 'user',
        entityId: user.id,
        before: {
          username: user.username,
          locks: cleared.map((l) => ({ scope: l.scope, ip: l.ip, failures: l.failures, blockedUntil: l.blockedUntil })),
        },
        after: { username: user.username, locks: [] },
        ip: request.ip,
      });
    }
    return reply.code(303).header('location', `/tai-khoan/${user.id}?ok=locks&n=${cleared.length}`).send();
  });
}
