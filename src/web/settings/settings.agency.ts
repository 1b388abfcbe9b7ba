/** /cai-dat: an agency's settings — general, message templates with live preview, procedures. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../main/context.js';
import { AppError, badRequest } from '../../platform/errors.js';
import type { Agency } from '../../reference/agency.service.js';
import type { AgencySettingsInput } from '../../reference/agency.settings.js';
import { isTriggerOn } from '../../messages/plan/notification.rules.js';
import { MAX_TEMPLATE_SEGMENTS, templateFor, templateProblem } from '../../messages/plan/notification.templates.js';
import { PLACEHOLDER_NAMES, SAMPLE_VARS, TemplateSyntaxError, renderTemplate } from '../../lib/sms-text/template.js';
import { prepareSms, type SmsEncoding } from '../../lib/sms-text/encode.js';
import type { Procedure } from '../../reference/procedure.service.js';
import { html, raw, type SafeHtml } from '../html.js';
import {
  checkbox,
  csrfField,
  fieldErrorOf,
  formBool,
  formError,
  formString,
  selectField,
  textArea,
  textField,
  type FieldErrors,
} from '../forms.js';
import { requireWebUser } from '../web.session.js';
import { principalForUser, type WebLang } from '../web.types.js';
import { audit } from '../../accounts/audit.repository.js';
import { KIND_LABELS, label } from '../format.js';
import { editableAgency, flashFromQuery, sendSettingsPage, settingsNav, SETTINGS_ROLES } from './settings.common.js';
import { TRIGGER_KINDS, ALLOWED_PLACEHOLDERS, DEFAULT_TEMPLATES, TEMPLATE_KINDS, type TemplateKind } from '../../messages/catalogue.js';

const T = {
  vi: {
    title: 'Cài đặt',
    agency: 'Cơ quan',
    choose: 'Chọn',
    general: 'Cài đặt chung',
    name: 'Tên cơ quan (dùng trong tin nhắn)',
    nameAdminOnly: 'Chỉ quản trị hệ thống đổi được tên cơ quan.',
    hold: 'Thời gian chờ trước khi gửi (giây)',
    holdHint: 'Tin "có kết quả" và "yêu cầu bổ sung" chờ chừng này giây để cán bộ kịp hoàn tác nếu bấm nhầm (0–86400).',
    quiet: 'Không gửi tin ban đêm',
    quietStart: 'Từ giờ',
    quietEnd: 'Đến giờ',
    quietHint: 'Tin nhắn rơi vào khoảng này được giữ đến sáng (giờ Việt Nam, dạng HH:MM).',
    encoding: 'Kiểu tin nhắn',
    ascii: 'Không dấu (GSM, 160 ký tự/tin — rẻ hơn)',
    unicode: 'Có dấu (Unicode, 70 ký tự/tin)',
    sameDay: 'Gửi tin cho cả thủ tục giải quyết trong ngày',
    resultStep: 'Tên bước trả kết quả',
    officeHours: 'Giờ làm việc',
    officeHint: 'Ví dụ 07:00-11:30,13:30-17:00. Dùng để tính ngày hẹn trả.',
    overdue: 'Cảnh báo sắp trễ hẹn trước (giờ)',
    supplementRule: 'Cách tính thời hạn khi bổ sung hồ sơ',
    pause: 'Tạm dừng (thời gian chờ bổ sung không tính)',
    restart: 'Tính lại từ đầu khi nhận đủ hồ sơ bổ sung',
    emailAlso: 'Gửi thêm thư điện tử khi người nộp có địa chỉ thư',
    triggers: 'Tin nhắn tự động được bật',
    save: 'Lưu',
    saved: 'Đã lưu cài đặt.',
    templates: 'Mẫu tin nhắn',
    templatesHint: `Chỗ điền viết trong dấu ngoặc nhọn, ví dụ {Mã số biên nhận}. Mỗi tin tối đa ${MAX_TEMPLATE_SEGMENTS} tin SMS.`,
    custom: 'đã sửa',
    standard: 'mặc định',
    template: 'Nội dung mẫu',
    allowed: 'Chỗ điền dùng được',
    preview: 'Xem trước',
    saveTemplate: 'Lưu mẫu',
    reset: 'Khôi phục mẫu mặc định',
    templateSaved: 'Đã lưu mẫu tin nhắn.',
    templateReset: 'Đã khôi phục mẫu mặc định.',
    previewTitle: 'Tin nhắn sẽ gửi (với dữ liệu mẫu)',
    gsm: 'GSM 7-bit (không dấu)',
    ucs2: 'UCS-2 (Unicode, có dấu)',
    characters: 'ký tự',
    segments: 'tin SMS',
    cost: (segments: number, price: number) =>
      `chi phí ${(segments * price).toLocaleString('vi-VN')} đồng (${price.toLocaleString('vi-VN')} đồng/tin)`,
    procedures: 'Thủ tục hành chính',
    code: 'Mã thủ tục',
    procName: 'Tên thủ tục',
    days: 'Thời hạn giải quyết (ngày)',
    daysHint: '0 = giải quyết trong ngày.',
    dayKind: 'Loại ngày',
    working: 'Ngày làm việc',
    calendarDays: 'Ngày theo lịch',
    rule: 'Khi bổ sung hồ sơ',
    edit: 'Sửa',
    procForm: 'Thêm hoặc sửa thủ tục',
    procSaved: 'Đã lưu thủ tục.',
    noProcedures: 'Chưa có thủ tục nào.',
    int: (min: number, max: number) => `Cần một số nguyên từ ${min} đến ${max}.`,
    hhmm: 'Giờ không hợp lệ (dạng HH:MM, ví dụ 21:00).',
    required: 'Trường này không được để trống.',
    badCode: 'Mã chỉ gồm chữ, số, dấu chấm, gạch dưới và gạch ngang (tối đa 64 ký tự).',
    tooLong: 'Quá dài (tối đa 200 ký tự).',
    noAgency: 'Chưa có cơ quan nào.',
  },
  en: {
    title: 'Settings',
    agency: 'Agency',
    choose: 'Choose',
    general: 'General settings',
    name: 'Agency name (used in messages)',
    nameAdminOnly: 'Only a system administrator can rename the agency.',
    hold: 'Hold before sending (seconds)',
    holdHint: '"Result ready" and "supplement" messages wait this long so a wrong action can be undone (0–86400).',
    quiet: 'No messages at night',
    quietStart: 'From',
    quietEnd: 'Until',
    quietHint: 'Messages falling in this window wait for the morning (Vietnam time, HH:MM).',
    encoding: 'Message encoding',
    ascii: 'Without diacritics (GSM, 160 characters per SMS — cheaper)',
    unicode: 'With diacritics (Unicode, 70 characters per SMS)',
    sameDay: 'Also notify for same-day procedures',
    resultStep: 'Name of the result step',
    officeHours: 'Office hours',
    officeHint: 'E.g. 07:00-11:30,13:30-17:00. Used to compute due dates.',
    overdue: 'Warn this many hours before a dossier is late',
    supplementRule: 'Due date during a supplement',
    pause: 'Pause (time awaiting the supplement does not count)',
    restart: 'Restart the full time when the supplement arrives',
    emailAlso: 'Also send an email when the applicant has an address',
    triggers: 'Automatic messages switched on',
    save: 'Save',
    saved: 'Settings saved.',
    templates: 'Message templates',
    templatesHint: `Placeholders go in braces, e.g. {Mã số biên nhận}. At most ${MAX_TEMPLATE_SEGMENTS} SMS per message.`,
    custom: 'customised',
    standard: 'default',
    template: 'Template text',
    allowed: 'Placeholders allowed',
    preview: 'Preview',
    saveTemplate: 'Save template',
    reset: 'Restore the default',
    templateSaved: 'Template saved.',
    templateReset: 'Default template restored.',
    previewTitle: 'The message as sent (with sample data)',
    gsm: 'GSM 7-bit (no diacritics)',
    ucs2: 'UCS-2 (Unicode, diacritics)',
    characters: 'characters',
    segments: 'SMS',
    cost: (segments: number, price: number) =>
      `cost ${(segments * price).toLocaleString('en')} VND (${price.toLocaleString('en')} VND per SMS)`,
    procedures: 'Procedures',
    code: 'Procedure code',
    procName: 'Procedure name',
    days: 'Processing time (days)',
    daysHint: '0 = same day.',
    dayKind: 'Day kind',
    working: 'Working days',
    calendarDays: 'Calendar days',
    rule: 'On a supplement',
    edit: 'Edit',
    procForm: 'Add or edit a procedure',
    procSaved: 'Procedure saved.',
    noProcedures: 'No procedures yet.',
    int: (min: number, max: number) => `An integer from ${min} to ${max} is needed.`,
    hhmm: 'Invalid time (HH:MM, e.g. 21:00).',
    required: 'This field is required.',
    badCode: 'Letters, digits, dots, underscores and hyphens only (at most 64).',
    tooLong: 'Too long (at most 200 characters).',
    noAgency: 'No agency exists yet.',
  },
} as const;

type Dict = (typeof T)[WebLang];
const CODE = /^[A-Za-z0-9._-]{1,64}$/;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

function intField(value: string, min: number, max: number): number | null {
  if (!/^\d{1,6}$/.test(value.trim())) return null;
  const n = Number(value.trim());
  return n >= min && n <= max ? n : null;
}

/** What an audit row keeps of an agency. */
const agencyAudit = (agency: Pick<Agency, 'name' | 'storedSettings'>) => ({ name: agency.name, settings: agency.storedSettings });

interface GeneralForm {
  name: string;
  holdSeconds: string;
  quietOn: boolean;
  quietStart: string;
  quietEnd: string;
  smsEncoding: string;
  notifySameDay: boolean;
  resultStepName: string;
  officeHours: string;
  overdueWarningHours: string;
  supplementRule: string;
  emailAlso: boolean;
  triggers: Record<string, boolean>;
}

function generalFormOf(agency: Agency): GeneralForm {
  const s = agency.settings;
  return {
    name: agency.name,
    holdSeconds: String(s.holdSeconds),
    quietOn: s.quietHours !== null,
    quietStart: s.quietHours?.start ?? '21:00',
    quietEnd: s.quietHours?.end ?? '07:00',
    smsEncoding: s.smsEncoding,
    notifySameDay: s.notifySameDay,
    resultStepName: s.resultStepName,
    officeHours: s.officeHours,
    overdueWarningHours: String(s.overdueWarningHours),
    supplementRule: s.supplementRule,
    emailAlso: s.emailAlso,
    triggers: Object.fromEntries(TRIGGER_KINDS.map((k) => [k, isTriggerOn(k, s)])),
  };
}

function generalFormFromBody(body: unknown): GeneralForm {
  return {
    name: formString(body, 'name').normalize('NFC').trim(),
    holdSeconds: formString(body, 'holdSeconds'),
    quietOn: formBool(body, 'quietOn'),
    quietStart: formString(body, 'quietStart').trim(),
    quietEnd: formString(body, 'quietEnd').trim(),
    smsEncoding: formString(body, 'smsEncoding'),
    notifySameDay: formBool(body, 'notifySameDay'),
    resultStepName: formString(body, 'resultStepName').normalize('NFC').trim(),
    officeHours: formString(body, 'officeHours').trim(),
    overdueWarningHours: formString(body, 'overdueWarningHours'),
    supplementRule: formString(body, 'supplementRule'),
    emailAlso: formBool(body, 'emailAlso'),
    triggers: Object.fromEntries(TRIGGER_KINDS.map((k) => [k, formBool(body, `trigger_${k}`)])),
  };
}

/** The stored settings with this form's fields replaced (fields the form does not show are kept). */
function settingsFromForm(agency: Agency, form: GeneralForm, t: Dict): { settings: AgencySettingsInput; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const hold = intField(form.holdSeconds, 0, 86_400);
  if (hold === null) errors.holdSeconds = t.int(0, 86_400);
  const overdue = intField(form.overdueWarningHours, 1, 72);
  if (overdue === null) errors.overdueWarningHours = t.int(1, 72);
  const hhmm = (v: string) => /^([01]\d|2[0-3]):[0-5]\d$/.test(v);
  if (form.quietOn) {
    if (!hhmm(form.quietStart)) errors.quietStart = t.hhmm;
    if (!hhmm(form.quietEnd)) errors.quietEnd = t.hhmm;
  }
  if (!form.resultStepName) errors.resultStepName = t.required;
  else if (form.resultStepName.length > 200 || CONTROL.test(form.resultStepName)) errors.resultStepName = t.tooLong;
  if (!form.officeHours) errors.officeHours = t.required;
  if (!form.name) errors.name = t.required;
  else if (form.name.length > 200 || CONTROL.test(form.name)) errors.name = t.tooLong;
  const settings: AgencySettingsInput = {
    ...agency.storedSettings,
    holdSeconds: hold ?? 0,
    quietHours: form.quietOn ? { start: form.quietStart, end: form.quietEnd } : null,
    smsEncoding: form.smsEncoding === 'unicode' ? 'unicode' : 'ascii',
    notifySameDay: form.notifySameDay,
    resultStepName: form.resultStepName,
    officeHours: form.officeHours,
    overdueWarningHours: overdue ?? 1,
    supplementRule: form.supplementRule === 'restart' ? 'restart' : 'pause',
    emailAlso: form.emailAlso,
    triggers: form.triggers,
  };
  return { settings, errors };
}

/** The SMS a template makes with sample data: text as sent, encoding, segments, cost. */
export function previewFragment(
  ctx: AppContext,
  agency: Agency,
  kind: string,
  template: string,
  encoding: SmsEncoding,
  lang: WebLang,
): SafeHtml {
  const t = T[lang];
  const problem = templateProblem(kind, template, encoding);
  let rendered: string | null = null;
  try {
    rendered = renderTemplate(template, { ...SAMPLE_VARS, agencyName: agency.name });
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
  }
  const sms = rendered === null ? null : prepareSms(rendered, encoding);
  const price = ctx.outbox.priceFor(null);
  return html`${problem ? html`<p class="error" data-testid="preview-error">${problem.message}</p>` : null}
${
  sms
    ? html`<p class="label">${t.previewTitle}</p><div class="preview" data-testid="preview-body">${sms.body}</div>
<p class="hint" data-testid="preview-facts">${sms.dataCoding === 'gsm7' ? t.gsm : t.ucs2} · ${sms.characters} ${t.characters} · <strong>${sms.segments} ${t.segments}</strong> · ${t.cost(sms.segments, price)}</p>`
    : null
}`;
}

function isKind(kind: string): kind is TemplateKind {
  return (TEMPLATE_KINDS as readonly string[]).includes(kind);
}

interface TemplateEdit {
  kind: string;
  text: string;
  showPreview: boolean;
  error?: string;
}

interface ProcedureForm {
  code: string;
  name: string;
  processingDays: string;
  dayKind: string;
  supplementRule: string;
}

export function agencySettingsRoutes(app: FastifyInstance, ctx: AppContext): void {
  const guard = { preHandler: requireWebUser([...SETTINGS_ROLES]) };

  const page = async (
    request: FastifyRequest,
    reply: FastifyReply,
    agency: Agency | null,
    state: {
      general?: GeneralForm;
      generalErrors?: FieldErrors;
      template?: TemplateEdit;
      procedure?: ProcedureForm;
      procedureErrors?: FieldErrors;
      status?: number;
    },
  ) => {
    const user = request.webUser!;
    const lang = request.webLang;
    const t = T[lang];
    const flash = flashFromQuery(request, { saved: t.saved, template: t.templateSaved, reset: t.templateReset, procedure: t.procSaved });
    if (!agency)
      return sendSettingsPage(
        request,
        reply,
        t.title,
        html`<h1>${t.title}</h1>${settingsNav(user, lang, '/cai-dat')}<p class="card">${t.noAgency}</p>`,
      );
    const agencies = user.role === 'admin' ? await ctx.agencies.list() : [];
    const procedures = await ctx.procedures.list(agency.code);
    const g = state.general ?? generalFormOf(agency);
    const ge = state.generalErrors ?? {};
    const base = `/cai-dat/${encodeURIComponent(agency.code)}`;
    const editing = (request.query as Record<string, unknown>).procedure;
    const editProc = typeof editing === 'string' ? procedures.find((p) => p.code === editing) : undefined;
    const pf: ProcedureForm =
      state.procedure ??
      (editProc
        ? {
            code: editProc.code,
            name: editProc.name,
            processingDays: String(editProc.processingDays),
            dayKind: editProc.dayKind,
            supplementRule: editProc.supplementRule,
          }
        : { code: '', name: '', processingDays: '', dayKind: 'working', supplementRule: agency.settings.supplementRule });
    const pe = state.procedureErrors ?? {};

    const templateBlock = (kind: TemplateKind): SafeHtml => {
      const custom = agency.settings.templates[kind] !== undefined;
      const edit = state.template?.kind === kind ? state.template : null;
      const text = edit?.text ?? templateFor(kind, agency.settings.templates);
      const id = `tpl-${kind}`;
      const allowed = ALLOWED_PLACEHOLDERS[kind].map((v) => `{${PLACEHOLDER_NAMES[v]}}`).join(', ');
      return html`<details${edit ? raw(' open') : null} id="${id}-box">
  <summary>${label(KIND_LABELS, kind, lang)} <span class="hint">(${kind} — ${custom ? t.custom : t.standard})</span></summary>
  <form method="post" action="${base}/mau-tin#${id}-box" class="stack">
    ${csrfField(request.csrfToken)}
    <input type="hidden" name="kind" value="${kind}">
    ${textArea({
      name: 'template',
      id,
      label: `${t.template}: ${label(KIND_LABELS, kind, lang)}`,
      value: text,
      rows: 4,
      error: edit?.error,
      hint: html`${t.allowed}: ${allowed}`,
      attrs: html`data-preview="${id}-preview" data-kind="${kind}" data-agency="${agency.code}" maxlength="2000"`,
    })}
    <div id="${id}-preview" role="status" aria-live="polite">${edit?.showPreview || edit?.error ? previewFragment(ctx, agency, kind, text, agency.settings.smsEncoding, lang) : null}</div>
    <div class="actions">
      <button type="submit" name="intent" value="preview" class="secondary">${t.preview}</button>
      <button type="submit" name="intent" value="save">${t.saveTemplate}</button>
      ${custom ? html`<button type="submit" name="intent" value="reset" class="secondary">${t.reset}</button>` : null}
    </div>
  </form>
</details>`;
    };

    const body = html`<h1>${t.title} — ${agency.name}</h1>
${settingsNav(user, lang, '/cai-dat')}
${
  user.role === 'admin'
    ? html`<form method="get" action="/cai-dat" class="card actions">
  ${selectField({ name: 'agency', label: t.agency, value: agency.code, options: agencies.map((a) => ({ value: a.code, label: `${a.code} – ${a.name}` })) })}
  <button type="submit" class="secondary">${t.choose}</button></form>`
    : null
}
<section class="card" aria-labelledby="general-title">
  <h2 id="general-title">${t.general}</h2>
  ${formError(ge._form)}
  <form method="post" action="${base}/chung" class="stack" novalidate>
    ${csrfField(request.csrfToken)}
    ${
      user.role === 'admin'
        ? textField({ name: 'name', label: t.name, value: g.name, error: ge.name, required: true, attrs: raw('maxlength="200"') })
        : html`${textField({ name: 'name', label: t.name, value: agency.name, hint: t.nameAdminOnly, attrs: raw('readonly') })}`
    }
    <div class="grid two">
      ${textField({ name: 'holdSeconds', label: t.hold, type: 'number', value: g.holdSeconds, error: ge.holdSeconds, hint: t.holdHint, attrs: raw('min="0" max="86400" inputmode="numeric"') })}
      ${selectField({
        name: 'smsEncoding',
        label: t.encoding,
        value: g.smsEncoding,
        options: [
          { value: 'ascii', label: t.ascii },
          { value: 'unicode', label: t.unicode },
        ],
      })}
    </div>
    <fieldset class="stack"><legend>${t.quiet}</legend>
      ${checkbox({ name: 'quietOn', label: t.quiet, checked: g.quietOn, hint: t.quietHint })}
      <div class="grid two">
        ${textField({ name: 'quietStart', label: t.quietStart, value: g.quietStart, error: ge.quietStart, attrs: raw('maxlength="5" inputmode="numeric"') })}
        ${textField({ name: 'quietEnd', label: t.quietEnd, value: g.quietEnd, error: ge.quietEnd, attrs: raw('maxlength="5" inputmode="numeric"') })}
      </div>
    </fieldset>
    <div class="grid two">
      ${textField({ name: 'resultStepName', label: t.resultStep, value: g.resultStepName, error: ge.resultStepName, attrs: raw('maxlength="200"') })}
      ${textField({ name: 'officeHours', label: t.officeHours, value: g.officeHours, error: ge.officeHours, hint: t.officeHint, attrs: raw('maxlength="100"') })}
      ${textField({ name: 'overdueWarningHours', label: t.overdue, type: 'number', value: g.overdueWarningHours, error: ge.overdueWarningHours, attrs: raw('min="1" max="72" inputmode="numeric"') })}
      ${selectField({
        name: 'supplementRule',
        label: t.supplementRule,
        value: g.supplementRule,
        options: [
          { value: 'pause', label: t.pause },
          { value: 'restart', label: t.restart },
        ],
      })}
    </div>
    ${checkbox({ name: 'notifySameDay', label: t.sameDay, checked: g.notifySameDay })}
    ${checkbox({ name: 'emailAlso', label: t.emailAlso, checked: g.emailAlso })}
    <fieldset class="stack"><legend>${t.triggers}</legend>
      ${TRIGGER_KINDS.map((k) => checkbox({ name: `trigger_${k}`, label: label(KIND_LABELS, k, lang), checked: g.triggers[k] ?? false }))}
    </fieldset>
    <div><button type="submit">${t.save}</button></div>
  </form>
</section>
<section class="card" aria-labelledby="templates-title">
  <h2 id="templates-title">${t.templates}</h2>
  <p class="hint">${t.templatesHint}</p>
  ${TEMPLATE_KINDS.map(templateBlock)}
</section>
<section class="card" aria-labelledby="procedures-title">
  <h2 id="procedures-title">${t.procedures}</h2>
  ${
    procedures.length === 0
      ? html`<p>${t.noProcedures}</p>`
      : html`<div class="table-wrap"><table><caption class="visually-hidden">${t.procedures}</caption><thead><tr><th scope="col">${t.code}</th><th scope="col">${t.procName}</th><th scope="col">${t.days}</th><th scope="col">${t.rule}</th><th scope="col"><span class="visually-hidden">${t.edit}</span></th></tr></thead>
    <tbody>${procedures.map((p: Procedure) => html`<tr><td>${p.code}</td><td>${p.name}</td><td>${p.processingDays} (${p.dayKind === 'working' ? t.working : t.calendarDays})</td><td>${p.supplementRule === 'pause' ? t.pause : t.restart}</td><td><a href="/cai-dat?agency=${encodeURIComponent(agency.code)}&amp;procedure=${encodeURIComponent(p.code)}#procedure-form">${t.edit}<span class="visually-hidden"> ${p.code}</span></a></td></tr>`)}</tbody></table></div>`
  }
  <h3 id="procedure-form">${t.procForm}</h3>
  ${formError(pe._form)}
  <form method="post" action="${base}/thu-tuc" class="stack" novalidate>
    ${csrfField(request.csrfToken)}
    <div class="grid two">
      ${textField({ name: 'code', id: 'p-code', label: t.code, value: pf.code, error: pe.code, required: true, attrs: raw('maxlength="64" spellcheck="false"') })}
      ${textField({ name: 'name', id: 'p-name', label: t.procName, value: pf.name, error: pe.name, required: true, attrs: raw('maxlength="200"') })}
      ${textField({ name: 'processingDays', id: 'p-days', label: t.days, type: 'number', value: pf.processingDays, error: pe.processingDays, hint: t.daysHint, required: true, attrs: raw('min="0" max="365" inputmode="numeric"') })}
      ${selectField({
        name: 'dayKind',
        id: 'p-kind',
        label: t.dayKind,
        value: pf.dayKind,
        options: [
          { value: 'working', label: t.working },
          { value: 'calendar', label: t.calendarDays },
        ],
      })}
      ${selectField({
        name: 'supplementRule',
        id: 'p-rule',
        label: t.rule,
        value: pf.supplementRule,
        options: [
          { value: 'pause', label: t.pause },
          { value: 'restart', label: t.restart },
        ],
      })}
    </div>
    <div><button type="submit">${t.save}</button></div>
  </form>
</section>`;
    return sendSettingsPage(request, reply, `${t.title} — ${agency.name}`, body, flash, state.status ?? 200);
  };

  const codeOf = (request: FastifyRequest) => (request.params as { code: string }).code;

  app.get('/cai-dat', guard, async (request, reply) => {
    const user = request.webUser!;
    const requested = String((request.query as Record<string, unknown>).agency ?? '');
    if (user.role !== 'admin') return page(request, reply, await editableAgency(ctx, user, requested || user.agencyCode!), {});
    const agency = (requested && (await ctx.agencies.get(requested))) || (await ctx.agencies.list())[0] || null;
    return page(request, reply, agency, {});
  });

  app.post('/cai-dat/:code/chung', guard, async (request, reply) => {
    const user = request.webUser!;
    const agency = await editableAgency(ctx, user, codeOf(request));
    const t = T[request.webLang];
    const form = generalFormFromBody(request.body);
    if (user.role !== 'admin') form.name = agency.name;
    const { settings, errors } = settingsFromForm(agency, form, t);
    if (Object.keys(errors).length > 0) return page(request, reply, agency, { general: form, generalErrors: errors, status: 400 });
    try {
      const { agency: saved } = await ctx.agencies.put(agency.code, form.name, settings, ctx.clock.now());
      await audit(ctx, user, {
        action: 'agency.settings',
        entity: 'agency',
        entityId: agency.code,
        before: agencyAudit(agency),
        after: agencyAudit(saved),
        ip: request.ip,
      });
      return reply
        .code(303)
        .header('location', `/cai-dat?agency=${encodeURIComponent(agency.code)}&ok=saved`)
        .send();
    } catch (error) {
      const field = fieldErrorOf(error, {
        'settings.officeHours': 'officeHours',
        'settings.quietHours.start': 'quietStart',
        'settings.quietHours.end': 'quietEnd',
      });
      if (!field) throw error;
      return page(request, reply, agency, { general: form, generalErrors: { [field.field]: field.message }, status: 400 });
    }
  });

  app.post('/cai-dat/:code/mau-tin', guard, async (request, reply) => {
    const user = request.webUser!;
    const agency = await editableAgency(ctx, user, codeOf(request));
    const t = T[request.webLang];
    const kind = formString(request.body, 'kind');
    const intent = formString(request.body, 'intent');
    const text = formString(request.body, 'template').replace(/\r\n/g, '\n');
    if (!isKind(kind)) throw badRequest('UNKNOWN_TEMPLATE_KIND', `Không có loại tin nhắn "${kind}".`);
    if (intent === 'preview') return page(request, reply, agency, { template: { kind, text, showPreview: true } });
    const templates = { ...(agency.storedSettings.templates ?? {}) };
    if (intent === 'reset' || text === DEFAULT_TEMPLATES[kind]) {
      delete templates[kind];
    } else {
      if (text.length > 2000 || CONTROL.test(text))
        return page(request, reply, agency, { template: { kind, text, showPreview: false, error: t.tooLong }, status: 400 });
      templates[kind] = text;
    }
    try {
      const { agency: saved } = await ctx.agencies.put(agency.code, agency.name, { ...agency.storedSettings, templates }, ctx.clock.now());
      await audit(ctx, user, {
        action: intent === 'reset' ? 'agency.template_reset' : 'agency.template',
        entity: 'agency',
        entityId: agency.code,
        before: { kind, template: templateFor(kind, agency.settings.templates) },
        after: { kind, template: templateFor(kind, saved.settings.templates) },
        ip: request.ip,
      });
      return reply
        .code(303)
        .header(
          'location',
          `/cai-dat?agency=${encodeURIComponent(agency.code)}&ok=${intent === 'reset' ? 'reset' : 'template'}#tpl-${kind}-box`,
        )
        .send();
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      return page(request, reply, agency, { template: { kind, text, showPreview: false, error: error.message }, status: 400 });
    }
  });

  app.post('/cai-dat/xem-truoc', guard, async (request, reply) => {
    const user = request.webUser!;
    const agency = await editableAgency(ctx, user, formString(request.body, 'agency'));
    const kind = formString(request.body, 'kind');
    if (!isKind(kind)) throw badRequest('UNKNOWN_TEMPLATE_KIND', `Không có loại tin nhắn "${kind}".`);
    const requested = formString(request.body, 'encoding');
    const encoding: SmsEncoding = requested === 'unicode' || requested === 'ascii' ? requested : agency.settings.smsEncoding;
    const text = formString(request.body, 'template').slice(0, 4000);
    const fragment = previewFragment(ctx, agency, kind, text, encoding, request.webLang);
    const problem = templateProblem(kind, text, encoding);
    return reply.header('cache-control', 'no-store').send({ ok: problem === null, html: fragment.value });
  });

  app.post('/cai-dat/:code/thu-tuc', guard, async (request, reply) => {
    const user = request.webUser!;
    const agency = await editableAgency(ctx, user, codeOf(request));
    const t = T[request.webLang];
    const body = request.body;
    const form: ProcedureForm = {
      code: formString(body, 'code').trim(),
      name: formString(body, 'name').normalize('NFC').trim(),
      processingDays: formString(body, 'processingDays').trim(),
      dayKind: formString(body, 'dayKind') === 'calendar' ? 'calendar' : 'working',
      supplementRule: formString(body, 'supplementRule') === 'restart' ? 'restart' : 'pause',
    };
    const errors: FieldErrors = {};
    if (!CODE.test(form.code)) errors.code = form.code ? t.badCode : t.required;
    if (!form.name) errors.name = t.required;
    else if (form.name.length > 200 || CONTROL.test(form.name)) errors.name = t.tooLong;
    const days = intField(form.processingDays, 0, 365);
    if (days === null) errors.processingDays = t.int(0, 365);
    if (Object.keys(errors).length > 0 || days === null)
      return page(request, reply, agency, { procedure: form, procedureErrors: errors, status: 400 });
    const before = await ctx.procedures.get(form.code);
    try {
      const { procedure } = await ctx.procedures.put(
        principalForUser(user),
        form.code,
        {
          agencyCode: agency.code,
          name: form.name,
          processingDays: days,
          dayKind: form.dayKind as 'working' | 'calendar',
          supplementRule: form.supplementRule as 'pause' | 'restart',
        },
        ctx.clock.now(),
      );
      await audit(ctx, user, {
        action: before ? 'procedure.update' : 'procedure.create',
        entity: 'procedure',
        entityId: procedure.code,
        before: before ?? null,
        after: procedure,
        ip: request.ip,
      });
      return reply
        .code(303)
        .header('location', `/cai-dat?agency=${encodeURIComponent(agency.code)}&ok=procedure#procedure-form`)
        .send();
    } catch (error) {
      const field = fieldErrorOf(error, { procedureCode: 'code', agencyCode: 'code' });
      if (!field) throw error;
      return page(request, reply, agency, {
        procedure: form,
        procedureErrors: { [field.field === '_form' ? 'code' : field.field]: field.message },
        status: (error as AppError).status,
      });
    }
  });
}
