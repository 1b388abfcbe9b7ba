/** Pieces shared by the oversight and read pages: their stylesheet, times, badges, pagination. */
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
.pager { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; margin: 1rem 0; }
.pager a { display: inline-flex; align-items: center; min-height: 44px; }
.body-cell { max-width: 28rem; word-break: break-word; }
.phone { max-width: 24rem; margin: 0 auto; background: #1b1b1b; border-radius: 2rem; padding: 1rem .75rem 1.25rem; }
.phone-screen { background: #fff; border-radius: 1.25rem; padding: .75rem; display: grid; gap: .75rem; }
.phone-head { text-align: center; font-weight: 700; border-bottom: 1px solid var(--line); padding-bottom: .5rem; margin: 0; font-size: 1rem; }
.thread { list-style: none; margin: 0; padding: 0; display: grid; gap: .5rem; max-height: 28rem; overflow-y: auto; }
.bubble { max-width: 85%; padding: .5rem .75rem; border-radius: 1rem; word-break: break-word; white-space: pre-wrap; }
.bubble .who { display: block; font-size: .8125rem; font-weight: 600; }
.bubble.out { justify-self: end; background: #1d4ed8; color: #fff; border-bottom-right-radius: .25rem; }
.bubble.in { justify-self: start; background: #e8e8e8; color: var(--ink); border-bottom-left-radius: .25rem; }
.bubble.notification { background: #fff7d6; border: 1px solid #e0c46c; }
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

export function pager(lang: WebLang, page: number, hasNext: boolean, href: (page: number) => string): SafeHtml | null {
  if (page === 1 && !hasNext) return null;
  return html`<nav class="pager" aria-label="${t(lang, 'pagination')}">
${page > 1 ? html`<a href="${href(page - 1)}" rel="prev">← ${t(lang, 'previous')}</a>` : null}
<span aria-current="page">${t(lang, 'page', { n: page })}</span>
${hasNext ? html`<a href="${href(page + 1)}" rel="next">${t(lang, 'next')} →</a>` : null}
</nav>`;
}

export function stylesheet(): SafeHtml {
  return raw(`<link rel="stylesheet" href="${REPORTS_CSS_PATH}">`);
}
