/**
 * A table in a box that scrolls sideways rather than spilling out of the page, with a visible cue when
 * it does: a shadow at each edge that hides columns (CSS alone, so also without scripts) and the text
 * "Kéo ngang để xem thêm cột" (shown by app.js when the table is wider than its box). `sticky` keeps
 * the first column in view while scrolling.
 */
import { html, type SafeHtml } from './html.js';
import { texts } from './i18n/catalogue.js';
import type { WebLang } from './web.types.js';

export interface ScrollTableOptions {
  /** The id of the heading that names the table's region. */
  labelledBy: string;
  /** Keep the first column in view while the table scrolls. */
  sticky?: boolean;
}

export function scrollTable(lang: WebLang, options: ScrollTableOptions, table: SafeHtml): SafeHtml {
  return html`<div class="scroll-box${options.sticky ? ' sticky-first' : ''}" data-scroll-cue>
<p class="scroll-hint" hidden>↔ ${texts(lang).tables.scrollHint}</p>
<div class="table-wrap" role="region" aria-labelledby="${options.labelledBy}" tabindex="0">${table}</div>
</div>`;
}
