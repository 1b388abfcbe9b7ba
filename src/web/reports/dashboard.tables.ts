/** The two long tables of /giam-sat: the figures per agency or procedure (with its column chooser) and the
 *  reconciliation list (paged, filtered by reason, lines that need action first); and the export links. */
import { formatVnDate } from '../../lib/calendar/zone.js';
import { RECONCILIATION_WHYS, type ReconciliationItem } from '../../reports/report.service.js';
import type { StatsRow } from '../../reports/stats.service.js';
import { html, raw, type SafeHtml } from '../html.js';
import { pageRange, pagination, pastEnd } from '../pagination.js';
import { scrollTable } from '../tables.js';
import { type DashboardModel, dashboardQuery, FIGURE_COLUMNS, type FigureColumn } from './dashboard.model.js';
import { whyDetail } from './export.js';
import { formatInt, formatPercent, formatVnd, stateLabel, t, whyLabel, type UiKey } from './i18n.js';
import { deadlineBadge, timeTag } from './ui.js';

const COLUMN: Readonly<Record<FigureColumn, { label: UiKey; value: (lang: DashboardModel['view']['lang'], r: StatsRow) => string }>> = {
  received: { label: 'received', value: (lang, r) => formatInt(lang, r.dossiersReceived) },
  resolved: { label: 'resolved', value: (lang, r) => formatInt(lang, r.dossiersResolved) },
  onTime: { label: 'onTime', value: (lang, r) => formatInt(lang, r.resolvedOnTime) },
  late: { label: 'late', value: (lang, r) => formatInt(lang, r.resolvedLate) },
  supplements: { label: 'supplements', value: (lang, r) => formatInt(lang, r.supplementRequests) },
  created: { label: 'messagesCreated', value: (lang, r) => formatInt(lang, r.messages.created) },
  delivered: { label: 'messagesDelivered', value: (lang, r) => formatInt(lang, r.messages.delivered) },
  failed: { label: 'messagesFailed', value: (lang, r) => formatInt(lang, r.messages.failed) },
  cost: { label: 'cost', value: (_lang, r) => formatVnd(r.costVnd) },
  reach: { label: 'reach', value: (lang, r) => formatPercent(lang, r.reach) },
  lookups: { label: 'lookups', value: (lang, r) => formatInt(lang, r.lookups) },
  lookupRevenue: { label: 'lookupRevenue', value: (_lang, r) => formatVnd(r.lookupRevenueVnd) },
  withoutResult: { label: 'resolvedWithoutResult', value: (lang, r) => formatInt(lang, r.reconciliation.resolvedWithoutDeliveredResult) },
};

/** The dashboard's current choices as hidden fields of a GET form, but those the form itself sets. */
function hiddenFields(model: DashboardModel, except: readonly string[]): SafeHtml[] {
  const params = new URLSearchParams(dashboardQuery(model).slice(1));
  return [...params.entries()]
    .filter(([name]) => !except.includes(name))
    .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
}

/** A GET form of checkboxes (works without scripts); the choice stays in the address as `cols`. */
function columnChooser(model: DashboardModel): SafeHtml {
  const { lang } = model.view;
  return html`<details class="column-chooser" data-testid="column-chooser">
<summary>${t(lang, 'chooseColumns', { shown: model.columns.length, all: FIGURE_COLUMNS.length })}</summary>
<form method="get" action="/giam-sat#figures-title">
${hiddenFields(model, ['cols'])}
<fieldset><legend>${t(lang, 'columns')}</legend><div class="radios">
${FIGURE_COLUMNS.map(
  (column) =>
    html`<label><input type="checkbox" name="cols" value="${column}"${model.columns.includes(column) ? raw(' checked') : null}> ${t(lang, COLUMN[column].label)}</label>`,
)}
</div></fieldset>
<p class="actions"><button type="submit">${t(lang, 'applyColumns')}</button>
<a href="/giam-sat${dashboardQuery(model, { cols: null })}#figures-title">${t(lang, 'defaultColumns')}</a></p>
</form>
</details>`;
}

export function figuresTable(model: DashboardModel, total: StatsRow): SafeHtml {
  const { lang } = model.view;
  const byProcedure = model.groupBy === 'procedure';
  const caption = t(lang, 'figuresTable', { group: t(lang, byProcedure ? 'byProcedure' : 'byAgency').toLowerCase() });
  const cells = (r: StatsRow) => model.columns.map((column) => html`<td class="num">${COLUMN[column].value(lang, r)}</td>`);
  const table = html`<table data-testid="figures">
<caption class="visually-hidden">${caption}, ${formatVnDate(model.period.from)} – ${formatVnDate(model.period.to)}</caption>
<thead><tr>
<th scope="col">${t(lang, byProcedure ? 'procedure' : 'agency')}</th>${byProcedure ? html`<th scope="col">${t(lang, 'agency')}</th>` : null}
${model.columns.map((column) => html`<th scope="col" class="num" data-column="${column}">${t(lang, COLUMN[column].label)}</th>`)}
</tr></thead>
<tbody>${model.rows.map((r) =>
    byProcedure
      ? html`<tr><th scope="row">${r.procedureCode} – ${model.procedureNames.get(r.procedureCode ?? '') ?? ''}</th><td>${r.agencyCode}</td>${cells(r)}</tr>`
      : html`<tr><th scope="row">${r.agencyCode} – ${model.agencyNames.get(r.agencyCode) ?? ''}</th>${cells(r)}</tr>`,
  )}</tbody>
<tfoot><tr><th scope="row"${byProcedure ? raw(' colspan="2"') : null}>${t(lang, 'total')}</th>${cells(total)}</tr></tfoot>
</table>`;
  return html`<section aria-labelledby="figures-title">
<h2 id="figures-title">${caption}</h2>
${columnChooser(model)}
${scrollTable(lang, { labelledBy: 'figures-title', sticky: true }, table)}
${
  model.lookupsUnattributed.lookups > 0
    ? html`<p class="hint">${t(lang, 'lookupsUnattributed')}: ${formatInt(lang, model.lookupsUnattributed.lookups)} (${formatVnd(model.lookupsUnattributed.lookupRevenueVnd)}).</p>`
    : null
}
</section>`;
}

/** The export links; `place` keeps the ids of the copy at the top and the one at the bottom apart. */
export function exportLinks(model: DashboardModel, place: 'top' | 'bottom'): SafeHtml {
  const { lang } = model.view;
  // The exports carry every line whatever the list's reason filter and page.
  const q = dashboardQuery(model, { reason: null, cols: null });
  const links = (base: string) =>
    html`<a href="/giam-sat/${base}.xlsx${q}" download>${t(lang, 'exportXlsx')}</a> · <a href="/giam-sat/${base}.csv${q}" download>${t(lang, 'exportCsv')}</a> · <a href="/giam-sat/${base}-excel-vn.csv${q}" download>${t(lang, 'exportCsvVi')}</a>`;
  const id = `exports-${place}-title`;
  return html`<section class="card exports" aria-labelledby="${id}" data-testid="exports-${place}">
<h2 id="${id}"${place === 'top' ? raw(' class="label"') : null}>${t(lang, 'exports')}</h2>
<ul>
<li>${t(lang, 'exportFigures')}: ${links('thong-ke')}</li>
<li>${t(lang, 'exportReconciliation')}: ${links('doi-soat')}</li>
</ul>
</section>`;
}

function reasonFilter(model: DashboardModel): SafeHtml {
  const { lang } = model.view;
  const counts = model.reconciliation.byWhy;
  const present = RECONCILIATION_WHYS.filter((why) => (counts[why] ?? 0) > 0 || why === model.reason);
  return html`<form method="get" action="/giam-sat#doi-soat" class="filters" data-testid="reason-filter">
${hiddenFields(model, ['reason', 'rpage'])}
<div class="field"><label for="f-reason">${t(lang, 'reason')}</label><select id="f-reason" name="reason">
<option value="">${t(lang, 'allReasons')} (${formatInt(lang, model.reconciliation.all)})</option>
${present.map((why) => html`<option value="${why}"${why === model.reason ? raw(' selected') : null}>${whyLabel(lang, why)} (${formatInt(lang, counts[why] ?? 0)})</option>`)}
</select></div>
<div class="field"><button type="submit">${t(lang, 'filter')}</button></div>
</form>`;
}

function reconciliationRow(model: DashboardModel, item: ReconciliationItem): SafeHtml {
  const { lang } = model.view;
  const detail = whyDetail(lang, item);
  return html`<tr data-code="${item.receiptCode}" data-why="${item.why}"${item.needsAction ? raw(' data-needs-action="true"') : null}>
<th scope="row"><a href="/ho-so/${encodeURIComponent(item.receiptCode)}">${item.receiptCode}</a></th>
<td>${item.agencyCode}</td><td>${item.procedureName}</td><td>${stateLabel(lang, item.state)}</td>
<td>${timeTag(item.finishedAt)}</td><td>${deadlineBadge(lang, item.onTime)}</td>
<td>${item.needsAction ? html`<span class="badge late">! ${t(lang, 'needsAction')}</span><br>` : null}<span class="why">${whyLabel(lang, item.why)}</span>${detail ? html`<br><span class="hint">${detail}</span>` : null}</td></tr>`;
}

export function reconciliationSection(model: DashboardModel, total: StatsRow): SafeHtml {
  const { lang } = model.view;
  const list = model.reconciliation;
  const intro = t(lang, 'reconciliationIntro', {
    resolved: formatInt(lang, total.reconciliation.resolved),
    delivered: formatInt(lang, total.reconciliation.resultMessagesDelivered),
    missing: formatInt(lang, total.reconciliation.resolvedWithoutDeliveredResult),
  });
  const href = (page: number) => `/giam-sat${dashboardQuery(model, { rpage: page === 1 ? null : String(page) })}#doi-soat`;
  const table = html`<table data-testid="reconciliation">
<caption class="visually-hidden">${t(lang, 'reconciliation')}</caption>
<thead><tr><th scope="col">${t(lang, 'receiptCode')}</th><th scope="col">${t(lang, 'agency')}</th><th scope="col">${t(lang, 'procedure')}</th><th scope="col">${t(lang, 'state')}</th><th scope="col">${t(lang, 'resolvedAt')}</th><th scope="col">${t(lang, 'deadline')}</th><th scope="col">${t(lang, 'why')}</th></tr></thead>
<tbody class="recon-rows">${list.items.map((item) => reconciliationRow(model, item))}</tbody>
</table>`;
  return html`<section aria-labelledby="reconciliation-title" id="doi-soat">
<h2 id="reconciliation-title">${t(lang, 'reconciliation')}</h2>
<p>${intro}</p>
${list.all === 0 ? html`<p>${t(lang, 'reconciliationEmpty')}</p>` : html`${list.needingAction > 0 ? html`<p data-testid="needs-action">${t(lang, 'needsActionFirst', { n: formatInt(lang, list.needingAction) })}</p>` : null}${reasonFilter(model)}`}
${
  list.all === 0
    ? null
    : (pastEnd(lang, list, href) ??
      (list.items.length === 0
        ? html`<p role="status">${t(lang, 'reconciliationEmpty')}</p>`
        : html`${pageRange(lang, list)}${scrollTable(lang, { labelledBy: 'reconciliation-title', sticky: true }, table)}${pagination(lang, list, href)}`))
}
</section>`;
}
