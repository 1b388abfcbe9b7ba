/** /giam-sat: the oversight figures of a period, their charts and the reconciliation list. */
import { sumRows, type StatsGroupBy, type StatsRow } from '../../reports/stats.service.js';
import { html, raw, type SafeHtml } from '../html.js';
import type { WebLang } from '../web.types.js';
import { barChart, stackedBarChart, type ChartSeries, type SeriesStyle } from './charts.js';
import { formatVnDate } from '../../lib/calendar/zone.js';
import type { Period, Preset } from '../../reports/period.js';
import { OUTCOMES, type Outcome } from '../../reports/report.service.js';
import { type DashboardModel, dashboardQuery } from './dashboard.model.js';
import { exportLinks, figuresTable, reconciliationSection } from './dashboard.tables.js';
import { channelLabel, failureReasonLabel, formatInt, formatPercent, formatVnd, kindLabel, t, type UiKey } from './i18n.js';
import { stylesheet } from './ui.js';
import { scrollTable } from '../tables.js';

const OUTCOME_STYLE: Readonly<Record<Outcome, { color: string; style: SeriesStyle; label: UiKey }>> = {
  delivered: { color: '#0b6b2f', style: 'solid', label: 'messagesDelivered' },
  sent: { color: '#1d4ed8', style: 'stripes', label: 'messagesSent' },
  pending: { color: '#8a5a00', style: 'dots', label: 'messagesPending' },
  failed: { color: '#a4000f', style: 'crosshatch', label: 'messagesFailed' },
  cancelled: { color: '#595959', style: 'lines', label: 'messagesCancelled' },
};

function filters(model: DashboardModel): SafeHtml {
  const { lang } = model.view;
  const presets: Array<[Preset, UiKey]> = [
    ['this_month', 'thisMonth'],
    ['last_month', 'lastMonth'],
    ['this_year', 'thisYear'],
  ];
  return html`<section class="card" aria-labelledby="filters-title">
<h2 id="filters-title" class="visually-hidden">${t(lang, 'filters')}</h2>
<p class="label" id="presets-label">${t(lang, 'preset')}</p>
<ul class="presets" aria-labelledby="presets-label">${presets.map(
    ([preset, key]) =>
      html`<li><a href="/giam-sat${dashboardQuery(model, { preset, from: null, to: null })}"${model.period.preset === preset ? raw(' aria-current="true"') : null}>${t(lang, key)}</a></li>`,
  )}</ul>
<form method="get" action="/giam-sat" class="filters">
  ${model.columnsChosen ? model.columns.map((column) => html`<input type="hidden" name="cols" value="${column}">`) : null}
  <div class="field"><label for="f-from">${t(lang, 'from')}</label><input type="date" id="f-from" name="from" value="${model.period.from}" required></div>
  <div class="field"><label for="f-to">${t(lang, 'to')}</label><input type="date" id="f-to" name="to" value="${model.period.to}" required></div>
  <fieldset><legend>${t(lang, 'groupBy')}</legend><div class="radios">
    <label><input type="radio" name="groupBy" value="agency"${model.groupBy === 'agency' ? raw(' checked') : null}> ${t(lang, 'byAgency')}</label>
    <label><input type="radio" name="groupBy" value="procedure"${model.groupBy === 'procedure' ? raw(' checked') : null}> ${t(lang, 'byProcedure')}</label>
  </div></fieldset>
  ${
    model.agencyOptions.length > 0
      ? html`<div class="field"><label for="f-agency">${t(lang, 'agency')}</label><select id="f-agency" name="agency">
      <option value="">${t(lang, 'allAgencies')}</option>
      ${model.agencyOptions.map((a) => html`<option value="${a.code}"${a.code === model.agencyCode ? raw(' selected') : null}>${a.code} – ${a.name}</option>`)}
    </select></div>`
      : null
  }
  <div class="field"><button type="submit">${t(lang, 'show')}</button></div>
</form>
</section>`;
}

function summary(model: DashboardModel, total: StatsRow): SafeHtml {
  const { lang } = model.view;
  const lookups = total.lookups + model.lookupsUnattributed.lookups;
  const revenue = total.lookupRevenueVnd + model.lookupsUnattributed.lookupRevenueVnd;
  const onTimeRate = total.dossiersResolved === 0 ? null : total.resolvedOnTime / total.dossiersResolved;
  const stat = (label: string, value: string, note?: string, testId?: string) =>
    html`<div class="stat"><dt>${label}</dt><dd${testId ? html` data-testid="${testId}"` : null}>${value}${note ? html`<small>${note}</small>` : null}</dd></div>`;
  return html`<section aria-labelledby="summary-title">
<h2 id="summary-title">${t(lang, 'summary')}</h2>
<dl class="stats">
  ${stat(t(lang, 'received'), formatInt(lang, total.dossiersReceived), undefined, 'total-received')}
  ${stat(t(lang, 'resolved'), formatInt(lang, total.dossiersResolved), `${t(lang, 'onTime')} ${formatInt(lang, total.resolvedOnTime)} · ${t(lang, 'late')} ${formatInt(lang, total.resolvedLate)}`, 'total-resolved')}
  ${stat(t(lang, 'onTimeRate'), formatPercent(lang, onTimeRate))}
  ${stat(t(lang, 'supplements'), formatInt(lang, total.supplementRequests))}
  ${stat(t(lang, 'messagesCreated'), formatInt(lang, total.messages.created), `${t(lang, 'messagesDelivered')} ${formatInt(lang, total.messages.delivered)} · ${t(lang, 'messagesFailed')} ${formatInt(lang, total.messages.failed)}`, 'total-messages')}
  ${stat(t(lang, 'cost'), formatVnd(total.costVnd), undefined, 'total-cost')}
  ${stat(t(lang, 'reach'), formatPercent(lang, total.reach), t(lang, 'reachHint'), 'total-reach')}
  ${stat(t(lang, 'lookups'), formatInt(lang, lookups), `${t(lang, 'lookupRevenue')} ${formatVnd(revenue)}`, 'total-lookups')}
  ${stat(t(lang, 'resolvedWithoutResult'), formatInt(lang, total.reconciliation.resolvedWithoutDeliveredResult), undefined, 'total-without-result')}
</dl>
</section>`;
}

function bucketLabel(unit: 'day' | 'month', key: string): string {
  return unit === 'day' ? formatVnDate(key).slice(0, 5) : `${key.slice(5, 7)}/${key.slice(0, 4)}`;
}

function charts(model: DashboardModel): SafeHtml {
  const { lang } = model.view;
  const { unit, buckets } = model.byDay;
  const series: ChartSeries[] = OUTCOMES.map((outcome) => ({
    key: outcome,
    label: t(lang, OUTCOME_STYLE[outcome].label),
    color: OUTCOME_STYLE[outcome].color,
    style: OUTCOME_STYLE[outcome].style,
    values: buckets.map((b) => b.counts[outcome]),
  }));
  const sums = OUTCOMES.map(
    (outcome) =>
      `${t(lang, OUTCOME_STYLE[outcome].label)} ${formatInt(
        lang,
        buckets.reduce((s, b) => s + b.counts[outcome], 0),
      )}`,
  );
  const period = `${formatVnDate(model.period.from)} – ${formatVnDate(model.period.to)}`;
  const perDay = stackedBarChart({
    id: 'chart-messages',
    title: t(lang, unit === 'day' ? 'chartMessagesPerDay' : 'chartMessagesPerMonth'),
    description: `${period}: ${sums.join(', ')}.`,
    categoryHeader: t(lang, unit === 'day' ? 'day' : 'month'),
    categories: buckets.map((b) => bucketLabel(unit, b.key)),
    series,
    totalLabel: t(lang, 'total'),
    tableCaption: t(lang, 'dataTable'),
    format: (v) => formatInt(lang, v),
  });
  const agencies = model.agencyRows;
  const name = (code: string) => `${code} – ${model.agencyNames.get(code) ?? code}`;
  const onTime = barChart({
    id: 'chart-ontime',
    title: t(lang, 'chartOnTime'),
    description:
      agencies
        .map((r) => `${r.agencyCode}: ${r.dossiersResolved === 0 ? '—' : formatPercent(lang, r.resolvedOnTime / r.dossiersResolved)}`)
        .join('; ') || t(lang, 'noData'),
    categoryHeader: t(lang, 'agency'),
    valueHeader: t(lang, 'onTimeRate'),
    items: agencies.map((r) => ({
      label: r.agencyCode,
      name: name(r.agencyCode),
      value: r.dossiersResolved === 0 ? null : r.resolvedOnTime / r.dossiersResolved,
      display:
        r.dossiersResolved === 0
          ? '—'
          : `${formatPercent(lang, r.resolvedOnTime / r.dossiersResolved)} (${r.resolvedOnTime}/${r.dossiersResolved})`,
    })),
    color: '#0b6b2f',
    style: 'solid',
    tableCaption: t(lang, 'dataTable'),
    emptyText: t(lang, 'noData'),
  });
  const reach = barChart({
    id: 'chart-reach',
    title: t(lang, 'chartReach'),
    description: `${t(lang, 'reachHint')}. ${agencies.map((r) => `${r.agencyCode}: ${formatPercent(lang, r.reach)}`).join('; ') || t(lang, 'noData')}`,
    categoryHeader: t(lang, 'agency'),
    valueHeader: t(lang, 'reach'),
    items: agencies.map((r) => ({
      label: r.agencyCode,
      name: name(r.agencyCode),
      value: r.reach,
      display:
        r.reach === null ? '—' : `${formatPercent(lang, r.reach)} (${Math.round(r.reach * r.dossiersReceived)}/${r.dossiersReceived})`,
    })),
    color: '#1d4ed8',
    style: 'stripes',
    tableCaption: t(lang, 'dataTable'),
    emptyText: t(lang, 'noData'),
  });
  return html`<section aria-labelledby="charts-title"><h2 id="charts-title">${t(lang, 'charts')}</h2>${perDay}<div class="grid two">${onTime}${reach}</div></section>`;
}

function messageTables(model: DashboardModel, total: StatsRow): SafeHtml {
  const { lang } = model.view;
  const kinds = [...model.byKind.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  const failures = Object.entries(total.failedByReason).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return html`<div>
<section aria-labelledby="kinds-title">
<h2 id="kinds-title">${t(lang, 'messagesByKind')}</h2>
${scrollTable(
  lang,
  { labelledBy: 'kinds-title', sticky: true },
  html`<table>
<caption class="visually-hidden">${t(lang, 'messagesByKind')}</caption>
<thead><tr><th scope="col">${t(lang, 'kind')}</th>${OUTCOMES.map((o) => html`<th scope="col" class="num">${t(lang, OUTCOME_STYLE[o].label)}</th>`)}<th scope="col" class="num">${t(lang, 'total')}</th></tr></thead>
<tbody>${
    kinds.length === 0
      ? html`<tr><td colspan="${OUTCOMES.length + 2}">${t(lang, 'noData')}</td></tr>`
      : kinds.map(
          ([kind, counts]) =>
            html`<tr><th scope="row">${kindLabel(lang, kind)}</th>${OUTCOMES.map((o) => html`<td class="num">${formatInt(lang, counts[o])}</td>`)}<td class="num">${formatInt(
              lang,
              OUTCOMES.reduce((s, o) => s + counts[o], 0),
            )}</td></tr>`,
        )
  }</tbody>
</table>`,
)}
</section>
<section aria-labelledby="failures-title">
<h2 id="failures-title">${t(lang, 'failuresByReason')}</h2>
${
  failures.length === 0
    ? html`<p>${t(lang, 'noFailures')}</p>`
    : scrollTable(
        lang,
        { labelledBy: 'failures-title' },
        html`<table data-testid="failures">
<caption class="visually-hidden">${t(lang, 'failuresByReason')}</caption>
<thead><tr><th scope="col">${t(lang, 'reason')}</th><th scope="col" class="num">${t(lang, 'count')}</th></tr></thead>
<tbody>${failures.map(([reason, count]) => html`<tr><th scope="row">${failureReasonLabel(lang, reason)}</th><td class="num">${formatInt(lang, count)}</td></tr>`)}</tbody>
</table>`,
      )
}
</section>
</div>`;
}

/** Messages and cost per channel, and what Zalo-first did (issue 17); nothing when only SMS was used. */
function channelSection(model: DashboardModel, total: StatsRow): SafeHtml | null {
  const { lang } = model.view;
  const channels = Object.entries(total.byChannel).sort((a, b) => a[0].localeCompare(b[0]));
  if (!channels.some(([channel]) => channel === 'zalo')) return null;
  const z = total.zalo;
  return html`<section aria-labelledby="channels-title" data-testid="channels">
<h2 id="channels-title">${t(lang, 'byChannel')}</h2>
${scrollTable(
  lang,
  { labelledBy: 'channels-title', sticky: true },
  html`<table>
<caption class="visually-hidden">${t(lang, 'byChannel')}</caption>
<thead><tr><th scope="col">${t(lang, 'channel')}</th>${(['created', 'sent', 'delivered', 'failed'] as const).map((k) => html`<th scope="col" class="num">${k}</th>`)}<th scope="col" class="num">VND</th></tr></thead>
<tbody>${channels.map(
    ([channel, f]) =>
      html`<tr><th scope="row">${channelLabel(lang, channel)}</th><td class="num">${formatInt(lang, f.created)}</td><td class="num">${formatInt(lang, f.sent)}</td><td class="num">${formatInt(lang, f.delivered)}</td><td class="num">${formatInt(lang, f.failed)}</td><td class="num">${formatVnd(f.costVnd)}</td></tr>`,
  )}</tbody>
</table>`,
)}
<h3>${t(lang, 'zaloTitle')}</h3>
<p data-testid="zalo-figures">${t(lang, 'zaloIntro', {
    zalo: formatInt(lang, z.deliveredByZalo),
    fallbacks: formatInt(lang, z.smsFallbacks),
    smsDelivered: formatInt(lang, z.deliveredBySmsAfterFallback),
    late: formatInt(lang, z.lateZaloDeliveries),
    saved: formatVnd(z.savedVnd),
  })}</p>
</section>`;
}

export function dashboardBody(model: DashboardModel): SafeHtml {
  const { lang } = model.view;
  const total = sumRows(model.rows);
  const scope = model.agencyCode ? `${model.agencyCode} – ${model.agencyNames.get(model.agencyCode) ?? ''}` : t(lang, 'allAgencies');
  return html`${stylesheet()}
<h1>${t(lang, 'dashboardTitle')}</h1>
<p class="period">${t(lang, 'period')}: <strong>${formatVnDate(model.period.from)} – ${formatVnDate(model.period.to)}</strong> · ${scope}</p>
${filters(model)}
${exportLinks(model, 'top')}
${summary(model, total)}
${charts(model)}
${figuresTable(model, total)}
${messageTables(model, total)}
${channelSection(model, total)}
${reconciliationSection(model, total)}
${exportLinks(model, 'bottom')}`;
}

/** e.g. thong-ke_2026-11-01_2026-11-30_thu-tuc.csv */
export function exportFileName(base: string, period: Period, groupBy: StatsGroupBy, ext: string, lang: WebLang): string {
  return `${base}_${period.from}_${period.to}${groupBy === 'procedure' ? t(lang, 'procedureFileSuffix') : ''}.${ext}`;
}
