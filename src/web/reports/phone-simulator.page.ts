/** /gia-lap: a phone on screen that texts the short code through the real SMS look-up (sandbox demos only). */
import { html, type SafeHtml } from '../html.js';
import type { InboxEntry, ThreadEntry } from '../../inbound/simulator.js';
import { label, NOTIFICATION_KIND_LABELS } from '../format.js';
import { formatVnd, messageStatusLabel, t } from './i18n.js';
import { stylesheet, timeTag, type View } from './ui.js';

export interface SimulatorModel {
  view: View;
  shortCode: string;
  syntax: string;
  feeVnd: number;
  phone: string;
  text: string;
  thread: readonly ThreadEntry[];
  /** The notification SMS the number received (its sender shows as the brandname). */
  inbox: readonly InboxEntry[];
  brandname: string;
  error: string | null;
}

/** What the phone shows, oldest first, the newest last (the list scrolls to it): look-ups with their replies, and notifications. */
function screenItems(model: SimulatorModel): Array<{ at: number; html: SafeHtml }> {
  const { lang } = model.view;
  const shortCode = model.shortCode;
  const lookups = model.thread.map((entry) => ({
    at: entry.receivedAt,
    html: html`<li class="bubble out" data-testid="sent"><span class="who">${t(lang, 'simulatorYou')}</span>${entry.text}${timeTag(entry.receivedAt)}</li>
${
  entry.reply === null
    ? html`<li class="bubble in" data-testid="reply"><span class="who">${t(lang, 'simulatorNoReply')}</span></li>`
    : html`<li class="bubble in" data-testid="reply"><span class="who">${t(lang, 'simulatorReply', { shortCode })}</span><span data-testid="reply-text">${entry.reply}</span>${entry.replyStatus ? html`<span class="status">${messageStatusLabel(lang, entry.replyStatus)}</span>` : null}</li>`
}`,
  }));
  const notifications = model.inbox.map((n) => ({
    at: n.at,
    html: html`<li class="bubble in notification" data-testid="notification" data-kind="${n.kind}"><span class="who">${model.brandname} · ${label(NOTIFICATION_KIND_LABELS, n.kind, lang)}</span>${n.body ?? '—'}${timeTag(n.at)}<span class="status">${messageStatusLabel(lang, n.status)}</span></li>`,
  }));
  return [...lookups, ...notifications].sort((a, b) => a.at - b.at);
}

export function simulatorBody(model: SimulatorModel): SafeHtml {
  const { lang, csrfToken } = model.view;
  const shortCode = model.shortCode;
  return html`${stylesheet()}
<h1>${t(lang, 'simulator')}</h1>
<p>${t(lang, 'simulatorIntro', { shortCode })}</p>
<p class="hint">${t(lang, 'simulatorHint', { syntax: model.syntax, fee: formatVnd(model.feeVnd) })}</p>
<div class="phone">
<section class="phone-screen" aria-labelledby="thread-title">
<h2 class="phone-head" id="thread-title">${t(lang, 'simulatorThread', { shortCode })}</h2>
${
  model.thread.length === 0 && model.inbox.length === 0
    ? html`<p class="hint">${t(lang, 'simulatorEmpty')}</p>`
    : html`<ol class="thread" data-testid="thread" data-scroll-end aria-live="polite">${screenItems(model).map((item) => item.html)}</ol>`
}
${model.error ? html`<p class="error" role="alert">${model.error}</p>` : null}
<form method="post" action="/gia-lap">
  <input type="hidden" name="_csrf" value="${csrfToken ?? ''}">
  <div class="field"><label for="sim-phone">${t(lang, 'simulatorPhone')}</label>
    <input type="tel" id="sim-phone" name="phone" value="${model.phone}" maxlength="40" required autocomplete="off" inputmode="tel"></div>
  <div class="field"><label for="sim-text">${t(lang, 'simulatorText')}</label>
    <textarea id="sim-text" name="text" rows="2" maxlength="500" required spellcheck="false">${model.text}</textarea></div>
  <button type="submit">${t(lang, 'simulatorSend', { shortCode })}</button>
</form>
</section>
</div>`;
}
