/** /cai-dat/quyen-rieng-tu: whom citizens contact about their personal data, shown on /quyen-rieng-tu (admin). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditService } from '../../accounts/audit.service.js';
import type { Clock } from '../../platform/clock.js';
import {
  checkPrivacyContact,
  PRIVACY_CONTACT_AUDIT,
  PRIVACY_CONTACT_FIELDS,
  PRIVACY_CONTACT_MAX,
  type PrivacyContact,
  type SystemSettingsService,
} from '../../reference/system-settings.service.js';
import { html, raw } from '../html.js';
import { csrfField, errorItems, fieldErrorOf, formString, textField, type FieldErrors } from '../forms.js';
import { texts } from '../i18n/catalogue.js';
import { requireWebUser } from '../web.session.js';
import { flashFromQuery, sendSettingsPage, settingsNav } from './settings.common.js';

export const PRIVACY_SETTINGS_PATH = '/cai-dat/quyen-rieng-tu';

export interface PrivacySettingsDeps {
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly systemSettings: SystemSettingsService;
}

type ContactForm = Record<keyof PrivacyContact, string>;

const formOf = (contact: PrivacyContact | null): ContactForm => ({
  organisation: contact?.organisation ?? '',
  address: contact?.address ?? '',
  email: contact?.email ?? '',
  phone: contact?.phone ?? '',
});

export function privacySettingsRoutes(app: FastifyInstance, deps: PrivacySettingsDeps): void {
  const adminOnly = { preHandler: requireWebUser(['admin']) };

  const page = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: { form?: ContactForm; errors?: FieldErrors; status?: number },
  ) => {
    const user = request.webUser!;
    const lang = request.webLang;
    const t = texts(lang).privacySettings;
    const stored = await deps.systemSettings.privacyContact();
    const form = state.form ?? formOf(stored);
    const errors = state.errors ?? {};
    const fallback = deps.systemSettings.privacyContactDefault;
    const field = (name: keyof PrivacyContact, label: string, extra: { hint?: string; type?: string; required?: boolean } = {}) =>
      textField({
        name,
        label,
        value: form[name],
        error: errors[name],
        ...extra,
        attrs: raw(`maxlength="${PRIVACY_CONTACT_MAX[name]}"${name === 'phone' ? ' inputmode="tel"' : ''}`),
      });
    const body = html`<h1>${t.title}</h1>
${settingsNav(user, lang, PRIVACY_SETTINGS_PATH)}
<p class="hint">${t.intro}</p>
<p class="card" data-testid="privacy-contact-state">${
      stored
        ? html`${t.current} <strong>${stored.organisation}</strong>${[stored.address, stored.email, stored.phone].filter(Boolean).map((v) => html` · ${v}`)}`
        : fallback
          ? t.usingDefault(fallback)
          : t.usingAgency
    } <a href="/quyen-rieng-tu${lang === 'en' ? '?lang=en' : ''}">${t.view}</a></p>
<section class="card" aria-labelledby="contact-title">
  <h2 id="contact-title">${t.title}</h2>
  <form method="post" action="${PRIVACY_SETTINGS_PATH}" class="stack" novalidate>
    ${csrfField(request.csrfToken)}
    ${field('organisation', t.organisation, { hint: t.organisationHint, required: true })}
    ${field('address', t.address)}
    <div class="grid two">
      ${field('email', t.email, { type: 'email' })}
      ${field('phone', t.phone, { hint: t.phoneHint })}
    </div>
    <div class="actions">
      <button type="submit" name="intent" value="save">${t.save}</button>
      ${stored ? html`<button type="submit" name="intent" value="reset" class="secondary">${t.reset}</button>` : null}
    </div>
  </form>
</section>`;
    const flash = flashFromQuery(request, { saved: t.saved, cleared: t.cleared });
    return sendSettingsPage(request, reply, t.title, body, flash, state.status ?? 200, errorItems(errors));
  };

  app.get(PRIVACY_SETTINGS_PATH, adminOnly, async (request, reply) => page(request, reply, {}));

  app.post(PRIVACY_SETTINGS_PATH, adminOnly, async (request, reply) => {
    const user = request.webUser!;
    const t = texts(request.webLang).privacySettings;
    if (formString(request.body, 'intent') === 'reset') {
      const before = await deps.systemSettings.clearPrivacyContact();
      if (before) await deps.audit.record(user, { ...PRIVACY_CONTACT_AUDIT, before, after: null, ip: request.ip });
      return reply.code(303).header('location', `${PRIVACY_SETTINGS_PATH}?ok=cleared`).send();
    }
    const form = Object.fromEntries(PRIVACY_CONTACT_FIELDS.map((f) => [f, formString(request.body, f)])) as ContactForm;
    // The service's own check, worded for this page's language; the service checks again on save.
    const { problems } = checkPrivacyContact(form);
    const errors: FieldErrors = Object.fromEntries(Object.entries(problems).map(([name, problem]) => [name, t.problems[problem]]));
    if (Object.keys(errors).length > 0) return page(request, reply, { form, errors, status: 400 });
    try {
      const { before, after } = await deps.systemSettings.putPrivacyContact(form, deps.clock.now());
      await deps.audit.record(user, { ...PRIVACY_CONTACT_AUDIT, before, after, ip: request.ip });
      return reply.code(303).header('location', `${PRIVACY_SETTINGS_PATH}?ok=saved`).send();
    } catch (error) {
      const field = fieldErrorOf(error);
      if (!field) throw error;
      return page(request, reply, { form, errors: { [field.field]: field.message }, status: 400 });
    }
  });
}
