/**
 * Server-side inline SVG charts, pure functions of their data. Each chart is a <figure> whose SVG has
 * role="img" with <title>/<desc>, and a data table fallback beside it. Series differ by pattern as
 * well as colour (every colour has at least 3:1 contrast on white), and the legend names them in text.
 */
import { html, raw, type SafeHtml } from '../html.js';

export type SeriesStyle = 'solid' | 'stripes' | 'dots' | 'crosshatch' | 'lines';

export interface ChartSeries {
  key: string;
  label: string;
  color: string;
  style: SeriesStyle;
  values: readonly number[];
}

export interface StackedBarChart {
  /** Unique on the page: prefixes the ids of titles and patterns. */
  id: string;
  title: string;
  description: string;
  categoryHeader: string;
  categories: readonly string[];
  series: readonly ChartSeries[];
  totalLabel: string;
  tableCaption: string;
  format: (value: number) => string;
}

export interface BarItem {
  label: string;
  /** Longer name for the tooltip and the data table. */
  name: string;
  /** 0..1, or null when there is nothing to measure (shown as "—", no bar). */
  value: number | null;
  /** The text shown at the end of the bar, e.g. "87,5 % (7/8)". */
  display: string;
}

export interface BarChart {
  id: string;
  title: string;
  description: string;
  categoryHeader: string;
  valueHeader: string;
  items: readonly BarItem[];
  color: string;
  style: SeriesStyle;
  tableCaption: string;
  emptyText: string;
}

const WIDTH = 720;
const AXIS = '#4a4a4a';
const GRID = '#d0d0d0';

function patternDef(id: string, color: string, style: SeriesStyle): string {
  const box = (inner: string, transform = '') =>
    `<pattern id="${id}" width="8" height="8" patternUnits="userSpaceOnUse"${transform}><rect width="8" height="8" fill="${color}"/>${inner}</pattern>`;
  switch (style) {
    case 'solid':
      return box('');
    case 'stripes':
      return box('<line x1="0" y1="0" x2="0" y2="8" stroke="#fff" stroke-width="2.5"/>', ' patternTransform="rotate(45)"');
    case 'dots':
      return box('<circle cx="4" cy="4" r="1.6" fill="#fff"/>');
    case 'crosshatch':
      return box('<path d="M0 0L8 8M8 0L0 8" stroke="#fff" stroke-width="1.5"/>');
    case 'lines':
      return box('<line x1="0" y1="4" x2="8" y2="4" stroke="#fff" stroke-width="2"/>');
  }
}

/** A small legend swatch with its own pattern, so it reads the same as the bars. */
function swatch(id: string, color: string, style: SeriesStyle): SafeHtml {
  return raw(
    `<svg class="swatch" width="18" height="18" viewBox="0 0 18 18" aria-hidden="true" focusable="false"><defs>${patternDef(id, color, style)}</defs><rect x="0.5" y="0.5" width="17" height="17" fill="url(#${id})" stroke="${color}"/></svg>`,
  );
}

/** The smallest whole "nice" number (1, 2, 5 × 10^k, and 25 × 10^k) at or above `value`, at least 1. */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of magnitude >= 10 ? [1, 2, 2.5, 5, 10] : [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

const round = (n: number) => Math.round(n * 100) / 100;

export function stackedBarChart(chart: StackedBarChart): SafeHtml {
  const { id, categories, series } = chart;
  const totals = categories.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const TICKS = 4;
  const max = niceCeiling(Math.max(0, ...totals) / TICKS) * TICKS;
  const height = 280;
  const left = 56;
  const right = 8;
  const top = 12;
  const bottom = 44;
  const plotW = WIDTH - left - right;
  const plotH = height - top - bottom;
  const slot = plotW / Math.max(1, categories.length);
  const barW = Math.max(2, slot * 0.72);
  const labelEvery = Math.max(1, Math.ceil(categories.length / 12));
  const y = (v: number) => top + plotH - (v / max) * plotH;

  const defs = series.map((s) => patternDef(`${id}-p-${s.key}`, s.color, s.style)).join('');
  const grid: string[] = [];
  for (let i = 0; i <= TICKS; i++) {
    const value = (max / TICKS) * i;
    const gy = round(y(value));
    grid.push(
      `<line x1="${left}" x2="${WIDTH - right}" y1="${gy}" y2="${gy}" stroke="${i === 0 ? AXIS : GRID}" stroke-width="1"/>`,
      html`<text x="${left - 6}" y="${gy + 4}" text-anchor="end" font-size="12" fill="${AXIS}">${chart.format(value)}</text>`.value,
    );
  }
  const bars: string[] = [];
  categories.forEach((category, i) => {
    const x = round(left + slot * i + (slot - barW) / 2);
    let base = 0;
    for (const s of series) {
      const value = s.values[i] ?? 0;
      if (value <= 0) continue;
      const y1 = y(base + value);
      const h = y(base) - y1;
      bars.push(
        html`<rect x="${x}" y="${round(y1)}" width="${round(barW)}" height="${round(h)}" fill="url(#${id}-p-${s.key})" stroke="#fff" stroke-width="0.75"><title>${category}: ${s.label} ${chart.format(value)}</title></rect>`
          .value,
      );
      base += value;
    }
    if (i % labelEvery === 0) {
      const cx = round(left + slot * i + slot / 2);
      bars.push(html`<text x="${cx}" y="${top + plotH + 16}" text-anchor="middle" font-size="12" fill="${AXIS}">${category}</text>`.value);
    }
  });

  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  const svg = raw(
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-labelledby="${titleId} ${descId}" focusable="false">` +
      html`<title id="${titleId}">${chart.title}</title><desc id="${descId}">${chart.description}</desc>`.value +
      `<defs>${defs}</defs>${grid.join('')}${bars.join('')}</svg>`,
  );
  const legend = html`<ul class="legend">${series.map(
    (s) => html`<li>${swatch(`${id}-l-${s.key}`, s.color, s.style)}<span>${s.label}</span></li>`,
  )}</ul>`;
  const table = html`<details class="chart-data"><summary>${chart.tableCaption}</summary><div class="table-wrap"><table>
<caption>${chart.title}</caption>
<thead><tr><th scope="col">${chart.categoryHeader}</th>${series.map((s) => html`<th scope="col" class="num">${s.label}</th>`)}<th scope="col" class="num">${chart.totalLabel}</th></tr></thead>
<tbody>${categories.map(
    (category, i) =>
      html`<tr><th scope="row">${category}</th>${series.map((s) => html`<td class="num">${chart.format(s.values[i] ?? 0)}</td>`)}<td class="num">${chart.format(totals[i] ?? 0)}</td></tr>`,
  )}</tbody></table></div></details>`;
  return html`<figure class="chart-figure" id="${id}"><figcaption>${chart.title}</figcaption>${legend}${scroller(chart.title, svg, true)}${table}</figure>`;
}

/** Horizontal bars of a ratio per item, each with its value written at the end of the bar. */
export function barChart(chart: BarChart): SafeHtml {
  const { id, items } = chart;
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;
  if (items.length === 0)
    return html`<figure class="chart-figure" id="${id}"><figcaption>${chart.title}</figcaption><p>${chart.emptyText}</p></figure>`;
  const width = 480;
  const rowH = 30;
  const left = 90;
  const valueW = 130;
  const top = 8;
  const plotW = width - left - valueW;
  const height = top * 2 + rowH * items.length + 18;
  const parts: string[] = [`<defs>${patternDef(`${id}-p`, chart.color, chart.style)}</defs>`];
  for (const pct of [0, 0.5, 1]) {
    const gx = round(left + plotW * pct);
    parts.push(
      `<line x1="${gx}" x2="${gx}" y1="${top}" y2="${top + rowH * items.length}" stroke="${pct === 0 ? AXIS : GRID}" stroke-width="1"/>`,
      `<text x="${gx}" y="${top + rowH * items.length + 14}" text-anchor="middle" font-size="12" fill="${AXIS}">${Math.round(pct * 100)}%</text>`,
    );
  }
  items.forEach((item, i) => {
    const rowY = top + rowH * i;
    const barH = rowH - 10;
    const w = item.value === null ? 0 : round(plotW * Math.min(1, Math.max(0, item.value)));
    parts.push(
      html`<text x="${left - 8}" y="${rowY + rowH / 2 + 4}" text-anchor="end" font-size="13" fill="#1b1b1b">${item.label}<title>${item.name}</title></text>`
        .value,
    );
    if (w > 0) {
      parts.push(
        html`<rect x="${left}" y="${rowY + 5}" width="${w}" height="${barH}" fill="url(#${id}-p)" stroke="${chart.color}" stroke-width="1"><title>${item.name}: ${item.display}</title></rect>`
          .value,
      );
    }
    parts.push(
      html`<text x="${round(left + w + 6)}" y="${rowY + rowH / 2 + 4}" font-size="13" fill="#1b1b1b">${item.display}</text>`.value,
    );
  });
  const svg = raw(
    `<svg class="chart bars" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${titleId} ${descId}" focusable="false">` +
      html`<title id="${titleId}">${chart.title}</title><desc id="${descId}">${chart.description}</desc>`.value +
      `${parts.join('')}</svg>`,
  );
  const table = html`<details class="chart-data"><summary>${chart.tableCaption}</summary><div class="table-wrap"><table>
<caption>${chart.title}</caption>
<thead><tr><th scope="col">${chart.categoryHeader}</th><th scope="col" class="num">${chart.valueHeader}</th></tr></thead>
<tbody>${items.map((item) => html`<tr><th scope="row">${item.name}</th><td class="num">${item.display}</td></tr>`)}</tbody></table></div></details>`;
  return html`<figure class="chart-figure" id="${id}"><figcaption>${chart.title}</figcaption>${scroller(chart.title, svg)}${table}</figure>`;
}

/** On a narrow screen the chart keeps a legible size and scrolls sideways inside its box (keyboard too). */
/** A chart wider than a phone scrolls; a time series (`atEnd`) opens at its latest bucket (static app.js). */
function scroller(title: string, svg: SafeHtml, atEnd = false): SafeHtml {
  return html`<div class="chart-scroll" role="region" aria-label="${title}" tabindex="0"${atEnd ? html` data-scroll-end` : null}>${svg}</div>`;
}
