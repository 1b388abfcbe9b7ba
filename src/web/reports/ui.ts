/** Pieces shared by the oversight and read pages: their stylesheet, times, badges, query strings. */
import { html, raw, type SafeHtml } from '../html.js';
import type { WebLang, WebUser } from '../web.types.js';
import { formatDateTime } from '../format.js';
import { isoAttr, t } from './i18n.js';

export interface View {
  user: WebUser;
  lang: WebLang;
  csrfToken: string | null;
}

/** The foundation's CSP allows only same-origin stylesheets, so these pages' own rules are a file too. */
export const REPORTS_CSS_PATH = '/giam-sat/reports.css';
export const LIVE_JS_PATH = '/tin-nhan/live.js';

export const REPORTS_CSS = `
.grid > section, .grid > figure { min-width: 0; }
main h1 { overflow-wrap: anywhere; }
.period { color: var(--muted); margin: -.5rem 0 1rem; }
.presets { display: flex; flex-wrap: wrap; gap: .5rem; margin: 0 0 .75rem; padding: 0; list-style: none; }
.presets a { display: inline-block; padding: .5rem .75rem; border: 2px solid var(--brand); border-radius: .375rem; color: var(--brand); text-decoration: none; min-height: 44px; font-weight: 600; }
.presets a[aria-current="true"] { background: var(--brand); color: #fff; }
fieldset { border: 1px solid var(--line); border-radius: .375rem; padding: .5rem .75rem; margin: 0; }
legend { font-weight: 600; padding: 0 .25rem; }
.radios { display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
.radios label { font-weight: 400; display: inline-flex; align-items: center; gap: .375rem; min-height: 44px; }
.stats { display: grid; gap: .75rem; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); margin: 0 0 1rem; padding: 0; }
.stat { background: #fff; border: 1px solid var(--line); border-radius: .5rem; padding: .75rem; margin: 0; }
.stat dt { color: var(--muted); font-size: .9375rem; }
.stat dd { margin: 0; font-size: 1.375rem; font-weight: 700; }
.stat dd small { display: block; font-size: .875rem; font-weight: 400; color: var(--muted); }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
thead th.num { white-space: normal; }
tfoot th, tfoot td { font-weight: 700; border-top: 2px solid var(--ink); }
.chart-figure { background: #fff; border: 1px solid var(--line); border-radius: .5rem; padding: .75rem; margin: 0 0 1rem; }
.chart-figure figcaption { font-weight: 700; margin: 0 0 .5rem; }
.chart-scroll { overflow-x: auto; }
.chart { display: block; width: 100%; min-width: 34rem; height: auto; }
.chart.bars { min-width: 18rem; }
.table-wrap th[scope="row"] { min-width: 9rem; }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: 0 0 .5rem; padding: 0; }
.legend li { display: inline-flex; align-items: center; gap: .375rem; }
.chart-data summary { cursor: pointer; color: var(--link); min-height: 44px; display: flex; align-items: center; }
.badge.ontime, .badge.late { font-weight: 600; }
.badge.neutral { color: var(--muted); }
.why { font-weight: 600; }
.timeline { list-style: none; margin: 0; padding: 0; border-left: 3px solid var(--line); }
.timeline > li { position: relative; margin: 0 0 1rem; padding: 0 0 0 1rem; }
.timeline > li::before { content: ""; position: absolute; left: -.6rem; top: .35rem; width: .9rem; height: .9rem; border-radius: 50%; background: #fff; border: 3px solid var(--ink); }
.timeline > li.msg::before { border-radius: .15rem; border-color: var(--link); }
.timeline .when { color: var(--muted); font-size: .9375rem; }
.timeline .what { font-weight: 700; }
.msg-facts { display: grid; grid-template-columns: max-content 1fr; gap: .125rem .75rem; margin: .5rem 0 0; font-size: .9375rem; }
.msg-facts dt { color: var(--muted); }
.msg-facts dd { margin: 0; }
.column-chooser { margin: 0 0 .75rem; }
.column-chooser > summary { cursor: pointer; color: var(--link); font-weight: 600; min-height: 44px; display: flex; align-items: center; }
.column-chooser form { display: grid; gap: .5rem; background: #fff; border: 1px solid var(--line); border-radius: .5rem; padding: .75rem; }
.exports ul { margin: 0; padding-left: 1.25rem; }
.exports h2.label { font-size: 1rem; margin: 0 0 .25rem; }
.log-rows > tr > :nth-child(6) { white-space: nowrap; }
.table-wrap .log-rows > tr > th { min-width: 6rem; }
.log-rows > tr > :nth-child(4) { min-width: 7rem; }
.log-rows > tr > :nth-child(7) { min-width: 10rem; }
.body-cell { min-width: 10rem; }
.recon-rows > tr > :nth-child(3) { min-width: 9rem; }
.recon-rows > tr > :nth-child(4) { min-width: 7rem; }
.recon-rows > tr > :nth-child(5) { white-space: nowrap; }
.recon-rows > tr > :nth-child(7) { min-width: 14rem; }
details.one-line > summary { display: block; list-style: none; cursor: pointer; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: min(11rem, 50vw); text-decoration: underline dotted var(--muted); text-underline-offset: .2em; }
details.one-line > summary::-webkit-details-marker { display: none; }
details.one-line[open] > summary { white-space: pre-wrap; overflow-wrap: anywhere; text-decoration: none; }
.phone { max-width: 24rem; margin: 0 auto; background: #1b1b1b; border-radius: 2rem; padding: 1rem .75rem 1.25rem; }
.phone-screen { background: #fff; border-radius: 1.25rem; padding: .75rem; display: grid; gap: .75rem; }
.phone-head { text-align: center; font-weight: 700; border-bottom: 1px solid var(--line); padding-bottom: .5rem; margin: 0; font-size: 1rem; }
.thread { list-style: none; margin: 0; padding: 0; display: grid; gap: .5rem; max-height: 28rem; overflow-y: auto; }
.bubble { max-width: 85%; padding: .5rem .75rem; border-radius: 1rem; word-break: break-word; white-space: pre-wrap; }
.bubble .who { display: block; font-size: .8125rem; font-weight: 600; }
.bubble.out { justify-self: end; background: #1d4ed8; color: #fff; border-bottom-right-radius: .25rem; }
.bubble.in { justify-self: start; background: #e8e8e8; color: var(--ink); border-bottom-left-radius: .25rem; }
.bubble time, .bubble .status { display: block; font-size: .8125rem; }
.phone form { display: grid; gap: .5rem; }
`;

/** The Asia/Ho_Chi_Minh time of an instant in a <time> element. */
export function timeTag(instant: number | string | null): SafeHtml {
  if (instant === null) return html`<span>—</span>`;
  return html`<time datetime="${isoAttr(instant)}">${formatDateTime(instant)}</time>`;
}

/** On time / late as text with a symbol, never colour alone. */
/** Nothing for a dossier that is neither on time nor late (refused, withdrawn, stopped). */
export function deadlineBadge(lang: WebLang, onTime: boolean | null): SafeHtml | null {
  if (onTime === null) return null;
  return onTime
    ? html`<span class="badge ontime">✓ ${t(lang, 'onTime')}</span>`
    : html`<span class="badge late">! ${t(lang, 'late')}</span>`;
}

/** `?a=1&b=2` of the non-empty values, or '' when none. */
export function queryString(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== null && value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export function stylesheet(): SafeHtml {
  return raw(`<link rel="stylesheet" href="${REPORTS_CSS_PATH}">`);
}
