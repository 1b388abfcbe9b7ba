/**
 * The one pagination of the staff screens (GOV.UK pagination pattern): "1–50 / 647" above a list,
 * previous / next and page numbers (the first, the last, the current one and its neighbours, gaps as
 * "…") below it, and the message for a page past the end with a link to the last page. Every paged
 * list (/tin-nhan, /ho-so, the desk's lists, /nhat-ky, the reconciliation list, accounts) uses it.
 */
import { html, type SafeHtml } from './html.js';
import { texts } from './i18n/catalogue.js';
import type { WebLang } from './web.types.js';

/** One page of a list of `total` rows, pages from 1. */
export interface PageInfo {
  page: number;
  pageSize: number;
  total: number;
}

/** A page of rows with what the pagination needs. */
export interface Paged<T> extends PageInfo {
  items: T[];
}

export const pageCount = (p: PageInfo): number => Math.max(1, Math.ceil(p.total / p.pageSize));

/** A page number beyond the last page of a non-empty list (an old link, a typed address). */
export const isPastEnd = (p: PageInfo): boolean => p.total > 0 && p.page > pageCount(p);

/** The offset of the page's first row. */
export const pageOffset = (p: Pick<PageInfo, 'page' | 'pageSize'>): number => (p.page - 1) * p.pageSize;

/** The page's rows of a list held in memory. */
export function pageOf<T>(rows: readonly T[], page: number, pageSize: number): Paged<T> {
  return {
    items: rows.slice(pageOffset({ page, pageSize }), pageOffset({ page, pageSize }) + pageSize),
    page,
    pageSize,
    total: rows.length,
  };
}

/** The page numbers to show: first, last, current ±1, with 'gap' where numbers are left out. */
export function pageNumbers(page: number, pages: number): Array<number | 'gap'> {
  const shown = [...new Set([1, page - 1, page, page + 1, pages])].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
  const out: Array<number | 'gap'> = [];
  for (const [i, n] of shown.entries()) {
    const previous = shown[i - 1];
    // A single missing number is shown rather than hidden behind "…".
    if (previous !== undefined && n - previous === 2) out.push(previous + 1);
    else if (previous !== undefined && n - previous > 2) out.push('gap');
    out.push(n);
  }
  return out;
}

/** "1–50 / 647": the rows on this page out of all; nothing for an empty list or a page past the end. */
export function pageRange(lang: WebLang, p: PageInfo): SafeHtml | null {
  if (p.total === 0 || isPastEnd(p)) return null;
  const first = pageOffset(p) + 1;
  const last = Math.min(p.total, pageOffset(p) + p.pageSize);
  return html`<p class="page-range" data-testid="range">${texts(lang)
    .tables.range.replace('{from}', fmt(lang, first))
    .replace('{to}', fmt(lang, last))
    .replace('{total}', fmt(lang, p.total))}</p>`;
}

/** Previous, page numbers and next; nothing when everything fits on one page. */
export function pagination(lang: WebLang, p: PageInfo, href: (page: number) => string): SafeHtml | null {
  const pages = pageCount(p);
  if (pages <= 1 || isPastEnd(p)) return null;
  const t = texts(lang).tables;
  const pageN = (n: number) => t.pageN.replace('{n}', String(n));
  return html`<nav class="pagination" aria-label="${t.label}" data-testid="pagination"><ul>
${p.page > 1 ? html`<li class="pagination-prev"><a href="${href(p.page - 1)}" rel="prev">← ${t.previous}<span class="visually-hidden"> (${pageN(p.page - 1)})</span></a></li>` : null}
${pageNumbers(p.page, pages).map((n) =>
  n === 'gap'
    ? html`<li class="pagination-gap" aria-hidden="true">…</li>`
    : n === p.page
      ? html`<li class="pagination-item current"><a href="${href(n)}" aria-current="page" aria-label="${pageN(n)}">${n}</a></li>`
      : html`<li class="pagination-item"><a href="${href(n)}" aria-label="${pageN(n)}">${n}</a></li>`,
)}
${p.page < pages ? html`<li class="pagination-next"><a href="${href(p.page + 1)}" rel="next">${t.next} →<span class="visually-hidden"> (${pageN(p.page + 1)})</span></a></li>` : null}
</ul></nav>`;
}

/** A page past the end: what happened and the way to the last page, in place of an empty table. */
export function pastEnd(lang: WebLang, p: PageInfo, href: (page: number) => string): SafeHtml | null {
  if (!isPastEnd(p)) return null;
  const t = texts(lang).tables;
  const pages = pageCount(p);
  return html`<div class="card" role="status" data-testid="past-end"><p>${t.noSuchPage
    .replace('{page}', String(p.page))
    .replace('{pages}', String(pages))} <a href="${href(pages)}">${t.lastPage}</a></p></div>`;
}

function fmt(lang: WebLang, n: number): string {
  return n.toLocaleString(lang === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: 0 });
}
