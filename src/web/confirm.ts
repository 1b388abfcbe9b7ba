/** The GOV.UK confirmation step for actions that cannot be taken back: a page that names what will
 *  happen, with the action's button and a way back. The action's form posts again with `confirm=yes`. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from './html.js';
import { csrfField } from './forms.js';
import { renderPage, sendPage } from './web.layout.js';

export interface Confirmation {
  title: string;
  /** What will happen, in plain words (one paragraph each). */
  consequences: readonly (string | SafeHtml)[];
  /** A stronger warning shown first (e.g. the last admin token). */
  warning?: string | null;
  action: string;
  hidden?: Readonly<Record<string, string>>;
  confirmLabel: string;
  cancelLabel: string;
  cancelHref: string;
  /** The navigation entry to mark as current. */
  active: string;
}

/** True when the form says the person confirmed on the confirmation page. */
export const confirmed = (body: unknown): boolean =>
  Boolean(body && typeof body === 'object' && (body as Record<string, unknown>).confirm === 'yes');

export function sendConfirmPage(request: FastifyRequest, reply: FastifyReply, c: Confirmation): FastifyReply {
  const body = html`<h1>${c.title}</h1>
${c.warning ? html`<div class="flash error" role="alert" data-testid="confirm-warning"><p>${c.warning}</p></div>` : null}
<div class="card" data-testid="confirm">
  ${c.consequences.map((line) => html`<p>${line}</p>`)}
  <form method="post" action="${c.action}" class="actions">
    ${csrfField(request.csrfToken)}
    ${Object.entries(c.hidden ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
    <input type="hidden" name="confirm" value="yes">
    <button type="submit" class="danger">${c.confirmLabel}</button>
    <a href="${c.cancelHref}">${c.cancelLabel}</a>
  </form>
</div>`;
  return sendPage(
    reply,
    renderPage({ title: c.title, user: request.webUser, csrfToken: request.csrfToken, lang: request.webLang, active: c.active, body }),
  );
}
