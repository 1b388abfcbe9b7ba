/** /mot-cua: desk screens for agencies without one-stop software — intake, steps, supplement, result, return, undo. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditService } from '../../accounts/audit.service.js';
import type { Clock } from '../../platform/clock.js';
import type { AgencyService } from '../../reference/agency.service.js';
import type { ProcedureService } from '../../reference/procedure.service.js';
import { AppError, forbidden } from '../../platform/errors.js';
import { checkPhone, phoneProblemMessage, CARRIER_NAMES } from '../../lib/phone/phone.js';
import type { DossierService } from '../../dossiers/dossier.service.js';
import type { DossierJson } from '../../dossiers/dossier.view.js';
import type { HeldMessage } from '../../dossiers/dossier.messages.js';
import type { ReturnMethod, SubmissionChannel } from '../../dossiers/dossier.input.js';
import type { DossierState } from '../../dossiers/dossier.state-machine.js';
import { html, raw, type SafeHtml } from '../html.js';
import { checkbox, csrfField, fieldErrorOf, formBool, formError, formString, selectField, textField, type FieldErrors } from '../forms.js';
import { renderPage, sendPage, type Flash } from '../web.layout.js';
import { requireWebUser } from '../web.session.js';
import { principalForUser, type WebLang, type WebUser } from '../web.types.js';
import { EVENT_LABELS, formatDateTime, label, NOTIFICATION_KIND_LABELS, NOTIFICATION_STATUS_LABELS, STATE_LABELS } from '../format.js';
import { actionsFor, isDeskAction } from './desk.actions.js';

/** The services the desk screens use. */
export interface DeskDeps {
  readonly clock: Clock;
  readonly agencies: AgencyService;
  readonly procedures: ProcedureService;
  readonly dossiers: DossierService;
  readonly audit: AuditService;
}

const DESK_ROLES = ['admin', 'agency_admin', 'clerk'] as const;
const RECEIPT = /^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const STEP_SUGGESTIONS = ['Thẩm định hồ sơ', 'Chuyển phòng chuyên môn', 'Trình lãnh đạo phê duyệt', 'Ký duyệt kết quả'];

const T = {
  vi: {
    title: 'Bộ phận Một cửa',
    agency: 'Cơ quan',
    choose: 'Chọn',
    intake: 'Tiếp nhận hồ sơ',
    receiptCode: 'Mã số biên nhận',
    receiptHint: 'Gợi ý sẵn theo ngày; có thể sửa. Chỉ gồm chữ, số, dấu chấm và gạch ngang.',
    procedure: 'Thủ tục hành chính',
    applicant: 'Họ tên người nộp',
    phone: 'Số điện thoại di động',
    phoneHint: 'Số di động Việt Nam để nhận tin nhắn SMS, ví dụ 0912 345 678.',
    noPhone: 'Người nộp không có số di động (sẽ không nhận được tin nhắn SMS)',
    email: 'Thư điện tử (không bắt buộc)',
    returnMethod: 'Hình thức trả kết quả',
    submittedVia: 'Hình thức nộp',
    submit: 'Tiếp nhận',
    required: 'Trường này không được để trống.',
    badReceipt: 'Mã số biên nhận chỉ gồm chữ, số, dấu chấm và dấu gạch ngang (tối đa 64 ký tự).',
    badEmail: 'Địa chỉ thư điện tử không hợp lệ.',
    tooLong: 'Quá dài (tối đa 200 ký tự).',
    phoneOk: (e164: string, carrier: string | null) => `Số di động hợp lệ: ${e164}${carrier ? ` (${carrier})` : ''}.`,
    phoneConverted: 'đã đổi từ đầu số cũ 11 số',
    openList: 'Hồ sơ gần đây',
    search: 'Tìm theo mã, tên hoặc số điện thoại',
    searchBtn: 'Tìm',
    none: 'Chưa có hồ sơ nào.',
    state: 'Trạng thái',
    step: 'Bước hiện tại',
    due: 'Hẹn trả',
    receivedAt: 'Tiếp nhận lúc',
    onTime: 'Đúng hạn',
    late: 'Trễ hạn',
    open: 'Mở',
    back: 'Về Bộ phận Một cửa',
    dossier: 'Hồ sơ',
    phoneLabel: 'Điện thoại',
    noSms: 'Không nhận được SMS',
    actions: 'Thao tác',
    moveStep: 'Chuyển bước xử lý',
    stepName: 'Tên bước',
    stepHint: 'Ví dụ: Thẩm định hồ sơ. Nhập "Trả kết quả" tương đương bấm "Có kết quả".',
    doMove: 'Chuyển bước',
    supplement: 'Yêu cầu bổ sung hồ sơ',
    supplementHint: 'Người nộp nhận tin nhắn mời đến nhận thông báo bổ sung; thời hạn giải quyết tạm dừng.',
    supplementReceived: 'Đã nhận đủ hồ sơ bổ sung',
    result: 'Có kết quả',
    resultHint: 'Người nộp nhận tin nhắn báo đã có kết quả, theo hình thức trả kết quả.',
    returned: 'Đã trả kết quả cho người nộp',
    other: 'Thao tác khác',
    refused: 'Không đủ điều kiện giải quyết',
    withdrawn: 'Người nộp rút hồ sơ',
    confirm: 'Tôi xác nhận thao tác này (không hoàn tác được)',
    confirmNeeded: 'Cần đánh dấu xác nhận trước khi thực hiện thao tác này.',
    history: 'Lịch sử xử lý',
    messages: 'Tin nhắn tự động',
    noMessages: 'Chưa có tin nhắn nào.',
    kind: 'Loại',
    status: 'Tình trạng',
    sendAt: 'Gửi lúc',
    holdTitle: 'Tin nhắn đang chờ gửi',
    holdText: (kinds: string) => `Tin nhắn "${kinds}" sẽ được gửi sau`,
    seconds: 'giây',
    holdAt: 'Tin nhắn sẽ được gửi lúc',
    holdUndoHint: 'Nếu bấm nhầm, hãy hoàn tác ngay: hồ sơ trở về bước trước và tin nhắn bị huỷ.',
    undo: 'Hoàn tác',
    holdDone: 'Hết thời gian chờ: tin nhắn đã được chuyển đi gửi, không còn hoàn tác được.',
    intakeOk: (code: string) => `Đã tiếp nhận hồ sơ ${code}.`,
    actionOk: 'Đã cập nhật hồ sơ.',
    undoOk: 'Đã hoàn tác: hồ sơ trở về bước trước, tin nhắn chờ gửi đã bị huỷ.',
    undoLate: 'Đã hoàn tác trạng thái hồ sơ, nhưng tin nhắn đã kịp chuyển đi gửi.',
    noActions: 'Hồ sơ đã kết thúc; không còn thao tác nào.',
    methods: { counter: 'Nhận tại Bộ phận Một cửa', postal: 'Gửi qua bưu chính công ích', online: 'Trả trực tuyến' },
    channels: { counter: 'Trực tiếp tại Một cửa', postal: 'Qua bưu chính công ích', online: 'Trực tuyến' },
    noAgency: 'Chưa có cơ quan nào. Quản trị hệ thống cần tạo cơ quan trước.',
  },
  en: {
    title: 'One-stop desk',
    agency: 'Agency',
    choose: 'Choose',
    intake: 'Receive a dossier',
    receiptCode: 'Receipt code',
    receiptHint: 'Suggested from today’s date; you may change it. Letters, digits, dots and hyphens only.',
    procedure: 'Procedure',
    applicant: 'Applicant’s full name',
    phone: 'Mobile phone number',
    phoneHint: 'A Vietnamese mobile number to receive SMS, e.g. 0912 345 678.',
    noPhone: 'The applicant has no mobile number (no SMS will reach them)',
    email: 'Email (optional)',
    returnMethod: 'How the result is returned',
    submittedVia: 'Submitted',
    submit: 'Receive',
    required: 'This field is required.',
    badReceipt: 'A receipt code has letters, digits, dots and hyphens only (at most 64).',
    badEmail: 'Invalid email address.',
    tooLong: 'Too long (at most 200 characters).',
    phoneOk: (e164: string, carrier: string | null) => `Valid mobile number: ${e164}${carrier ? ` (${carrier})` : ''}.`,
    phoneConverted: 'converted from an old 11-digit prefix',
    openList: 'Recent dossiers',
    search: 'Search by code, name or phone',
    searchBtn: 'Search',
    none: 'No dossiers yet.',
    state: 'State',
    step: 'Current step',
    due: 'Due',
    receivedAt: 'Received',
    onTime: 'On time',
    late: 'Late',
    open: 'Open',
    back: 'Back to the desk',
    dossier: 'Dossier',
    phoneLabel: 'Phone',
    noSms: 'Cannot receive SMS',
    actions: 'Actions',
    moveStep: 'Move to a step',
    stepName: 'Step name',
    stepHint: 'E.g. Thẩm định hồ sơ. Entering "Trả kết quả" is the same as "Result ready".',
    doMove: 'Move',
    supplement: 'Request a supplement',
    supplementHint: 'The applicant gets an SMS inviting them to collect the supplement notice; the clock pauses.',
    supplementReceived: 'Supplement received',
    result: 'Result ready',
    resultHint: 'The applicant gets an SMS saying the result is ready, worded by the return method.',
    returned: 'Result handed to the applicant',
    other: 'Other actions',
    refused: 'Refuse (not eligible)',
    withdrawn: 'Applicant withdraws',
    confirm: 'I confirm this action (it cannot be undone)',
    confirmNeeded: 'Tick the confirmation before this action.',
    history: 'History',
    messages: 'Automatic messages',
    noMessages: 'No messages yet.',
    kind: 'Kind',
    status: 'Status',
    sendAt: 'Send at',
    holdTitle: 'Message on hold',
    holdText: (kinds: string) => `The message "${kinds}" will be sent in`,
    seconds: 'seconds',
    holdAt: 'The message will be sent at',
    holdUndoHint: 'Pressed the wrong action? Undo now: the dossier goes back and the message is cancelled.',
    undo: 'Undo',
    holdDone: 'The hold is over: the message has gone to sending and can no longer be undone.',
    intakeOk: (code: string) => `Dossier ${code} received.`,
    actionOk: 'Dossier updated.',
    undoOk: 'Undone: the dossier is back at its previous step and the held message was cancelled.',
    undoLate: 'The dossier was put back, but the message had already gone to sending.',
    noActions: 'The dossier is closed; no actions remain.',
    methods: { counter: 'Collected at the desk', postal: 'By public postal service', online: 'Online' },
    channels: { counter: 'At the desk', postal: 'By post', online: 'Online' },
    noAgency: 'No agency exists yet. An administrator must create one first.',
  },
} as const;

type Dict = (typeof T)[WebLang];

interface PhoneStatus {
  ok: boolean;
  problem: string | null;
  message: string;
  e164: string | null;
  carrier: string | null;
}

function phoneStatus(value: string, lang: WebLang): PhoneStatus {
  const check = checkPhone(value);
  if (check.problem)
    return { ok: false, problem: check.problem, message: `${phoneProblemMessage(check.problem, lang)}.`, e164: check.e164, carrier: null };
  const carrier = check.carrier ? CARRIER_NAMES[check.carrier] : null;
  const text = T[lang].phoneOk(check.e164 ?? '', carrier);
  return {
    ok: true,
    problem: null,
    message: check.converted ? `${text.slice(0, -1)} — ${T[lang].phoneConverted}.` : text,
    e164: check.e164,
    carrier: check.carrier,
  };
}

/** The agency a desk user works for: their own, or (admin) the one chosen. */
async function deskAgency(deps: DeskDeps, user: WebUser, requested: string): Promise<string | null> {
  if (user.role !== 'admin') return user.agencyCode;
  if (requested && (await deps.agencies.get(requested))) return requested;
  return (await deps.agencies.list())[0]?.code ?? null;
}

/** What the audit log keeps of a dossier before and after a desk action. */
const snapshot = (d: DossierJson) => ({ state: d.state, step: d.step, dueAt: d.dueAt, returnMethod: d.returnMethod });

interface IntakeForm {
  receiptCode: string;
  procedureCode: string;
  applicantName: string;
  phone: string;
  noPhone: boolean;
  email: string;
  returnMethod: string;
  submittedVia: string;
}

const methodOptions = (t: Dict) => (['counter', 'postal', 'online'] as const).map((m) => ({ value: m, label: t.methods[m] }));
const channelOptions = (t: Dict) => (['counter', 'postal', 'online'] as const).map((m) => ({ value: m, label: t.channels[m] }));

function holdBox(request: FastifyRequest, code: string, seq: number, held: HeldMessage[], now: number): SafeHtml | null {
  if (held.length === 0) return null;
  const t = T[request.webLang];
  const sendAfter = Math.min(...held.map((h) => h.sendAfter));
  const seconds = Math.max(1, Math.ceil((sendAfter - now) / 1000));
  const kinds = [...new Set(held.map((h) => label(NOTIFICATION_KIND_LABELS, h.kind, request.webLang)))].join(', ');
  return html`<section class="hold" aria-labelledby="hold-title" data-countdown-seconds="${seconds}" data-testid="hold">
  <h2 id="hold-title">${t.holdTitle}</h2>
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

export function deskRoutes(app: FastifyInstance, deps: DeskDeps): void {
  const guard = { preHandler: requireWebUser([...DESK_ROLES]) };

  app.get('/mot-cua/kiem-tra-so', guard, async (request, reply) => {
    const phone = String((request.query as Record<string, unknown>).phone ?? '').slice(0, 64);
    return reply.header('cache-control', 'no-store').send(phoneStatus(phone, request.webLang));
  });

  const deskPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    agencyCode: string | null,
    form: IntakeForm | null,
    errors: FieldErrors,
    flash: Flash | null,
    status = 200,
  ) => {
    const user = request.webUser!;
    const lang = request.webLang;
    const t = T[lang];
    const q = String((request.query as Record<string, unknown>).q ?? '').slice(0, 100);
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
        receiptCode: await deps.dossiers.suggestReceiptCode(agencyCode),
        procedureCode: procedures[0]?.code ?? '',
        applicantName: '',
        phone: '',
        noPhone: false,
        email: '',
        returnMethod: 'counter',
        submittedVia: 'counter',
      };
      const dossiers = await deps.dossiers.search(principalForUser(user), agencyCode, { q: q || undefined, limit: 20 });
      const phoneState = values.phone && !errors.phone ? phoneStatus(values.phone, lang) : null;
      body = html`<h1>${t.title} — ${agency.name}</h1>
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
  ${formError(errors._form)}
  <form method="post" action="/mot-cua/tiep-nhan" class="stack" novalidate>
    ${csrfField(request.csrfToken)}
    <input type="hidden" name="agencyCode" value="${agencyCode}">
    ${textField({ name: 'receiptCode', label: t.receiptCode, value: values.receiptCode, error: errors.receiptCode, hint: t.receiptHint, required: true, autocomplete: 'off', attrs: raw('maxlength="64" spellcheck="false"') })}
    ${selectField({ name: 'procedureCode', label: t.procedure, value: values.procedureCode, error: errors.procedureCode, options: procedures.map((p) => ({ value: p.code, label: `${p.name} (${p.code}, ${p.processingDays} ${lang === 'vi' ? 'ngày' : 'days'})` })) })}
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
      after: html`<p id="phone-status" class="${phoneState ? (phoneState.ok ? 'okmsg' : 'error') : 'hint'}" aria-live="polite">${phoneState?.message ?? ''}</p>`,
    })}
    ${checkbox({ name: 'noPhone', label: t.noPhone, checked: values.noPhone })}
    ${textField({ name: 'email', label: t.email, type: 'email', value: values.email, error: errors.email, autocomplete: 'off' })}
    ${selectField({ name: 'submittedVia', label: t.submittedVia, value: values.submittedVia, options: channelOptions(t) })}
    ${selectField({ name: 'returnMethod', label: t.returnMethod, value: values.returnMethod, options: methodOptions(t) })}
    <div><button type="submit">${t.submit}</button></div>
  </form>
</section>
<section class="card" aria-labelledby="list-title">
  <h2 id="list-title">${t.openList}</h2>
  <form method="get" action="/mot-cua" class="actions" role="search">
    ${user.role === 'admin' ? html`<input type="hidden" name="agency" value="${agencyCode}">` : null}
    ${textField({ name: 'q', label: t.search, type: 'search', value: q })}
    <button type="submit" class="secondary">${t.searchBtn}</button>
  </form>
  ${
    dossiers.length === 0
      ? html`<p>${t.none}</p>`
      : html`<div class="table-wrap"><table>
    <caption class="visually-hidden">${t.openList}</caption>
    <thead><tr><th scope="col">${t.receiptCode}</th><th scope="col">${t.state}</th><th scope="col">${t.due}</th></tr></thead>
    <tbody>${dossiers.map(
      (d) =>
        html`<tr><td><a href="/mot-cua/ho-so/${encodeURIComponent(d.receiptCode)}">${d.receiptCode}</a><br><span class="hint">${d.applicant.name}</span></td><td>${label(STATE_LABELS, d.state, lang)}<br><span class="hint">${d.step}</span></td><td>${formatDateTime(d.dueAt)}${d.onTime === null ? null : html`<br><span class="${d.onTime ? 'ontime' : 'late'}">${d.onTime ? t.onTime : t.late}</span>`}</td></tr>`,
    )}</tbody></table></div>`
  }
</section>
</div>`;
    }
    return sendPage(
      reply,
      renderPage({ title: t.title, user, csrfToken: request.csrfToken, lang, active: '/mot-cua', body, flash }),
      status,
    );
  };

  app.get('/mot-cua', guard, async (request, reply) => {
    const agencyCode = await deskAgency(deps, request.webUser!, String((request.query as Record<string, unknown>).agency ?? ''));
    return deskPage(request, reply, agencyCode, null, {}, null);
  });

  app.post('/mot-cua/tiep-nhan', guard, async (request, reply) => {
    const user = request.webUser!;
    const lang = request.webLang;
    const t = T[lang];
    const body = request.body;
    const agencyCode = await deskAgency(deps, user, formString(body, 'agencyCode'));
    if (!agencyCode) throw forbidden();
    const form: IntakeForm = {
      receiptCode: formString(body, 'receiptCode').trim(),
      procedureCode: formString(body, 'procedureCode'),
      applicantName: formString(body, 'applicantName').normalize('NFC').trim(),
      phone: formString(body, 'phone').trim(),
      noPhone: formBool(body, 'noPhone'),
      email: formString(body, 'email').trim(),
      returnMethod: ['counter', 'postal', 'online'].includes(formString(body, 'returnMethod'))
        ? formString(body, 'returnMethod')
        : 'counter',
      submittedVia: ['counter', 'postal', 'online'].includes(formString(body, 'submittedVia'))
        ? formString(body, 'submittedVia')
        : 'counter',
    };
    const errors: FieldErrors = {};
    if (!form.receiptCode) errors.receiptCode = t.required;
    else if (!RECEIPT.test(form.receiptCode)) errors.receiptCode = t.badReceipt;
    if (!form.procedureCode) errors.procedureCode = t.required;
    if (!form.applicantName) errors.applicantName = t.required;
    else if (form.applicantName.length > 200) errors.applicantName = t.tooLong;
    if (form.phone) {
      const status = phoneStatus(form.phone, lang);
      if (!status.ok) errors.phone = status.message;
    } else if (!form.noPhone) {
      errors.phone = `${phoneProblemMessage('missing', lang)}. ${lang === 'vi' ? 'Nếu người nộp không có số di động, hãy đánh dấu ô bên dưới.' : 'If the applicant has no mobile number, tick the box below.'}`;
    }
    if (form.email && (!EMAIL.test(form.email) || form.email.length > 200)) errors.email = t.badEmail;
    if (Object.keys(errors).length > 0) return deskPage(request, reply, agencyCode, form, errors, null, 400);
    try {
      const result = await deps.dossiers.intake(principalForUser(user), {
        receiptCode: form.receiptCode,
        agencyCode,
        procedureCode: form.procedureCode,
        applicant: { name: form.applicantName, phone: form.phone || null, email: form.email || null },
        returnMethod: form.returnMethod as ReturnMethod,
        submittedVia: form.submittedVia as SubmissionChannel,
      });
      if (!result.created) {
        return deskPage(
          request,
          reply,
          agencyCode,
          form,
          {
            receiptCode:
              lang === 'vi' ? `Mã số biên nhận "${form.receiptCode}" đã được dùng.` : `Receipt code "${form.receiptCode}" is already used.`,
          },
          null,
          409,
        );
      }
      const d = result.dossier;
      await deps.audit.record(user, {
        action: 'dossier.intake',
        entity: 'dossier',
        entityId: d.receiptCode,
        after: {
          agencyCode: d.agencyCode,
          procedureCode: d.procedureCode,
          state: d.state,
          step: d.step,
          dueAt: d.dueAt,
          returnMethod: d.returnMethod,
          phone: d.phone.e164,
          notifications: result.notifications.map((n) => n.id),
        },
        ip: request.ip,
      });
      return reply
        .code(303)
        .header('location', `/mot-cua/ho-so/${encodeURIComponent(d.receiptCode)}?ok=intake`)
        .send();
    } catch (error) {
      const field = fieldErrorOf(error);
      if (!field) throw error;
      return deskPage(request, reply, agencyCode, form, { [field.field]: field.message }, null, (error as AppError).status);
    }
  });

  const dossierPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    code: string,
    errors: FieldErrors,
    flash: Flash | null,
    status = 200,
  ) => {
    const user = request.webUser!;
    const lang = request.webLang;
    const t = T[lang];
    const detail = await deps.dossiers.get(principalForUser(user), code);
    const now = deps.clock.now();
    const d = detail.dossier;
    const version = detail.version;
    const [procedure, held] = await Promise.all([deps.procedures.get(d.procedureCode), deps.dossiers.heldBy(code, version)]);
    const actions = actionsFor(d.state as DossierState);
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
    const body = html`<p><a href="/mot-cua${user.role === 'admin' ? `?agency=${encodeURIComponent(d.agencyCode)}` : ''}">${t.back}</a></p>
<h1>${t.dossier} ${d.receiptCode}</h1>
${holdBox(request, d.receiptCode, version, held, now)}
${formError(errors._form)}
<div class="grid two">
<section class="card" aria-labelledby="facts-title">
  <h2 id="facts-title" class="visually-hidden">${t.dossier}</h2>
  <dl class="facts">
    <dt>${t.procedure}</dt><dd>${procedure?.name ?? d.procedureCode}</dd>
    <dt>${t.applicant}</dt><dd>${d.applicant.name}</dd>
    <dt>${t.phoneLabel}</dt><dd>${d.phone.input ?? '—'}${d.phone.problem ? html` <span class="late">(${t.noSms}: ${phoneProblemMessage(d.phone.problem, lang)})</span>` : d.phone.e164 ? html` <span class="hint">${d.phone.e164}</span>` : null}</dd>
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
          html`<h3>${t.result}</h3><p class="hint">${t.resultHint}</p>${selectField({ name: 'returnMethod', label: t.returnMethod, value: d.returnMethod, options: methodOptions(t), id: 'result-method' })}`,
          { button: t.result },
        )
      : null
  }
  ${actions.includes('supplement_requested') ? actionForm('supplement_requested', html`<h3>${t.supplement}</h3><p class="hint">${t.supplementHint}</p>`, { button: t.supplement }) : null}
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
    <tbody>${detail.notifications.map((n) => html`<tr data-testid="notification" data-status="${n.status}"><td>${label(NOTIFICATION_KIND_LABELS, n.kind, lang)} <span class="hint">(${n.channel.toUpperCase()})</span></td><td>${label(NOTIFICATION_STATUS_LABELS, n.status, lang)}${n.failureReason ? html` <span class="hint">(${n.failureReason})</span>` : null}</td><td>${formatDateTime(n.sendAfter)}</td></tr>`)}</tbody></table></div>`
  }
</section>
<section class="card" aria-labelledby="history-title">
  <h2 id="history-title">${t.history}</h2>
  <ol>${detail.events.map((e) => html`<li>${formatDateTime(e.at)} — ${label(EVENT_LABELS, e.type, lang)}${e.step ? `: ${e.step}` : ''} → ${label(STATE_LABELS, e.state, lang)}</li>`)}</ol>
</section>`;
    return sendPage(
      reply,
      renderPage({ title: `${t.dossier} ${d.receiptCode}`, user, csrfToken: request.csrfToken, lang, active: '/mot-cua', body, flash }),
      status,
    );
  };

  const codeOf = (request: FastifyRequest) => (request.params as { code: string }).code;

  app.get('/mot-cua/ho-so/:code', guard, async (request, reply) => {
    const t = T[request.webLang];
    const ok = (request.query as Record<string, unknown>).ok;
    const code = codeOf(request);
    const messages: Record<string, Flash> = {
      intake: { kind: 'success', message: t.intakeOk(code) },
      action: { kind: 'success', message: t.actionOk },
      undo: { kind: 'success', message: t.undoOk },
      undoLate: { kind: 'error', message: t.undoLate },
    };
    return dossierPage(request, reply, code, {}, typeof ok === 'string' ? (messages[ok] ?? null) : null);
  });

  app.post('/mot-cua/ho-so/:code/su-kien', guard, async (request, reply) => {
    const user = request.webUser!;
    const t = T[request.webLang];
    const code = codeOf(request);
    const body = request.body;
    const action = formString(body, 'action');
    const version = Number(formString(body, 'version'));
    if (!isDeskAction(action) || !Number.isSafeInteger(version) || version < 0) {
      return dossierPage(
        request,
        reply,
        code,
        { _form: request.webLang === 'vi' ? 'Thao tác không hợp lệ.' : 'Invalid action.' },
        null,
        400,
      );
    }
    const step = formString(body, 'step').normalize('NFC').trim();
    if (action === 'step' && !step) return dossierPage(request, reply, code, { step: t.required }, null, 400);
    if (step.length > 200) return dossierPage(request, reply, code, { step: t.tooLong }, null, 400);
    if ((action === 'refused' || action === 'withdrawn') && !formBool(body, 'confirm'))
      return dossierPage(request, reply, code, { [action]: t.confirmNeeded }, null, 400);
    const method = formString(body, 'returnMethod');
    try {
      const result = await deps.dossiers.applyEvent(
        principalForUser(user),
        code,
        { type: action, ...(action === 'step' ? { step } : {}), eventId: `desk-${version + 1}-${action}` },
        {
          expectedVersion: version,
          ...(action === 'result_ready' && ['counter', 'postal', 'online'].includes(method)
            ? { returnMethod: method as ReturnMethod }
            : {}),
        },
      );
      const held = await deps.dossiers.heldBy(code, version + 1);
      await deps.audit.record(user, {
        action: `dossier.${action}`,
        entity: 'dossier',
        entityId: code,
        before: snapshot(result.before),
        after: { ...snapshot(result.dossier), heldMessages: held.map((h) => h.id) },
        ip: request.ip,
      });
      return reply
        .code(303)
        .header('location', `/mot-cua/ho-so/${encodeURIComponent(code)}?ok=action`)
        .send();
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 404 || error.status === 403) throw error;
      return dossierPage(request, reply, code, { _form: error.message }, null, error.status);
    }
  });

  app.post('/mot-cua/ho-so/:code/hoan-tac', guard, async (request, reply) => {
    const user = request.webUser!;
    const code = codeOf(request);
    const seq = Number(formString(request.body, 'seq'));
    if (!Number.isSafeInteger(seq) || seq < 1)
      return dossierPage(
        request,
        reply,
        code,
        { _form: request.webLang === 'vi' ? 'Yêu cầu hoàn tác không hợp lệ.' : 'Invalid undo request.' },
        null,
        400,
      );
    try {
      const outcome = await deps.dossiers.undo(principalForUser(user), code, seq);
      await deps.audit.record(user, {
        action: 'dossier.undo',
        entity: 'dossier',
        entityId: code,
        before: snapshot(outcome.before),
        after: { ...snapshot(outcome.dossier), cancelledMessages: outcome.cancelled },
        ip: request.ip,
      });
      return reply
        .code(303)
        .header('location', `/mot-cua/ho-so/${encodeURIComponent(code)}?ok=${outcome.leftAnyway > 0 ? 'undoLate' : 'undo'}`)
        .send();
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      return dossierPage(request, reply, code, { _form: error.message }, null, 409);
    }
  });
}
