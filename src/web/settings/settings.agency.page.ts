/** The agency settings page: general settings, message templates with a live preview, procedures. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Agency, AgencyService } from '../../reference/agency.service.js';
import type { Procedure, ProcedureService } from '../../reference/procedure.service.js';
import { templateFor, templateProblem } from '../../messages/plan/notification.templates.js';
import type { OutboxService } from '../../messages/plan/outbox.service.js';
import { PLACEHOLDER_NAMES, SAMPLE_VARS, TemplateSyntaxError, renderTemplate } from '../../lib/sms-text/template.js';
import { ALLOWED_PLACEHOLDERS, TEMPLATE_KINDS, TRIGGER_KINDS, type TemplateKind } from '../../messages/catalogue.js';
import { prepareSms, type SmsEncoding } from '../../lib/sms-text/encode.js';
import { html, raw, type SafeHtml } from '../html.js';
import { agencyOptions, checkbox, csrfField, errorItems, selectField, textArea, textField, type FieldErrors } from '../forms.js';
import { texts } from '../i18n/catalogue.js';
import type { WebLang } from '../web.types.js';
import { KIND_LABELS, label } from '../format.js';
import { flashFromQuery, sendSettingsPage, settingsNav } from './settings.common.js';
import { type GeneralForm, type ProcedureForm, type TemplateEdit, generalFormOf, procedureFormOf } from './settings.agency.forms.js';

export interface AgencySettingsPageDeps {
  readonly agencies: AgencyService;
  readonly procedures: ProcedureService;
  /** For the price of an SMS in the preview, the Zalo templates (issue 17) and the privacy link (issue 16). */
  readonly outbox: Pick<OutboxService, 'priceFor' | 'zalo' | 'privacyLinkFor' | 'privacyLink'>;
  /** The provider pool: a Zalo token refused for good is an alert at the top of the page. */
  readonly providers?: { zaloAlerts(): Promise<{ provider: string; reason: string }[]> };
}

/** What a request brings to the page beyond the stored settings: a form as typed, its errors, the status. */
export interface AgencySettingsState {
  general?: GeneralForm;
  generalErrors?: FieldErrors;
  template?: TemplateEdit;
  procedure?: ProcedureForm;
  procedureErrors?: FieldErrors;
  /** Why switching the privacy link on was refused (a template would grow too long). */
  privacyLinkError?: string;
  status?: number;
}

/** The SMS a template makes with sample data: text as sent (with the privacy link when the agency adds
 *  it), encoding, segments, cost. */
export function previewFragment(
  outbox: AgencySettingsPageDeps['outbox'],
  agency: Agency,
  kind: string,
  template: string,
  encoding: SmsEncoding,
  lang: WebLang,
): SafeHtml {
  const t = texts(lang).agencySettings;
  const link = outbox.privacyLinkFor(kind, agency.settings);
  const problem = templateProblem(kind, template, encoding, link);
  let rendered: string | null = null;
  try {
    rendered = renderTemplate(template, { ...SAMPLE_VARS, agencyName: agency.name }) + link;
  } catch (error) {
    if (!(error instanceof TemplateSyntaxError)) throw error;
  }
  const sms = rendered === null ? null : prepareSms(rendered, encoding);
  const price = outbox.priceFor(null);
  return html`${problem ? html`<p class="error" data-testid="preview-error">${problem.message}</p>` : null}
${
  sms
    ? html`<p class="label">${t.previewTitle}</p><div class="preview" data-testid="preview-body">${sms.body}</div>
<p class="hint" data-testid="preview-facts">${sms.dataCoding === 'gsm7' ? t.gsm : t.ucs2} · ${sms.characters} ${t.characters} · <strong>${sms.segments} ${t.segments}</strong> · ${t.cost(sms.segments, price)}${link ? html` · ${t.previewWithLink}` : null}</p>`
    : null
}${zaloPreview(outbox.zalo, agency, kind, lang)}`;
}

/** The Zalo form of the message beside the SMS one, when the agency sends this kind by Zalo first. */
function zaloPreview(zalo: OutboxService['zalo'], agency: Agency, kind: string, lang: WebLang): SafeHtml | null {
  const zaloTemplate = agency.settings.channels[0] === 'zalo' ? zalo?.options.templates[kind] : undefined;
  if (!zaloTemplate) return null;
  const t = texts(lang).agencySettings;
  const sample = { ...SAMPLE_VARS, agencyName: agency.name };
  return html`<p class="label">${t.zaloPreviewTitle(zaloTemplate.templateId)}</p>
<dl class="preview" data-testid="preview-zalo">${Object.entries(zaloTemplate.data).map(
    ([param, text]) => html`<dt>${param}</dt><dd>${renderTemplate(text, sample)}</dd>`,
  )}</dl>`;
}

export async function sendAgencySettingsPage(
  deps: AgencySettingsPageDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  agency: Agency | null,
  state: AgencySettingsState,
): Promise<FastifyReply> {
  const user = request.webUser!;
  const lang = request.webLang;
  const t = texts(lang).agencySettings;
  const flash = flashFromQuery(request, {
    saved: t.saved,
    template: t.templateSaved,
    reset: t.templateReset,
    procedure: t.procSaved,
    privacyLink: t.privacyLinkSaved,
  });
  if (!agency)
    return sendSettingsPage(
      request,
      reply,
      t.title,
      html`<h1>${t.title}</h1>${settingsNav(user, lang, '/cai-dat')}<p class="card">${t.noAgency}</p>`,
    );
  const agencies = user.role === 'admin' ? await deps.agencies.list() : [];
  const procedures = await deps.procedures.list(agency.code);
  const g = state.general ?? generalFormOf(agency);
  const ge = state.generalErrors ?? {};
  const base = `/cai-dat/${encodeURIComponent(agency.code)}`;
  const editing = (request.query as Record<string, unknown>).procedure;
  const editProc = typeof editing === 'string' ? procedures.find((p) => p.code === editing) : undefined;
  const pf = state.procedure ?? procedureFormOf(agency, editProc);
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
    <div id="${id}-preview" role="status" aria-live="polite">${edit?.showPreview && !edit?.error ? previewFragment(deps.outbox, agency, kind, text, agency.settings.smsEncoding, lang) : null}</div>
    <div class="actions">
      <button type="submit" name="intent" value="preview" class="secondary">${t.preview}</button>
      <button type="submit" name="intent" value="save">${t.saveTemplate}</button>
      ${custom ? html`<button type="submit" name="intent" value="reset" class="secondary">${t.reset}</button>` : null}
    </div>
  </form>
</details>`;
  };

  const zaloAlerts = (await deps.providers?.zaloAlerts()) ?? [];
  const body = html`<h1>${t.title} — ${agency.name}</h1>
${settingsNav(user, lang, '/cai-dat')}
${zaloAlerts.map((a) => html`<p class="card error" role="alert" data-testid="zalo-alert">${t.zaloAlert(a.provider, a.reason)}</p>`)}
${
  user.role === 'admin'
    ? html`<form method="get" action="/cai-dat" class="card actions">
  ${selectField({ name: 'agency', label: t.agency, value: agency.code, options: agencyOptions(agencies) })}
  <button type="submit" class="secondary">${t.choose}</button></form>`
    : null
}
<section class="card" aria-labelledby="general-title">
  <h2 id="general-title">${t.general}</h2>
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
    <fieldset class="stack"><legend>${t.citizenContact}</legend>
      <p class="hint">${t.citizenContactHint}</p>
      <div class="grid two">
        ${textField({ name: 'province', label: t.province, value: g.province, error: ge.province, attrs: raw('maxlength="100"') })}
        ${textField({ name: 'hotline', label: t.hotline, value: g.hotline, error: ge.hotline, hint: t.hotlineHint, attrs: raw('maxlength="30" inputmode="tel"') })}
      </div>
      ${textField({ name: 'address', label: t.address, value: g.address, error: ge.address, attrs: raw('maxlength="300"') })}
    </fieldset>
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
  <form method="post" action="${base}/lien-ket-quyen-rieng-tu" class="stack" id="privacy-link-form">
    ${csrfField(request.csrfToken)}
    ${checkbox({ name: 'privacyLink', label: t.privacyLink, checked: agency.settings.privacyLink, hint: t.privacyLinkHint(deps.outbox.privacyLink) })}
    ${state.privacyLinkError ? html`<p class="error" id="f-privacyLink-error">${state.privacyLinkError}</p>` : null}
    <div><button type="submit" class="secondary">${t.save}</button></div>
  </form>
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
  const errors = [
    ...errorItems(ge),
    ...errorItems(pe, { code: 'p-code', name: 'p-name', processingDays: 'p-days' }),
    ...(state.template?.error ? [{ message: state.template.error, fieldId: `tpl-${state.template.kind}` }] : []),
    ...(state.privacyLinkError ? [{ message: state.privacyLinkError, fieldId: 'f-privacyLink' }] : []),
  ];
  return sendSettingsPage(request, reply, `${t.title} — ${agency.name}`, body, flash, state.status ?? 200, errors);
}
