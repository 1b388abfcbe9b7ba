/** The desk's page of one dossier: facts, actions (with what each will send), the hold box, messages, history. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { phoneProblemMessage } from '../../lib/phone/phone.js';
import type { DossierDetail } from '../../dossiers/dossier.view.js';
import type { DossierState } from '../../dossiers/dossier.state-machine.js';
import type { NotificationJson } from '../../platform/http/schemas.js';
import { html, raw, type SafeHtml } from '../html.js';
import { checkbox, csrfField, errorItems, selectField, textField, type FieldErrors } from '../forms.js';
import { renderPage, sendPage, type Flash } from '../web.layout.js';
import { principalForUser, type WebLang } from '../web.types.js';
import {
  displayPhone,
  EVENT_LABELS,
  formatDateTime,
  label,
  NOTIFICATION_KIND_LABELS,
  NOTIFICATION_STATUS_LABELS,
  STATE_LABELS,
} from '../format.js';
import { failureReasonLabel } from '../reports/i18n.js';
import { actionsFor, type DeskAction } from './desk.actions.js';
import { actionHint, messageFeedback, type FeedbackAction, type SubmittedVia } from './desk.feedback.js';
import { T } from './desk.strings.js';
import { holdBox, methodOptions, type DeskDeps } from './desk.view.js';

const STEP_SUGGESTIONS = ['Thẩm định hồ sơ', 'Chuyển phòng chuyên môn', 'Trình lãnh đạo phê duyệt', 'Ký duyệt kết quả'];

/** What the page reports after an action: the success line, and the notifications that action created. */
export interface AfterAction {
  flash: Flash;
  action: FeedbackAction;
  submittedVia?: SubmittedVia;
  /** Ids of the notifications the action created (from the redirect). */
  created: readonly number[];
}

/** "When" for a message row: when it left, when it will leave, or that it never will. */
function whenCell(n: NotificationJson, lang: WebLang): string {
  const t = T[lang];
  if (n.status === 'failed' || n.status === 'cancelled') return t.notSent;
  if (n.sentAt) return formatDateTime(n.sentAt);
  return `${formatDateTime(n.sendAfter)} (${t.planned})`;
}

function reasonOf(n: NotificationJson, lang: WebLang): string | null {
  if (!n.failureReason) return null;
  return n.failureReason === 'undone' ? T[lang].undoneReason : failureReasonLabel(lang, n.failureReason);
}

function historyLine(detail: DossierDetail, e: DossierDetail['events'][number], lang: WebLang): string {
  if (e.type === 'undo') {
    const undone = detail.events.find((other) => other.seq === e.seq - 1);
    const what = undone ? label(EVENT_LABELS, undone.type, lang) : label(EVENT_LABELS, 'undo', lang);
    return `${formatDateTime(e.at)} — ${T[lang].undoOf(what)} → ${label(STATE_LABELS, e.state, lang)}${e.step ? ` (${e.step})` : ''}`;
  }
  return `${formatDateTime(e.at)} — ${label(EVENT_LABELS, e.type, lang)}${e.step ? `: ${e.step}` : ''} → ${label(STATE_LABELS, e.state, lang)}`;
}

export async function sendDossierPage(
  deps: DeskDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  code: string,
  errors: FieldErrors,
  after: AfterAction | Flash | null,
  status = 200,
): Promise<FastifyReply> {
  const user = request.webUser!;
  const lang = request.webLang;
  const t = T[lang];
  const detail = await deps.dossierQueries.get(principalForUser(user), code);
  // Law 91/2025/QH15: every showing of a dossier's page reads the applicant's personal data, so it is
  // logged, as /ho-so/{code} is (after the access check above, so a refused read logs nothing).
  await deps.audit.record(user, { action: 'dossier.read', entity: 'dossier', entityId: detail.dossier.receiptCode, ip: request.ip });
  const now = deps.clock.now();
  const d = detail.dossier;
  const version = detail.version;
  const [procedure, agency, held] = await Promise.all([
    deps.procedures.get(d.procedureCode),
    deps.agencies.require(d.agencyCode),
    deps.dossierQueries.heldBy(code, version),
  ]);
  const processingDays = procedure?.processingDays ?? 1;
  let flash: Flash | null = null;
  if (after && typeof after === 'object' && 'action' in after) {
    const ids = new Set(after.created);
    const beforeEvent = detail.events.find((e) => e.seq === version - 1);
    const feedback = messageFeedback({
      lang,
      dossier: d,
      created: detail.notifications.filter((n) => ids.has(n.id)),
      action: after.action,
      ...(after.submittedVia ? { submittedVia: after.submittedVia } : {}),
      beforeState: (beforeEvent?.state ?? 'received') as DossierState,
      seq: version,
      processingDays,
      settings: agency.settings,
      now,
    });
    const head = typeof after.flash === 'string' ? after.flash : after.flash.message;
    flash = {
      kind: feedback.kind === 'warning' ? 'error' : 'success',
      message: html`<p>${head}</p>${feedback.lines.map((line) => html`<p data-testid="feedback">${line}</p>`)}`,
    };
  } else if (after) {
    flash = after as Flash;
  }
  const actions = actionsFor(d.state as DossierState);
  const hint = (action: DeskAction, usual: string) => actionHint(lang, d, action, processingDays, agency.settings, usual);
  const base = `/mot-cua/ho-so/${encodeURIComponent(d.receiptCode)}`;
  const actionForm = (
    action: string,
    content: SafeHtml,
    opts: { confirm?: boolean; button: string; className?: string },
  ) => html`<form method="post" action="${base}/su-kien" class="stack">
      ${csrfField(request.csrfToken)}
      <input type="hidden" name="action" value="${action}">
      <input type="hidden" name="version" value="${version}">
      ${content}
      ${opts.confirm ? checkbox({ name: 'confirm', label: t.confirm, checked: false, id: `confirm-${action}` }) : null}
      ${errors[action] ? html`<p class="error" role="alert">${errors[action]}</p>` : null}
      <div><button type="submit" class="${opts.className ?? ''}">${opts.button}</button></div>
    </form>`;
  const phone = d.phone.e164 ? displayPhone(d.phone.e164) : (d.phone.input ?? '—');
  const body = html`<p><a href="/mot-cua${user.role === 'admin' ? `?agency=${encodeURIComponent(d.agencyCode)}` : ''}">${t.back}</a></p>
<h1>${t.dossier} ${d.receiptCode}</h1>
${holdBox(request, d.receiptCode, version, held, now)}
<div class="grid two">
<section class="card" aria-labelledby="facts-title">
  <h2 id="facts-title" class="visually-hidden">${t.dossier}</h2>
  <dl class="facts">
    <dt>${t.procedure}</dt><dd>${procedure?.name ?? d.procedureCode}</dd>
    <dt>${t.applicant}</dt><dd>${d.applicant.name}</dd>
    <dt>${t.phoneLabel}</dt><dd>${phone}${d.phone.problem ? html` <span class="late">(${t.noSms}: ${phoneProblemMessage(d.phone.problem, lang)})</span>` : null}</dd>
    ${d.applicant.email ? html`<dt>${t.emailShort}</dt><dd>${d.applicant.email}</dd>` : null}
    <dt>${t.state}</dt><dd data-testid="state">${label(STATE_LABELS, d.state, lang)}</dd>
    <dt>${t.step}</dt><dd data-testid="step">${d.step}</dd>
    <dt>${t.receivedAt}</dt><dd>${formatDateTime(d.receivedAt)}</dd>
    <dt>${t.due}</dt><dd>${formatDateTime(d.dueAt)} ${d.onTime === null ? null : html`<span class="${d.onTime ? 'ontime' : 'late'}">${d.onTime ? t.onTime : t.late}</span>`}</dd>
    <dt>${t.returnMethod}</dt><dd>${t.methods[d.returnMethod]}</dd>
  </dl>
</section>
<section class="card" aria-labelledby="actions-title">
  <h2 id="actions-title">${t.actions}</h2>
  ${actions.length === 0 ? html`<p>${t.noActions}</p>` : null}
  ${
    actions.includes('step')
      ? actionForm(
          'step',
          html`<h3>${t.moveStep}</h3>${textField({ name: 'step', label: t.stepName, hint: t.stepHint, error: errors.step, attrs: raw('list="step-suggestions" maxlength="200"') })}<datalist id="step-suggestions">${STEP_SUGGESTIONS.map((s) => html`<option value="${s}">`)}</datalist>`,
          { button: t.doMove, className: 'secondary' },
        )
      : null
  }
  ${actions.includes('supplement_received') ? actionForm('supplement_received', html`<h3>${t.supplementReceived}</h3>`, { button: t.supplementReceived, className: 'secondary' }) : null}
  ${
    actions.includes('result_ready')
      ? actionForm(
          'result_ready',
          html`<h3>${t.result}</h3><p class="hint">${hint('result_ready', t.resultHint)}</p>${selectField({ name: 'returnMethod', label: t.returnMethod, value: d.returnMethod, options: methodOptions(t), id: 'result-method' })}`,
          { button: t.result },
        )
      : null
  }
  ${actions.includes('supplement_requested') ? actionForm('supplement_requested', html`<h3>${t.supplement}</h3><p class="hint">${hint('supplement_requested', t.supplementHint)}</p>`, { button: t.supplement }) : null}
  ${actions.includes('returned') ? actionForm('returned', html`<h3>${t.returned}</h3>`, { button: t.returned }) : null}
  ${
    actions.includes('refused') || actions.includes('withdrawn')
      ? html`<details${errors.refused || errors.withdrawn ? raw(' open') : null}><summary>${t.other}</summary>
      ${actionForm('refused', html`<h3>${t.refused}</h3>`, { button: t.refused, confirm: true, className: 'danger' })}
      ${actionForm('withdrawn', html`<h3>${t.withdrawn}</h3>`, { button: t.withdrawn, confirm: true, className: 'danger' })}
    </details>`
      : null
  }
</section>
</div>
<section class="card" aria-labelledby="messages-title">
  <h2 id="messages-title">${t.messages}</h2>
  ${
    detail.notifications.length === 0
      ? html`<p>${t.noMessages}</p>`
      : html`<div class="table-wrap"><table><caption class="visually-hidden">${t.messages}</caption><thead><tr><th scope="col">${t.kind}</th><th scope="col">${t.status}</th><th scope="col">${t.sendAt}</th></tr></thead>
    <tbody>${detail.notifications.map((n) => html`<tr data-testid="notification" data-status="${n.status}"><td>${label(NOTIFICATION_KIND_LABELS, n.kind, lang)} <span class="hint">(${n.channel === 'sms' ? 'SMS' : t.emailShort})</span></td><td>${label(NOTIFICATION_STATUS_LABELS, n.status, lang)}${reasonOf(n, lang) ? html` <span class="hint">(${reasonOf(n, lang)})</span>` : null}</td><td data-testid="when">${whenCell(n, lang)}</td></tr>`)}</tbody></table></div>`
  }
</section>
<section class="card" aria-labelledby="history-title">
  <h2 id="history-title">${t.history}</h2>
  <p><a href="/ho-so/${encodeURIComponent(d.receiptCode)}" data-testid="timeline-link">${t.fullTimeline}</a></p>
  <ol data-testid="history">${detail.events.map((e) => html`<li>${historyLine(detail, e, lang)}</li>`)}</ol>
</section>`;
  return sendPage(
    reply,
    renderPage({
      title: `${t.dossier} ${d.receiptCode}`,
      user,
      csrfToken: request.csrfToken,
      lang,
      active: '/mot-cua',
      body,
      flash,
      errors: errorItems(errors, { refused: 'confirm-refused', withdrawn: 'confirm-withdrawn' }),
    }),
    status,
  );
}
