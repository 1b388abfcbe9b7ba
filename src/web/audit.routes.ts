/** /nhat-ky: the audit log, for administrators, with filters. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../main/context.js';
import { html } from './html.js';
import { selectField, textField } from './forms.js';
import { renderPage, sendPage } from './web.layout.js';
import { requireWebUser } from './web.session.js';
import { auditFacets, listAudit } from '../accounts/audit.repository.js';
import { formatDateTime, parseLocalDate } from './format.js';

const PAGE_SIZE = 50;

const T = {
  vi: {
    title: 'Nhật ký thay đổi',
    intro: 'Mọi thay đổi người dùng thực hiện qua giao diện web: ai, lúc nào, thay đổi gì, giá trị trước và sau.',
    filters: 'Lọc nhật ký',
    username: 'Người thực hiện (tên đăng nhập)',
    entity: 'Đối tượng',
    action: 'Thao tác',
    entityId: 'Mã đối tượng',
    from: 'Từ ngày',
    to: 'Đến ngày',
    all: '— Tất cả —',
    apply: 'Lọc',
    at: 'Thời điểm',
    who: 'Người thực hiện',
    before: 'Trước',
    after: 'Sau',
    none: 'Không có bản ghi nào khớp bộ lọc.',
    older: 'Xem các bản ghi cũ hơn',
    badDate: 'Ngày không hợp lệ (dạng YYYY-MM-DD).',
  },
  en: {
    title: 'Audit log',
    intro: 'Every change people make through the web screens: who, when, what, the values before and after.',
    filters: 'Filter the log',
    username: 'By (username)',
    entity: 'Entity',
    action: 'Action',
    entityId: 'Entity id',
    from: 'From',
    to: 'To',
    all: '— All —',
    apply: 'Filter',
    at: 'When',
    who: 'Who',
    before: 'Before',
    after: 'After',
    none: 'No entries match the filter.',
    older: 'Show older entries',
    badDate: 'Invalid date (YYYY-MM-DD).',
  },
} as const;

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

export function auditRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/nhat-ky', { preHandler: requireWebUser(['admin']) }, async (request, reply) => {
    const lang = request.webLang;
    const t = T[lang];
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
    const beforeId = Number(str('beforeId')) || undefined;
    const [rows, facets] = await Promise.all([
      listAudit(ctx.db, {
        username: filter.username.toLowerCase() || undefined,
        entity: filter.entity || undefined,
        action: filter.action || undefined,
        entityId: filter.entityId || undefined,
        from: from ?? undefined,
        to: to ?? undefined,
        limit: PAGE_SIZE,
        beforeId,
      }),
      auditFacets(ctx.db),
    ]);
    const options = (values: string[]) => [{ value: '', label: t.all }, ...values.map((v) => ({ value: v, label: v }))];
    const last = rows.at(-1);
    const olderQuery = new URLSearchParams({ ...filter, beforeId: String(last?.id ?? '') }).toString();
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
  rows.length === 0
    ? html`<p class="card">${t.none}</p>`
    : html`<div class="table-wrap"><table>
  <caption class="visually-hidden">${t.title}</caption>
  <thead><tr><th scope="col">${t.at}</th><th scope="col">${t.who}</th><th scope="col">${t.action}</th><th scope="col">${t.entity}</th><th scope="col">${t.before}</th><th scope="col">${t.after}</th></tr></thead>
  <tbody>${rows.map(
    (r) =>
      html`<tr data-audit-id="${Number(r.id)}"><td>${formatDateTime(Number(r.at))}</td><td>${r.username}</td><td>${r.action}</td><td>${r.entity}${r.entity_id ? html` <strong>${r.entity_id}</strong>` : null}</td><td>${pretty(r.before_json)}</td><td>${pretty(r.after_json)}</td></tr>`,
  )}</tbody>
</table></div>
${rows.length === PAGE_SIZE ? html`<p><a href="/nhat-ky?${olderQuery}">${t.older}</a></p>` : null}`
}`;
    const status = Object.keys(errors).length > 0 ? 400 : 200;
    return sendPage(
      reply,
      renderPage({ title: t.title, user: request.webUser, csrfToken: request.csrfToken, lang, active: '/nhat-ky', body }),
      status,
    );
  });
}
