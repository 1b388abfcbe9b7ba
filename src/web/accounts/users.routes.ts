/** /tai-khoan: the administrator creates accounts, changes role and agency, resets passwords, disables. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../html.js';
import { agencyOptions, csrfField, fieldErrorOf, formError, formString, selectField, textField, type FieldErrors } from '../forms.js';
import { pageOf, pageRange, pagination, pastEnd } from '../pagination.js';
import { renderPage, sendPage, type Flash } from '../web.layout.js';
import { requireWebUser } from '../web.session.js';
import { WEB_ROLES, type WebLang } from '../web.types.js';
import { formatDateTime } from '../format.js';
import { texts } from '../i18n/catalogue.js';
import type { AccountService, UserView } from '../../accounts/account.service.js';
import type { AuditService } from '../../accounts/audit.service.js';
import type { AgencyService } from '../../reference/agency.service.js';
import { LOGIN_LOCKS_PATH, loginLocksRoutes } from './login-locks.routes.js';

/** What the audit log keeps of an account (never the password hash). */
const auditView = (u: UserView) => ({
  username: u.username,
  displayName: u.displayName,
  role: u.role,
  agencyCode: u.agencyCode,
  lang: u.lang,
  disabled: u.disabled,
});

export interface UsersRoutesDeps {
  readonly accounts: AccountService;
  readonly audit: AuditService;
  readonly agencies: AgencyService;
}

const roleOptions = (lang: WebLang) => WEB_ROLES.map((r) => ({ value: r, label: texts(lang).roles[r] }));
const langOptions = (lang: WebLang) => [
  { value: 'vi', label: texts(lang).users.vi },
  { value: 'en', label: texts(lang).users.en },
];

interface UserForm {
  username: string;
  displayName: string;
  role: string;
  agencyCode: string;
  lang: string;
}

function page(request: FastifyRequest, title: string, body: SafeHtml, flash?: Flash | null): string {
  return renderPage({
    title,
    user: request.webUser,
    csrfToken: request.csrfToken,
    lang: request.webLang,
    active: '/tai-khoan',
    body,
    flash: flash ?? null,
  });
}

const USERS_PAGE_SIZE = 50;

export function usersRoutes(app: FastifyInstance, deps: UsersRoutesDeps): void {
  const { accounts, audit } = deps;
  const guard = { preHandler: requireWebUser(['admin']) };
  loginLocksRoutes(app, deps);

  const listPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: UserForm,
    errors: FieldErrors,
    flash: Flash | null,
    status = 200,
  ) => {
    const lang = request.webLang;
    const t = texts(lang).users;
    // Accounts are few: one list read, paged in memory like the other lists.
    const requested = Number.parseInt(String((request.query as Record<string, unknown> | undefined)?.trang ?? '1'), 10);
    const users = pageOf(await accounts.list(), Math.max(1, Math.min(1_000_000, requested || 1)), USERS_PAGE_SIZE);
    const href = (n: number) => (n === 1 ? '/tai-khoan' : `/tai-khoan?trang=${n}`);
    const body = html`<h1>${t.title}</h1>
<p><a href="${LOGIN_LOCKS_PATH}">${texts(lang).security.locksLink}</a></p>
<section class="card" aria-labelledby="list-title">
  <h2 id="list-title">${t.list}</h2>
  ${
    pastEnd(lang, users, href) ??
    html`${pageRange(lang, users)}
  <div class="table-wrap"><table>
    <caption class="visually-hidden">${t.list}</caption>
    <thead><tr><th scope="col">${t.username}</th><th scope="col">${t.displayName}</th><th scope="col">${t.role}</th><th scope="col">${t.agency}</th><th scope="col">${t.status}</th><th scope="col"><span class="visually-hidden">${t.edit}</span></th></tr></thead>
    <tbody>${users.items.map(
      (u) =>
        html`<tr><td>${u.username}</td><td>${u.displayName}</td><td>${texts(lang).roles[u.role]}</td><td>${u.agencyCode ?? '—'}</td><td>${u.disabled ? t.disabled : t.active}</td><td><a href="/tai-khoan/${u.id}">${t.edit}<span class="visually-hidden"> ${u.username}</span></a></td></tr>`,
    )}</tbody>
  </table></div>
  ${pagination(lang, users, href)}`
  }
</section>
<section class="card" aria-labelledby="create-title">
  <h2 id="create-title">${t.createTitle}</h2>
  ${formError(errors._form)}
  <form method="post" action="/tai-khoan" class="stack" novalidate>
    ${csrfField(request.csrfToken)}
    <div class="grid two">
      ${textField({ name: 'username', label: t.username, value: form.username, error: errors.username, required: true, autocomplete: 'off' })}
      ${textField({ name: 'displayName', label: t.displayName, value: form.displayName, error: errors.displayName, required: true, autocomplete: 'off' })}
      ${selectField({ name: 'role', label: t.role, value: form.role, options: roleOptions(lang), error: errors.role })}
      ${selectField({ name: 'agencyCode', label: t.agency, value: form.agencyCode, options: agencyOptions(await deps.agencies.list(), t.noAgency), error: errors.agencyCode })}
      ${selectField({ name: 'lang', label: t.lang, value: form.lang, options: langOptions(lang) })}
      ${textField({ name: 'password', label: t.password, type: 'password', error: errors.password, hint: t.passwordHint, required: true, autocomplete: 'new-password' })}
    </div>
    <div><button type="submit">${t.create}</button></div>
  </form>
</section>`;
    return sendPage(reply, page(request, t.title, body, flash), status);
  };

  app.get('/tai-khoan', guard, async (request, reply) => {
    const flash =
      (request.query as Record<string, unknown>).ok === 'created'
        ? { kind: 'success' as const, message: texts(request.webLang).users.saved }
        : null;
    return listPage(request, reply, { username: '', displayName: '', role: 'clerk', agencyCode: '', lang: 'vi' }, {}, flash);
  });

  app.post('/tai-khoan', guard, async (request, reply) => {
    const body = request.body;
    const form: UserForm = {
      username: formString(body, 'username'),
      displayName: formString(body, 'displayName'),
      role: formString(body, 'role'),
      agencyCode: formString(body, 'agencyCode'),
      lang: formString(body, 'lang') === 'en' ? 'en' : 'vi',
    };
    try {
      const created = await accounts.create({
        ...form,
        agencyCode: form.agencyCode || null,
        password: formString(body, 'password'),
        lang: form.lang as WebLang,
      });
      await audit.record(request.webUser!, {
        action: 'user.create',
        entity: 'user',
        entityId: created.id,
        after: auditView(created),
        ip: request.ip,
      });
      return reply.code(303).header('location', `/tai-khoan/${created.id}?ok=created`).send();
    } catch (error) {
      const field = fieldErrorOf(error);
      if (!field) throw error;
      return listPage(request, reply, form, { [field.field]: field.message }, null, (error as { status: number }).status);
    }
  });

  const editPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    user: UserView,
    errors: FieldErrors,
    flash: Flash | null,
    status = 200,
  ) => {
    const lang = request.webLang;
    const t = texts(lang).users;
    const body = html`<p><a href="/tai-khoan">${t.back}</a></p>
<h1>${user.username}</h1>
<p class="hint">${t.createdAt}: ${formatDateTime(user.createdAt)} · ${t.status}: <strong>${user.disabled ? t.disabled : t.active}</strong></p>
<section class="card" aria-labelledby="edit-title">
  <h2 id="edit-title">${t.edit}</h2>
  ${formError(errors._form)}
  <form method="post" action="/tai-khoan/${user.id}" class="stack" novalidate>
    ${csrfField(request.csrfToken)}
    <div class="grid two">
      ${textField({ name: 'displayName', label: t.displayName, value: user.displayName, error: errors.displayName, required: true })}
      ${selectField({ name: 'role', label: t.role, value: user.role, options: roleOptions(lang), error: errors.role })}
      ${selectField({ name: 'agencyCode', label: t.agency, value: user.agencyCode ?? '', options: agencyOptions(await deps.agencies.list(), t.noAgency), error: errors.agencyCode })}
      ${selectField({ name: 'lang', label: t.lang, value: user.lang, options: langOptions(lang) })}
    </div>
    <div><button type="submit">${t.save}</button></div>
  </form>
</section>
<section class="card" aria-labelledby="reset-title">
  <h2 id="reset-title">${t.resetTitle}</h2>
  <form method="post" action="/tai-khoan/${user.id}/mat-khau" class="stack" novalidate>
    ${csrfField(request.csrfToken)}
    ${textField({ name: 'password', label: t.newPassword, type: 'password', error: errors.password, hint: t.passwordHint, required: true, autocomplete: 'new-password' })}
    <div><button type="submit">${t.reset}</button></div>
  </form>
</section>
<section class="card" aria-labelledby="locks-title">
  <h2 id="locks-title">${texts(lang).security.clearUser}</h2>
  <p class="hint">${texts(lang).security.clearUserHint}</p>
  <form method="post" action="/tai-khoan/${user.id}/go-khoa-dang-nhap">
    ${csrfField(request.csrfToken)}
    <button type="submit">${texts(lang).security.clearUser}</button>
  </form>
</section>
<section class="card" aria-labelledby="disable-title">
  <h2 id="disable-title">${user.disabled ? t.enable : t.disable}</h2>
  <p class="hint">${t.disableHint}</p>
  <form method="post" action="/tai-khoan/${user.id}/${user.disabled ? 'mo-khoa' : 'khoa'}">
    ${csrfField(request.csrfToken)}
    <button type="submit" class="${user.disabled ? '' : 'danger'}">${user.disabled ? t.enable : t.disable}</button>
  </form>
</section>`;
    return sendPage(reply, page(request, user.username, body, flash), status);
  };

  const idOf = (request: FastifyRequest): number => {
    const id = Number((request.params as { id: string }).id);
    return Number.isSafeInteger(id) && id > 0 ? id : 0;
  };

  app.get('/tai-khoan/:id', guard, async (request, reply) => {
    const ok = (request.query as Record<string, unknown>).ok;
    const t = texts(request.webLang).users;
    const messages: Record<string, string> = {
      created: t.saved,
      saved: t.saved,
      reset: t.resetDone,
      disabled: t.disabledDone,
      enabled: t.enabledDone,
    };
    const cleared = Number((request.query as Record<string, unknown>).n);
    if (Number.isSafeInteger(cleared) && cleared >= 0) messages.locks = texts(request.webLang).security.clearedUser(cleared);
    const flash = typeof ok === 'string' && messages[ok] ? { kind: 'success' as const, message: messages[ok] } : null;
    return editPage(request, reply, await accounts.get(idOf(request)), {}, flash);
  });

  app.post('/tai-khoan/:id', guard, async (request, reply) => {
    const id = idOf(request);
    const current = await accounts.get(id);
    const body = request.body;
    const changes = {
      displayName: formString(body, 'displayName'),
      role: formString(body, 'role'),
      agencyCode: formString(body, 'agencyCode') || null,
      lang: (formString(body, 'lang') === 'en' ? 'en' : 'vi') as WebLang,
    };
    if (id === request.webUser!.id && changes.role !== 'admin') {
      return editPage(request, reply, current, { role: texts(request.webLang).users.self }, null, 400);
    }
    try {
      const { before, after } = await accounts.update(id, changes);
      await audit.record(request.webUser!, {
        action: 'user.update',
        entity: 'user',
        entityId: id,
        before: auditView(before),
        after: auditView(after),
        ip: request.ip,
      });
      return reply.code(303).header('location', `/tai-khoan/${id}?ok=saved`).send();
    } catch (error) {
      const field = fieldErrorOf(error);
      if (!field) throw error;
      return editPage(request, reply, current, { [field.field]: field.message }, null, (error as { status: number }).status);
    }
  });

  app.post('/tai-khoan/:id/mat-khau', guard, async (request, reply) => {
    const id = idOf(request);
    const current = await accounts.get(id);
    try {
      const { loginLocksCleared } = await accounts.resetPassword(id, formString(request.body, 'password'));
      await audit.record(request.webUser!, {
        action: 'user.password_reset',
        entity: 'user',
        entityId: id,
        before: { username: current.username },
        after: { username: current.username, passwordChanged: true, loginLocksCleared },
        ip: request.ip,
      });
      return reply.code(303).header('location', `/tai-khoan/${id}?ok=reset`).send();
    } catch (error) {
      const field = fieldErrorOf(error);
      if (!field) throw error;
      return editPage(request, reply, current, { [field.field]: field.message }, null, 400);
    }
  });

  for (const [path, disabled] of [
    ['khoa', true],
    ['mo-khoa', false],
  ] as const) {
    app.post(`/tai-khoan/:id/${path}`, guard, async (request, reply) => {
      const id = idOf(request);
      if (disabled && id === request.webUser!.id)
        return editPage(request, reply, await accounts.get(id), { _form: texts(request.webLang).users.self }, null, 400);
      const { before, after } = await accounts.setDisabled(id, disabled);
      if (before.disabled !== after.disabled) {
        await audit.record(request.webUser!, {
          action: disabled ? 'user.disable' : 'user.enable',
          entity: 'user',
          entityId: id,
          before: auditView(before),
          after: auditView(after),
          ip: request.ip,
        });
      }
      return reply
        .code(303)
        .header('location', `/tai-khoan/${id}?ok=${disabled ? 'disabled' : 'enabled'}`)
        .send();
    });
  }
}
