/** /cai-dat: an agency's settings — general, message templates with live preview, procedures. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditService } from '../../accounts/audit.service.js';
import type { Clock } from '../../platform/clock.js';
import type { Agency } from '../../reference/agency.service.js';
import type { AgencySettingsInput } from '../../reference/agency.settings.js';
import { AppError, badRequest } from '../../platform/errors.js';
import { templateFor, templateProblem } from '../../messages/plan/notification.templates.js';
import { DEFAULT_TEMPLATES } from '../../messages/catalogue.js';
import type { SmsEncoding } from '../../lib/sms-text/encode.js';
import { fieldErrorOf, formBool, formString } from '../forms.js';
import { texts } from '../i18n/catalogue.js';
import { KIND_LABELS, label } from '../format.js';
import { requireWebUser } from '../web.session.js';
import { principalForUser } from '../web.types.js';
import { CONTROL, editableAgency, SETTINGS_ROLES } from './settings.common.js';
import {
  agencyAudit,
  checkProcedureForm,
  generalFormFromBody,
  isKind,
  procedureFormFromBody,
  settingsFromForm,
} from './settings.agency.forms.js';
import { type AgencySettingsPageDeps, previewFragment, sendAgencySettingsPage } from './settings.agency.page.js';

export interface AgencySettingsDeps extends AgencySettingsPageDeps {
  readonly clock: Clock;
  readonly audit: AuditService;
}

export function agencySettingsRoutes(app: FastifyInstance, deps: AgencySettingsDeps): void {
  const { agencies, procedures, audit } = deps;
  const guard = { preHandler: requireWebUser([...SETTINGS_ROLES]) };
  const page = sendAgencySettingsPage.bind(null, deps);

  const codeOf = (request: FastifyRequest) => (request.params as { code: string }).code;

  /** Stores an agency's name and settings and audits the change (`agency.settings`, before/after). */
  const saveSettings = async (request: FastifyRequest, agency: Agency, name: string, settings: AgencySettingsInput) => {
    const { agency: saved } = await agencies.put(agency.code, name, settings, deps.clock.now());
    await audit.record(request.webUser!, {
      action: 'agency.settings',
      entity: 'agency',
      entityId: agency.code,
      before: agencyAudit(agency),
      after: agencyAudit(saved),
      ip: request.ip,
    });
  };

  app.get('/cai-dat', guard, async (request, reply) => {
    const user = request.webUser!;
    const requested = String((request.query as Record<string, unknown>).agency ?? '');
    if (user.role !== 'admin') return page(request, reply, await editableAgency(agencies, user, requested || user.agencyCode!), {});
    const agency = (requested && (await agencies.get(requested))) || (await agencies.list())[0] || null;
    return page(request, reply, agency, {});
  });

  app.post('/cai-dat/:code/chung', guard, async (request, reply) => {
    const user = request.webUser!;
    const agency = await editableAgency(agencies, user, codeOf(request));
    const t = texts(request.webLang).agencySettings;
    const form = generalFormFromBody(request.body);
    if (user.role !== 'admin') form.name = agency.name;
    const { settings, errors } = settingsFromForm(agency, form, t);
    if (Object.keys(errors).length > 0) return page(request, reply, agency, { general: form, generalErrors: errors, status: 400 });
    try {
      await saveSettings(request, agency, form.name, settings);
      return reply
        .code(303)
        .header('location', `/cai-dat?agency=${encodeURIComponent(agency.code)}&ok=saved`)
        .send();
    } catch (error) {
      const field = fieldErrorOf(error, {
        'settings.officeHours': 'officeHours',
        'settings.hotline': 'hotline',
        'settings.quietHours.start': 'quietStart',
        'settings.quietHours.end': 'quietEnd',
      });
      if (!field) throw error;
      return page(request, reply, agency, { general: form, generalErrors: { [field.field]: field.message }, status: 400 });
    }
  });

  app.post('/cai-dat/:code/mau-tin', guard, async (request, reply) => {
    const user = request.webUser!;
    const agency = await editableAgency(agencies, user, codeOf(request));
    const t = texts(request.webLang).agencySettings;
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
      const { agency: saved } = await agencies.put(agency.code, agency.name, { ...agency.storedSettings, templates }, deps.clock.now());
      await audit.record(user, {
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

  // Messages to citizens end with a short link to the privacy notice, or not (issue 16 item 5).
  app.post('/cai-dat/:code/lien-ket-quyen-rieng-tu', guard, async (request, reply) => {
    const user = request.webUser!;
    const agency = await editableAgency(agencies, user, codeOf(request));
    const privacyLink = formBool(request.body, 'privacyLink');
    try {
      await saveSettings(request, agency, agency.name, { ...agency.storedSettings, privacyLink });
      return reply
        .code(303)
        .header('location', `/cai-dat?agency=${encodeURIComponent(agency.code)}&ok=privacyLink#privacy-link-form`)
        .send();
    } catch (error) {
      const field = fieldErrorOf(error);
      if (!field) throw error;
      // A template that would grow past the limit with the link: say which one.
      const kind = (error as AppError).details?.kind;
      const which = typeof kind === 'string' ? `${label(KIND_LABELS, kind, request.webLang)}: ` : '';
      return page(request, reply, agency, { privacyLinkError: `${which}${field.message}`, status: 400 });
    }
  });

  app.post('/cai-dat/xem-truoc', guard, async (request, reply) => {
    const user = request.webUser!;
    const agency = await editableAgency(agencies, user, formString(request.body, 'agency'));
    const kind = formString(request.body, 'kind');
    if (!isKind(kind)) throw badRequest('UNKNOWN_TEMPLATE_KIND', `Không có loại tin nhắn "${kind}".`);
    const requested = formString(request.body, 'encoding');
    const encoding: SmsEncoding = requested === 'unicode' || requested === 'ascii' ? requested : agency.settings.smsEncoding;
    const text = formString(request.body, 'template').slice(0, 4000);
    const fragment = previewFragment(deps.clock.now(), deps.outbox, agency, kind, text, encoding, request.webLang);
    const problem = templateProblem(kind, text, encoding, deps.outbox.privacyLinkFor(kind, agency.settings));
    return reply.header('cache-control', 'no-store').send({ ok: problem === null, html: fragment.value });
  });

  app.post('/cai-dat/:code/thu-tuc', guard, async (request, reply) => {
    const user = request.webUser!;
    const agency = await editableAgency(agencies, user, codeOf(request));
    const t = texts(request.webLang).agencySettings;
    const form = procedureFormFromBody(request.body);
    const { days, errors } = checkProcedureForm(form, t);
    if (days === null) return page(request, reply, agency, { procedure: form, procedureErrors: errors, status: 400 });
    const before = await procedures.get(form.code);
    try {
      const { procedure } = await procedures.put(
        principalForUser(user),
        form.code,
        {
          agencyCode: agency.code,
          name: form.name,
          processingDays: days,
          dayKind: form.dayKind as 'working' | 'calendar',
          supplementRule: form.supplementRule as 'pause' | 'restart',
        },
        deps.clock.now(),
      );
      await audit.record(user, {
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
