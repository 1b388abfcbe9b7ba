/** /tin-nhan: every message, newest first, with filters; each row links to its dossier. */
import { agencyOptions } from '../forms.js';
import { displayPhone } from '../format.js';
import { html, raw, type SafeHtml } from '../html.js';
import type { MessageRow, Page } from '../../reports/report.service.js';
import {
  CHANNELS,
  MESSAGE_KINDS,
  MESSAGE_STATUSES,
  channelLabel,
  failureReasonLabel,
  formatInt,
  formatVnd,
  kindLabel,
  messageStatusLabel,
  t,
} from './i18n.js';
import { LIVE_JS_PATH, queryString, stylesheet, timeTag, type View } from './ui.js';
import { pageRange, pagination, pastEnd } from '../pagination.js';
import { scrollTable } from '../tables.js';

export interface MessageLogFilters {
  kind: string;
  status: string;
  channel: string;
  agency: string;
  from: string;
  to: string;
  q: string;
}

export interface MessageLogModel {
  view: View;
  filters: MessageLogFilters;
  agencyOptions: ReadonlyArray<{ code: string; name: string }>;
  result: Page<MessageRow>;
}

function select(
  id: string,
  name: string,
  label: string,
  current: string,
  options: ReadonlyArray<{ value: string; label: string }>,
  anyLabel: string,
): SafeHtml {
  return html`<div class="field"><label for="${id}">${label}</label><select id="${id}" name="${name}">
<option value="">${anyLabel}</option>
${options.map((o) => html`<option value="${o.value}"${o.value === current ? raw(' selected') : null}>${o.label}</option>`)}
</select></div>`;
}

/** The text on one line, cut with "…"; opening it (a disclosure: keyboard, screen readers, no script needed) shows all of it. */
function messageBody(body: string | null): SafeHtml | string {
  if (!body) return '—';
  return html`<details class="one-line"><summary>${body}</summary></details>`;
}

export function messageLogBody(model: MessageLogModel): SafeHtml {
  const { lang } = model.view;
  const f = model.filters;
  const any = t(lang, 'any');
  const href = (page: number) => `/tin-nhan${queryString({ ...f, page: page === 1 ? null : page })}`;
  return html`${stylesheet()}
<h1>${t(lang, 'messageLog')}</h1>
<form method="get" action="/tin-nhan" class="card filters" aria-label="${t(lang, 'filters')}">
  ${select(
    'f-kind',
    'kind',
    t(lang, 'kind'),
    f.kind,
    Object.keys(MESSAGE_KINDS).map((k) => ({ value: k, label: kindLabel(lang, k) })),
    any,
  )}
  ${select(
    'f-status',
    'status',
    t(lang, 'status'),
    f.status,
    Object.keys(MESSAGE_STATUSES).map((s) => ({ value: s, label: messageStatusLabel(lang, s) })),
    any,
  )}
  ${select(
    'f-channel',
    'channel',
    t(lang, 'channel'),
    f.channel,
    CHANNELS.map((c) => ({ value: c, label: channelLabel(lang, c) })),
    any,
  )}
  ${
    model.agencyOptions.length > 0
      ? select('f-agency', 'agency', t(lang, 'agency'), f.agency, agencyOptions(model.agencyOptions), t(lang, 'allAgencies'))
      : null
  }
  <div class="field"><label for="f-from">${t(lang, 'from')}</label><input type="date" id="f-from" name="from" value="${f.from}"></div>
  <div class="field"><label for="f-to">${t(lang, 'to')}</label><input type="date" id="f-to" name="to" value="${f.to}"></div>
  <div class="field"><label for="f-q">${t(lang, 'phoneOrCode')}</label><input type="search" id="f-q" name="q" value="${f.q}" maxlength="100" autocomplete="off" spellcheck="false"></div>
  <div class="field"><button type="submit">${t(lang, 'filter')}</button></div>
</form>
<p class="field" hidden data-live-wrap><span><input type="checkbox" id="live-refresh" data-live-refresh> <label for="live-refresh">${t(lang, 'autoRefresh')}</label></span></p>
<section aria-labelledby="messages-title">
<h2 id="messages-title">${t(lang, 'messages')}</h2>
${
  pastEnd(lang, model.result, href) ??
  (model.result.items.length === 0
    ? html`<p role="status">${t(lang, 'noMessages')}</p>`
    : html`${pageRange(lang, model.result)}${scrollTable(
        lang,
        { labelledBy: 'messages-title', sticky: true },
        html`<table data-testid="messages">
<caption>${t(lang, 'messageLog')}, ${t(lang, 'page', { n: model.result.page })}</caption>
<thead><tr><th scope="col">${t(lang, 'createdAt')}</th><th scope="col">${t(lang, 'receiptCode')}</th><th scope="col">${t(lang, 'agency')}</th><th scope="col">${t(lang, 'kind')}</th><th scope="col">${t(lang, 'channel')}</th><th scope="col">${t(lang, 'recipient')}</th><th scope="col">${t(lang, 'status')}</th><th scope="col">${t(lang, 'body')}</th><th scope="col" class="num">${t(lang, 'segments')}</th><th scope="col" class="num">${t(lang, 'cost')}</th></tr></thead>
<tbody class="log-rows">${model.result.items.map(
          (m) => html`<tr data-id="${m.id}" data-kind="${m.kind}" data-status="${m.status}">
<th scope="row">${timeTag(m.created_at)}</th>
<td>${m.receipt_code ? html`<a href="/ho-so/${encodeURIComponent(m.receipt_code)}">${m.receipt_code}</a>` : '—'}</td>
<td>${m.agency_code ?? '—'}</td>
<td>${kindLabel(lang, m.kind)}</td>
<td>${channelLabel(lang, m.channel)}</td>
<td>${(m.channel === 'sms' ? displayPhone(m.to_address) : m.to_address) || '—'}</td>
<td>${messageStatusLabel(lang, m.status)}${m.failure_reason ? html`<br><span class="hint">${failureReasonLabel(lang, m.failure_reason)}</span>` : null}</td>
<td class="body-cell">${messageBody(m.body)}</td>
<td class="num">${formatInt(lang, m.segments)}</td>
<td class="num">${formatVnd((m.status === 'cancelled' || m.status === 'failed') && m.sent_at === null ? 0 : m.cost_vnd)}</td>
</tr>`,
        )}</tbody>
</table>`,
      )}${pagination(lang, model.result, href)}`)
}
</section>
${raw(`<script src="${LIVE_JS_PATH}" defer></script>`)}`;
}

/** Reloads the log every 15 s while the box is ticked (shown only when scripts run); the choice is kept for the browser tab. */
export const LIVE_JS = `
(function () {
  'use strict';
  var box = document.querySelector('[data-live-refresh]');
  if (!box) return;
  var wrap = box.closest('[data-live-wrap]');
  if (wrap) wrap.hidden = false;
  var key = 'motcua-live-refresh';
  var timer = null;
  function arm() {
    clearTimeout(timer);
    if (box.checked) timer = setTimeout(function () { location.reload(); }, 15000);
  }
  box.checked = sessionStorage.getItem(key) === '1';
  box.addEventListener('change', function () { sessionStorage.setItem(key, box.checked ? '1' : '0'); arm(); });
  arm();
})();
`;
