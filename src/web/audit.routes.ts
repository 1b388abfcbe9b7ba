/** /nhat-ky: the audit log, for administrators, with filters. */
import type { FastifyInstance } from 'fastify';
import { html } from './html.js';
import { selectField, textField } from './forms.js';
import { renderPage, sendPage } from './web.layout.js';
import { requireWebUser } from './web.session.js';
import type { AuditService } from '../accounts/audit.service.js';
import { formatDateTime, parseLocalDate } from './format.js';
import { texts } from './i18n/catalogue.js';
import { pageRange, pagination, pastEnd } from './pagination.js';

const PAGE_SIZE = 50;

function pretty(jsonText: string | null) {
  if (jsonText === null) return html`<span class="hint">—</span>`;
  let text = jsonText;
  try {
    text = JSON.stringify(JSON.parse(jsonText), null, 1);
  } catch {
    // shown as stored
  }
  return html`<pre class="json">${text}</pre>`;
}

export interface AuditRoutesDeps {
  readonly audit: AuditService;
}

export function auditRoutes(app: FastifyInstance, deps: AuditRoutesDeps): void {
  app.get('/nhat-ky', { preHandler: requireWebUser(['admin']) }, async (request, reply) => {
    const lang = request.webLang;
    const t = texts(lang).audit;
    const q = request.query as Record<string, unknown>;
    const str = (name: string) => (typeof q[name] === 'string' ? (q[name] as string).trim().slice(0, 200) : '');
    const filter = {
      username: str('username'),
      entity: str('entity'),
      action: str('action'),
      entityId: str('entityId'),
      from: str('from'),
      to: str('to'),
    };
    const from = parseLocalDate(filter.from);
    const to = parseLocalDate(filter.to, true);
    const errors: Record<string, string> = {};
    if (filter.from && from === null) errors.from = t.badDate;
    if (filter.to && to === null) errors.to = t.badDate;
    const page = Math.max(1, Math.min(1_000_000, Number.parseInt(str('trang'), 10) || 1));
    const [listed, facets] = await Promise.all([
      deps.audit.page(
        {
          username: filter.username.toLowerCase() || undefined,
          entity: filter.entity || undefined,
          action: filter.action || undefined,
          entityId: filter.entityId || undefined,
          from: from ?? undefined,
          to: to ?? undefined,
        },
        { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE },
      ),
      deps.audit.facets(),
    ]);
    const rows = listed.items;
    const paging = { page, pageSize: PAGE_SIZE, total: listed.total };
    const href = (n: number) => {
      const search = new URLSearchParams(Object.entries(filter).filter(([, value]) => value !== ''));
      if (n > 1) search.set('trang', String(n));
      const text = search.toString();
      return text ? `/nhat-ky?${text}` : '/nhat-ky';
    };
    const options = (values: string[]) => [{ value: '', label: t.all }, ...values.map((v) => ({ value: v, label: v }))];
    const body = html`<h1>${t.title}</h1>
<p class="hint">${t.intro}</p>
<form method="get" action="/nhat-ky" class="card filters" aria-label="${t.filters}">
  ${textField({ name: 'username', label: t.username, value: filter.username })}
  ${selectField({ name: 'entity', label: t.entity, value: filter.entity, options: options(facets.entities) })}
  ${selectField({ name: 'action', label: t.action, value: filter.action, options: options(facets.actions) })}
  ${textField({ name: 'entityId', label: t.entityId, value: filter.entityId })}
  ${textField({ name: 'from', label: t.from, type: 'date', value: filter.from, error: errors.from })}
  ${textField({ name: 'to', label: t.to, type: 'date', value: filter.to, error: errors.to })}
  <div><button type="submit">${t.apply}</button></div>
</form>
${
  pastEnd(lang, paging, href) ??
  (rows.length === 0
    ? html`<p class="card">${t.none}</p>`
    : html`${pageRange(lang, paging)}<div class="table-wrap"><table>
  <caption class="visually-hidden">${t.title}</caption>
  <thead><tr><th scope="col">${t.at}</th><th scope="col">${t.who}</th><th scope="col">${t.action}</th><th scope="col">${t.entity}</th><th scope="col">${t.before}</th><th scope="col">${t.after}</th></tr></thead>
  <tbody>${rows.map(
    (r) =>
      html`<tr data-audit-id="${r.id}"><td>${formatDateTime(r.at)}</td><td>${r.username}</td><td>${r.action}</td><td>${r.entity}${r.entityId ? html` <strong>${r.entityId}</strong>` : null}</td><td>${pretty(r.beforeJson)}</td><td>${pretty(r.afterJson)}</td></tr>`,
  )}</tbody>
</table></div>
${pagination(lang, paging, href)}`)
}`;
    const status = Object.keys(errors).length > 0 ? 400 : 200;
    return sendPage(
      reply,
      renderPage({ title: t.title, user: request.webUser, csrfToken: request.csrfToken, lang, active: '/nhat-ky', body }),
      status,
    );
  });
}
