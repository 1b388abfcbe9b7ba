/** /ho-so: search dossiers by receipt code, phone or name; /ho-so/:code: one dossier's timeline. */
import type { DossierDetail, DossierJson } from '../../dossiers/dossier.view.js';
import { html, raw, type SafeHtml } from '../html.js';
import { displayPhone } from '../format.js';
import type { WebLang } from '../web.types.js';
import type { Page, StoredMessage } from '../../reports/report.service.js';
import {
  channelLabel,
  encodingLabel,
  eventLabel,
  failureReasonLabel,
  formatInt,
  formatVnd,
  kindLabel,
  messageStatusLabel,
  portalLabel,
  returnMethodLabel,
  stateLabel,
  t,
} from './i18n.js';
import { deadlineBadge, queryString, stylesheet, timeTag, type View } from './ui.js';
import { pageRange, pagination, pastEnd } from '../pagination.js';
import { scrollTable } from '../tables.js';

export interface DossierSearchModel {
  view: View;
  q: string;
  agencyCode: string | null;
  agencyOptions: ReadonlyArray<{ code: string; name: string }>;
  result: Page<DossierJson>;
}

export function dossierSearchBody(model: DossierSearchModel): SafeHtml {
  const { lang } = model.view;
  const href = (page: number) => `/ho-so${queryString({ q: model.q, agency: model.agencyCode, page: page === 1 ? null : page })}`;
  return html`${stylesheet()}
<h1>${t(lang, 'dossierSearch')}</h1>
<form method="get" action="/ho-so" class="card filters" role="search">
  <div class="field"><label for="f-q">${t(lang, 'searchLabel')}</label>
    <input type="search" id="f-q" name="q" value="${model.q}" maxlength="100" aria-describedby="f-q-hint" autocomplete="off" spellcheck="false">
    <p class="hint" id="f-q-hint">${t(lang, 'searchHint')}</p></div>
  ${
    model.agencyOptions.length > 0
      ? html`<div class="field"><label for="f-agency">${t(lang, 'agency')}</label><select id="f-agency" name="agency">
      <option value="">${t(lang, 'allAgencies')}</option>
      ${model.agencyOptions.map((a) => html`<option value="${a.code}"${a.code === model.agencyCode ? raw(' selected') : null}>${a.code} – ${a.name}</option>`)}
    </select></div>`
      : null
  }
  <div class="field"><button type="submit">${t(lang, 'search')}</button></div>
</form>
<section aria-labelledby="results-title">
<h2 id="results-title">${t(lang, 'results')}</h2>
${
  pastEnd(lang, model.result, href) ??
  (model.result.items.length === 0
    ? html`<p role="status">${t(lang, 'noResults')}</p>`
    : html`${pageRange(lang, model.result)}${scrollTable(
        lang,
        { labelledBy: 'results-title', sticky: true },
        html`<table data-testid="dossiers">
<caption>${t(lang, 'results')}${model.q ? ` – “${model.q}”` : ''}, ${t(lang, 'page', { n: model.result.page })}</caption>
<thead><tr><th scope="col">${t(lang, 'receiptCode')}</th><th scope="col">${t(lang, 'applicant')}</th><th scope="col">${t(lang, 'phone')}</th><th scope="col">${t(lang, 'agency')}</th><th scope="col">${t(lang, 'state')}</th><th scope="col">${t(lang, 'step')}</th><th scope="col">${t(lang, 'dueAt')}</th><th scope="col">${t(lang, 'deadline')}</th></tr></thead>
<tbody>${model.result.items.map(
          (d) => html`<tr data-code="${d.receiptCode}">
<th scope="row" class="nowrap"><a href="/ho-so/${encodeURIComponent(d.receiptCode)}">${d.receiptCode}</a></th>
<td>${d.applicant.name}</td><td>${phoneText(lang, d)}</td><td>${d.agencyCode}</td><td>${stateLabel(lang, d.state)}</td><td>${d.step}</td>
<td>${timeTag(d.dueAt)}</td><td>${deadlineBadge(lang, d.onTime)}</td></tr>`,
        )}</tbody>
</table>`,
      )}${pagination(lang, model.result, href)}`)
}
</section>`;
}

function phoneText(lang: WebLang, d: DossierJson): SafeHtml {
  const number = displayPhone(d.phone.e164) || (d.phone.input ?? '');
  if (d.phone.problem === null) return html`${number}`;
  const reason = failureReasonLabel(
    lang,
    d.phone.problem === 'missing'
      ? 'no_phone'
      : d.phone.problem === 'foreign'
        ? 'foreign_phone'
        : d.phone.problem === 'invalid'
          ? 'invalid_phone'
          : 'landline',
  );
  return html`${number ? html`${number}<br>` : null}<span class="badge late">! ${reason}</span>`;
}

export interface DossierDetailModel {
  view: View;
  detail: DossierDetail;
  agencyName: string;
  procedureName: string;
  messages: readonly StoredMessage[];
}

type TimelineItem =
  | { sort: [number, number, number]; kind: 'intake' }
  | { sort: [number, number, number]; kind: 'event'; event: DossierDetail['events'][number] }
  | { sort: [number, number, number]; kind: 'message'; message: StoredMessage };

/** Intake, events and messages by time; at the same instant an event comes before the messages it caused. */
export function timeline(detail: DossierDetail, messages: readonly StoredMessage[]): TimelineItem[] {
  const items: TimelineItem[] = [
    { sort: [Date.parse(detail.dossier.receivedAt), 0, 0], kind: 'intake' },
    ...detail.events.map((event): TimelineItem => ({ sort: [Date.parse(event.at), 1, event.seq], kind: 'event', event })),
    ...messages.map((message): TimelineItem => ({ sort: [message.created_at, 2, message.id], kind: 'message', message })),
  ];
  return items.sort((a, b) => a.sort[0] - b.sort[0] || a.sort[1] - b.sort[1] || a.sort[2] - b.sort[2]);
}

function statusBadge(lang: WebLang, status: string): SafeHtml {
  const mark = status === 'delivered' ? '✓' : status === 'failed' ? '✗' : status === 'cancelled' ? '–' : '…';
  const cls = status === 'delivered' ? 'ontime' : status === 'failed' ? 'late' : 'neutral';
  return html`<span class="badge ${cls}" data-status="${status}">${mark} ${messageStatusLabel(lang, status)}</span>`;
}

function messageItem(lang: WebLang, m: StoredMessage): SafeHtml {
  // A cancelled or failed message never left: it has no sending time and costs nothing.
  const unsent = (m.status === 'cancelled' || m.status === 'failed') && m.sent_at === null;
  const fact = (label: string, value: SafeHtml | string | null) => (value === null ? null : html`<dt>${label}</dt><dd>${value}</dd>`);
  return html`<li class="msg" data-testid="timeline-item" data-kind="message" data-id="${m.id}">
<p class="when">${timeTag(m.created_at)}</p>
<p class="what">${t(lang, 'message')}: ${kindLabel(lang, m.kind)} ${statusBadge(lang, m.status)}</p>
<div class="preview">${m.body}</div>
<dl class="msg-facts">
${fact(t(lang, 'channel'), channelLabel(lang, m.channel))}
${fact(t(lang, 'recipient'), m.to_address ?? '—')}
${fact(t(lang, 'encoding'), encodingLabel(lang, m.encoding))}
${fact(t(lang, 'segments'), formatInt(lang, m.segments))}
${fact(t(lang, 'cost'), unsent ? `${formatVnd(0)} (${t(lang, 'notCharged')})` : formatVnd(m.cost_vnd))}
${fact(t(lang, 'provider'), m.provider ?? '—')}
${unsent ? null : fact(t(lang, 'sendAfter'), timeTag(m.send_after))}
${m.sent_at === null ? null : fact(t(lang, 'sentAt'), timeTag(m.sent_at))}
${m.delivered_at === null ? null : fact(t(lang, 'deliveredAt'), timeTag(m.delivered_at))}
${m.failure_reason === null ? null : fact(m.status === 'cancelled' ? t(lang, 'reason') : t(lang, 'failureReason'), failureReasonLabel(lang, m.failure_reason))}
</dl>
</li>`;
}

export function dossierDetailBody(model: DossierDetailModel): SafeHtml {
  const { lang } = model.view;
  const d = model.detail.dossier;
  const items = timeline(model.detail, model.messages);
  return html`${stylesheet()}
<p><a href="/ho-so">← ${t(lang, 'backToSearch')}</a></p>
<h1>${t(lang, 'dossiers')} ${d.receiptCode}</h1>
${model.view.user.role === 'oversight' ? null : html`<p><a href="/mot-cua/ho-so/${encodeURIComponent(d.receiptCode)}" data-testid="desk-link">${t(lang, 'openAtDesk')}</a></p>`}
<section class="card" aria-labelledby="facts-title">
<h2 id="facts-title" class="visually-hidden">${t(lang, 'dossiers')}</h2>
<dl class="facts">
  <dt>${t(lang, 'applicant')}</dt><dd>${d.applicant.name}</dd>
  <dt>${t(lang, 'phone')}</dt><dd>${phoneText(lang, d)}</dd>
  ${d.applicant.email ? html`<dt>${t(lang, 'email')}</dt><dd>${d.applicant.email}</dd>` : null}
  <dt>${t(lang, 'agency')}</dt><dd>${d.agencyCode} – ${model.agencyName}</dd>
  <dt>${t(lang, 'procedure')}</dt><dd>${d.procedureCode} – ${model.procedureName}</dd>
  <dt>${t(lang, 'state')}</dt><dd data-testid="state">${stateLabel(lang, d.state)}</dd>
  <dt>${t(lang, 'step')}</dt><dd>${d.step}</dd>
  <dt>${t(lang, 'portalStatus')}</dt><dd data-testid="portal-status">${d.portalStatus} – ${portalLabel(lang, d.portalStatus)}</dd>
  <dt>${t(lang, 'receivedAt')}</dt><dd>${timeTag(d.receivedAt)}</dd>
  <dt>${t(lang, 'dueAt')}</dt><dd>${timeTag(d.dueAt)} <span data-testid="deadline">${deadlineBadge(lang, d.onTime)}</span></dd>
  <dt>${t(lang, 'returnMethod')}</dt><dd>${returnMethodLabel(lang, d.returnMethod)}</dd>
</dl>
</section>
<section aria-labelledby="timeline-title">
<h2 id="timeline-title">${t(lang, 'timeline')}</h2>
<ol class="timeline" data-testid="timeline">${
    // biome-ignore lint/suspicious/useIterableCallbackReturn: the switch covers every kind of item, so every path returns
    items.map((item) => {
      switch (item.kind) {
        case 'intake':
          return html`<li data-testid="timeline-item" data-kind="intake"><p class="when">${timeTag(d.receivedAt)}</p><p class="what">${t(lang, 'event')}: ${stateLabel(lang, 'received')}</p></li>`;
        case 'event': {
          const e = item.event;
          return html`<li data-testid="timeline-item" data-kind="event" data-seq="${e.seq}">
<p class="when">${timeTag(e.at)}</p>
<p class="what">${t(lang, 'event')}: ${eventLabel(lang, e.type)}${e.step ? html` – ${e.step}` : null}</p>
<p>${stateLabel(lang, e.state)} · ${t(lang, 'dueMoved')} ${timeTag(e.dueAt)}</p>
</li>`;
        }
        case 'message':
          return messageItem(lang, item.message);
      }
    })
  }</ol>
</section>`;
}
