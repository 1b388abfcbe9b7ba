/** The desk's front page (intake form and recent dossiers), the live phone check and the hold box. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AgencyService } from '../../reference/agency.service.js';
import type { ProcedureService } from '../../reference/procedure.service.js';
import type { Clock } from '../../platform/clock.js';
import type { AuditService } from '../../accounts/audit.service.js';
import { checkPhone, phoneProblemMessage, CARRIER_NAMES } from '../../lib/phone/phone.js';
import type { DossierService } from '../../dossiers/dossier.service.js';
import type { DossierQueryService } from '../../dossiers/dossier.query.service.js';
import type { HeldMessage } from '../../dossiers/dossier.messages.js';
import { html, raw, type SafeHtml } from '../html.js';
import { checkbox, csrfField, errorItems, selectField, textField, type FieldErrors } from '../forms.js';
import { renderPage, sendPage, type Flash } from '../web.layout.js';
import { principalForUser, type WebLang } from '../web.types.js';
import { displayPhone, formatDateTime, label, processingTimeText, NOTIFICATION_KIND_LABELS, STATE_LABELS } from '../format.js';
import { T, type Dict } from './desk.strings.js';
import { pageRange, pagination, pastEnd } from '../pagination.js';
import { QUEUES, type QueueName } from '../../dossiers/dossier.queues.js';
import type { DossierJson } from '../../dossiers/dossier.view.js';

/** The desk's work queues in its address (`/mot-cua?hang=…`), Vietnamese words. */
export const QUEUE_SLUGS: Record<QueueName, string> = {
  due_today: 'han-hom-nay',
  due_tomorrow: 'han-ngay-mai',
  late: 'tre-han',
  awaiting_supplement: 'cho-bo-sung',
  result_ready: 'cho-tra-ket-qua',
};
export const QUEUE_PAGE_SIZE = 50;

export function queueOfSlug(slug: string): QueueName | null {
  return QUEUES.find((queue) => QUEUE_SLUGS[queue] === slug) ?? null;
}

const ddmmyyyy = (date: string) => date.split('-').reverse().join('/');

function deskHref(params: Record<string, string | number | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `/mot-cua?${text}` : '/mot-cua';
}

function dossierTable(t: Dict, lang: WebLang, caption: string, dossiers: DossierJson[]): SafeHtml {
  return html`<div class="table-wrap"><table>
    <caption class="visually-hidden">${caption}</caption>
    <thead><tr><th scope="col">${t.receiptCode}</th><th scope="col">${t.state}</th><th scope="col">${t.due}</th></tr></thead>
    <tbody>${dossiers.map(
      (d) =>
        html`<tr><td><a href="/mot-cua/ho-so/${encodeURIComponent(d.receiptCode)}">${d.receiptCode}</a><br><span class="hint">${d.applicant.name}</span></td><td>${label(STATE_LABELS, d.state, lang)}<br><span class="hint">${d.step}</span></td><td>${formatDateTime(d.dueAt)}${d.onTime === null ? null : html`<br><span class="${d.onTime ? 'ontime' : 'late'}">${d.onTime ? t.onTime : t.late}</span>`}</td></tr>`,
    )}</tbody></table></div>`;
}

/** The services the desk screens use. */
export interface DeskDeps {
  readonly clock: Clock;
  readonly agencies: AgencyService;
  readonly procedures: ProcedureService;
  readonly dossiers: DossierService;
  readonly dossierQueries: DossierQueryService;
  readonly audit: AuditService;
}

export interface PhoneStatus {
  ok: boolean;
  /** The desk takes the dossier with this number (a landline or a foreign number: no SMS, but never a refusal). */
  accepted: boolean;
  problem: string | null;
  message: string;
  e164: string | null;
  carrier: string | null;
}

export function phoneStatus(value: string, lang: WebLang): PhoneStatus {
  const check = checkPhone(value);
  const t = T[lang];
  if (check.problem) {
    const accepted = check.problem === 'landline' || check.problem === 'foreign';
    const message = `${phoneProblemMessage(check.problem, lang)}.${accepted ? ` ${t.acceptedAnyway} ${t.offerEmail}` : ''}`;
    return { ok: false, accepted, problem: check.problem, message, e164: check.e164, carrier: null };
  }
  const carrier = check.carrier ? CARRIER_NAMES[check.carrier] : null;
  const text = t.phoneOk(displayPhone(check.e164), carrier);
  return {
    ok: true,
    accepted: true,
    problem: null,
    message: check.converted ? `${text.slice(0, -1)} — ${t.phoneConverted}.` : text,
    e164: check.e164,
    carrier: check.carrier,
  };
}

export interface IntakeForm {
  receiptCode: string;
  procedureCode: string;
  applicantName: string;
  phone: string;
  noPhone: boolean;
  email: string;
  returnMethod: string;
  submittedVia: string;
}

export const methodOptions = (t: Dict) => (['counter', 'postal', 'online'] as const).map((m) => ({ value: m, label: t.methods[m] }));
const channelOptions = (t: Dict) => (['counter', 'postal', 'online'] as const).map((m) => ({ value: m, label: t.channels[m] }));

/** The box of a message still inside its hold, with its countdown and the undo button; its title and
 *  text change to "gone to sending" when the countdown ends (static.ts). */
export function holdBox(request: FastifyRequest, code: string, seq: number, held: HeldMessage[], now: number): SafeHtml | null {
  if (held.length === 0) return null;
  const t = T[request.webLang];
  const sendAfter = Math.min(...held.map((h) => h.sendAfter));
  const seconds = Math.max(1, Math.ceil((sendAfter - now) / 1000));
  const kinds = [...new Set(held.map((h) => label(NOTIFICATION_KIND_LABELS, h.kind, request.webLang)))].join(', ');
  return html`<section class="hold" aria-labelledby="hold-title" data-countdown-seconds="${seconds}" data-testid="hold">
  <h2 id="hold-title" data-countdown-title="${t.holdGone}">${t.holdTitle}</h2>
  <div data-countdown-undo>
    ${
      seconds <= 3600
        ? html`<p>${t.holdText(kinds)} <strong><span data-countdown-out>${seconds}</span> ${t.seconds}</strong> (${formatDateTime(sendAfter)}).</p>`
        : html`<p>${t.holdText(kinds)}: ${t.holdAt} <strong>${formatDateTime(sendAfter)}</strong>.</p>`
    }
    <p class="hint">${t.holdUndoHint}</p>
    <form method="post" action="/mot-cua/ho-so/${encodeURIComponent(code)}/hoan-tac">
      ${csrfField(request.csrfToken)}
      <input type="hidden" name="seq" value="${seq}">
      <button type="submit" class="danger">${t.undo}</button>
    </form>
  </div>
  <p data-countdown-done hidden>${t.holdDone}</p>
</section>`;
}

/** The desk's front page: the intake form (with what was typed and its errors) and the recent dossiers. */
export async function sendDeskPage(
  deps: DeskDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  agencyCode: string | null,
  form: IntakeForm | null,
  errors: FieldErrors,
  flash: Flash | null,
  status = 200,
): Promise<FastifyReply> {
  const user = request.webUser!;
  const lang = request.webLang;
  const t = T[lang];
  const query = request.query as Record<string, unknown>;
  const q = String(query.q ?? '').slice(0, 100);
  const queue = queueOfSlug(String(query.hang ?? ''));
  const page = Math.max(1, Math.min(1_000_000, Number.parseInt(String(query.trang ?? '1'), 10) || 1));
  let body: SafeHtml;
  if (!agencyCode) {
    body = html`<h1>${t.title}</h1><p class="card">${t.noAgency}</p>`;
  } else {
    const [agency, procedures, agencies] = await Promise.all([
      deps.agencies.require(agencyCode),
      deps.procedures.list(agencyCode),
      user.role === 'admin' ? deps.agencies.list() : Promise.resolve([]),
    ]);
    const values: IntakeForm = form ?? {
      receiptCode: await deps.dossierQueries.suggestReceiptCode(agencyCode),
      procedureCode: procedures[0]?.code ?? '',
      applicantName: '',
      phone: '',
      noPhone: false,
      email: '',
      returnMethod: 'counter',
      submittedVia: 'counter',
    };
    const principal = principalForUser(user);
    const [{ counts, dates }, listed] = await Promise.all([
      deps.dossierQueries.queueCounts(principal, agencyCode),
      queue
        ? deps.dossierQueries.queue(principal, agencyCode, queue, {
            q: q || undefined,
            limit: QUEUE_PAGE_SIZE,
            offset: (page - 1) * QUEUE_PAGE_SIZE,
          })
        : deps.dossierQueries.searchPage(principal, agencyCode, {
            q: q || undefined,
            limit: QUEUE_PAGE_SIZE,
            offset: (page - 1) * QUEUE_PAGE_SIZE,
          }),
    ]);
    const dossiers = listed.items;
    const agencyParam = user.role === 'admin' ? agencyCode : null;
    const listTitle = queue ? t.queues[queue] : t.openList;
    const paging = { page, pageSize: QUEUE_PAGE_SIZE, total: listed.total };
    const href = (n: number) => deskHref({ agency: agencyParam, hang: queue ? QUEUE_SLUGS[queue] : null, q, trang: n === 1 ? null : n });
    const queueMenu = html`<nav class="card" aria-labelledby="queues-title" data-testid="queues">
  <h2 id="queues-title">${t.queuesTitle}</h2>
  <ul class="actions">
    <li><a href="${deskHref({ agency: agencyParam })}"${queue === null ? raw(' aria-current="page"') : null}>${t.queues.recent}</a></li>
    ${QUEUES.map(
      (name) =>
        html`<li><a href="${deskHref({ agency: agencyParam, hang: QUEUE_SLUGS[name] })}" data-queue="${name}"${queue === name ? raw(' aria-current="page"') : null}>${t.queues[name]} <strong data-count>${counts[name]}</strong></a></li>`,
    )}
  </ul>
</nav>`;
    const listBody =
      pastEnd(lang, paging, href) ??
      (dossiers.length === 0
        ? html`<p>${queue ? t.queueEmpty : t.none}</p>`
        : html`${pageRange(lang, paging)}${dossierTable(t, lang, listTitle, dossiers)}${pagination(lang, paging, href)}`);
    const phoneState = values.phone && !errors.phone ? phoneStatus(values.phone, lang) : null;
    const phoneClass = phoneState ? (phoneState.ok ? 'okmsg' : phoneState.accepted ? 'warnmsg' : 'error') : 'hint';
    body = html`<h1>${t.title} — ${agency.name}</h1>
${queueMenu}
${
  user.role === 'admin'
    ? html`<form method="get" action="/mot-cua" class="card actions">
  ${selectField({ name: 'agency', label: t.agency, value: agencyCode, options: agencies.map((a) => ({ value: a.code, label: `${a.code} – ${a.name}` })) })}
  <button type="submit" class="secondary">${t.choose}</button>
</form>`
    : null
}
<div class="grid two">
<section class="card" aria-labelledby="intake-title">
  <h2 id="intake-title">${t.intake}</h2>
  <form method="post" action="/mot-cua/tiep-nhan" class="stack" novalidate>
    ${csrfField(request.csrfToken)}
    <input type="hidden" name="agencyCode" value="${agencyCode}">
    ${textField({ name: 'receiptCode', label: t.receiptCode, value: values.receiptCode, error: errors.receiptCode, hint: t.receiptHint, required: true, autocomplete: 'off', attrs: raw('maxlength="64" spellcheck="false"') })}
    ${selectField({ name: 'procedureCode', label: t.procedure, value: values.procedureCode, error: errors.procedureCode, options: procedures.map((p) => ({ value: p.code, label: `${p.name} (${p.code}, ${processingTimeText(p.processingDays, lang, p.dayKind)})` })) })}
    ${textField({ name: 'applicantName', label: t.applicant, value: values.applicantName, error: errors.applicantName, required: true, autocomplete: 'off', attrs: raw('maxlength="200"') })}
    ${textField({
      name: 'phone',
      label: t.phone,
      type: 'tel',
      value: values.phone,
      error: errors.phone,
      hint: t.phoneHint,
      autocomplete: 'off',
      attrs: raw('inputmode="tel" maxlength="40" data-phone-check="phone-status"'),
      after: html`<p id="phone-status" class="${phoneClass}" aria-live="polite">${phoneState?.message ?? ''}</p>`,
    })}
    ${checkbox({ name: 'noPhone', label: t.noPhone, checked: values.noPhone })}
    ${textField({ name: 'email', label: t.email, type: 'email', value: values.email, error: errors.email, autocomplete: 'off' })}
    ${selectField({ name: 'submittedVia', label: t.submittedVia, value: values.submittedVia, options: channelOptions(t) })}
    ${selectField({ name: 'returnMethod', label: t.returnMethod, value: values.returnMethod, options: methodOptions(t) })}
    <div><button type="submit">${t.submit}</button></div>
  </form>
</section>
<section class="card" aria-labelledby="list-title">
  <h2 id="list-title">${listTitle}</h2>
  ${queue ? html`<p class="hint">${t.queueHints[queue](ddmmyyyy(queue === 'due_tomorrow' ? dates.tomorrow : dates.today))}</p>` : null}
  <form method="get" action="/mot-cua" class="actions" role="search">
    ${agencyParam ? html`<input type="hidden" name="agency" value="${agencyCode}">` : null}
    ${queue ? html`<input type="hidden" name="hang" value="${QUEUE_SLUGS[queue]}">` : null}
    ${textField({ name: 'q', label: t.search, type: 'search', value: q })}
    <button type="submit" class="secondary">${t.searchBtn}</button>
  </form>
  ${listBody}
</section>
</div>`;
  }
  return sendPage(
    reply,
    renderPage({ title: t.title, user, csrfToken: request.csrfToken, lang, active: '/mot-cua', body, flash, errors: errorItems(errors) }),
    status,
  );
}
