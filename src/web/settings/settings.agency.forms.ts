/** The forms of the agency settings page: their fields as typed, read from a request, checked, and turned into settings. */
import type { Agency } from '../../reference/agency.service.js';
import type { AgencySettingsInput } from '../../reference/agency.settings.js';
import type { Procedure } from '../../reference/procedure.service.js';
import { isTriggerOn } from '../../messages/plan/notification.rules.js';
import { TEMPLATE_KINDS, TRIGGER_KINDS, type TemplateKind } from '../../messages/catalogue.js';
import { formBool, formString, type FieldErrors } from '../forms.js';
import type { Catalogue } from '../i18n/vi.js';
import { CONTROL } from './settings.common.js';

type Dict = Catalogue['agencySettings'];
const CODE = /^[A-Za-z0-9._-]{1,64}$/;

function intField(value: string, min: number, max: number): number | null {
  if (!/^\d{1,6}$/.test(value.trim())) return null;
  const n = Number(value.trim());
  return n >= min && n <= max ? n : null;
}

/** What an audit row keeps of an agency. */
export const agencyAudit = (agency: Pick<Agency, 'name' | 'storedSettings'>) => ({ name: agency.name, settings: agency.storedSettings });

export interface GeneralForm {
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
  hotline: string;
  address: string;
  province: string;
  triggers: Record<string, boolean>;
}

export function generalFormOf(agency: Agency): GeneralForm {
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
    hotline: s.hotline ?? '',
    address: s.address ?? '',
    province: s.province ?? '',
    triggers: Object.fromEntries(TRIGGER_KINDS.map((k) => [k, isTriggerOn(k, s)])),
  };
}

export function generalFormFromBody(body: unknown): GeneralForm {
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
    hotline: formString(body, 'hotline').trim(),
    address: formString(body, 'address').normalize('NFC').trim(),
    province: formString(body, 'province').normalize('NFC').trim(),
    triggers: Object.fromEntries(TRIGGER_KINDS.map((k) => [k, formBool(body, `trigger_${k}`)])),
  };
}

/** The stored settings with this form's fields replaced (fields the form does not show are kept). */
export function settingsFromForm(agency: Agency, form: GeneralForm, t: Dict): { settings: AgencySettingsInput; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const hold = intField(form.holdSeconds, 0, 86_400);
  if (hold === null) errors.holdSeconds = t.badHold;
  const overdue = intField(form.overdueWarningHours, 1, 72);
  if (overdue === null) errors.overdueWarningHours = t.badOverdue;
  const hhmm = (v: string) => /^([01]\d|2[0-3]):[0-5]\d$/.test(v);
  if (form.quietOn) {
    if (!hhmm(form.quietStart)) errors.quietStart = t.badQuietStart;
    if (!hhmm(form.quietEnd)) errors.quietEnd = t.badQuietEnd;
  }
  if (!form.resultStepName) errors.resultStepName = t.needResultStep;
  else if (form.resultStepName.length > 200 || CONTROL.test(form.resultStepName)) errors.resultStepName = t.tooLong;
  if (!form.officeHours) errors.officeHours = t.needOfficeHours;
  if (form.address.length > 300 || CONTROL.test(form.address)) errors.address = t.tooLong;
  if (form.province.length > 100 || CONTROL.test(form.province)) errors.province = t.tooLong;
  if (form.hotline.length > 30) errors.hotline = t.tooLong;
  if (!form.name) errors.name = t.needName;
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
    hotline: form.hotline || null,
    address: form.address || null,
    province: form.province || null,
    triggers: form.triggers,
  };
  return { settings, errors };
}

export function isKind(kind: string): kind is TemplateKind {
  return (TEMPLATE_KINDS as readonly string[]).includes(kind);
}

export interface TemplateEdit {
  kind: string;
  text: string;
  showPreview: boolean;
  error?: string;
}

export interface ProcedureForm {
  code: string;
  name: string;
  processingDays: string;
  dayKind: string;
  supplementRule: string;
}

/** The procedure form: empty for a new one, else the procedure being edited. */
export function procedureFormOf(agency: Agency, procedure: Procedure | undefined): ProcedureForm {
  return procedure
    ? {
        code: procedure.code,
        name: procedure.name,
        processingDays: String(procedure.processingDays),
        dayKind: procedure.dayKind,
        supplementRule: procedure.supplementRule,
      }
    : { code: '', name: '', processingDays: '', dayKind: 'working', supplementRule: agency.settings.supplementRule };
}

export function procedureFormFromBody(body: unknown): ProcedureForm {
  return {
    code: formString(body, 'code').trim(),
    name: formString(body, 'name').normalize('NFC').trim(),
    processingDays: formString(body, 'processingDays').trim(),
    dayKind: formString(body, 'dayKind') === 'calendar' ? 'calendar' : 'working',
    supplementRule: formString(body, 'supplementRule') === 'restart' ? 'restart' : 'pause',
  };
}

/** The processing days of a procedure form, or null with the errors of its fields. */
export function checkProcedureForm(form: ProcedureForm, t: Dict): { days: number | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (!CODE.test(form.code)) errors.code = form.code ? t.badCode : t.needProcCode;
  if (!form.name) errors.name = t.needProcName;
  else if (form.name.length > 200 || CONTROL.test(form.name)) errors.name = t.tooLong;
  const days = intField(form.processingDays, 0, 365);
  if (days === null) errors.processingDays = t.badProcDays;
  return { days: Object.keys(errors).length > 0 ? null : days, errors };
}
