/** The privacy contact through the API (admin): the same system setting as /cai-dat/quyen-rieng-tu, audited alike. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type TSchema, Type } from '@sinclair/typebox';
import type { AuditService } from '../accounts/audit.service.js';
import type { Clock } from '../platform/clock.js';
import { principalOf } from '../platform/http/auth.js';
import { SafeText, errorResponses } from '../platform/http/schemas.js';
import { PRIVACY_CONTACT_AUDIT, PRIVACY_CONTACT_MAX, type SystemSettingsService } from '../reference/system-settings.service.js';
import { apiActor } from './privacy.routes.js';

export interface PrivacyContactRoutesDeps {
  readonly clock: Clock;
  readonly audit: AuditService;
  readonly systemSettings: SystemSettingsService;
}

const PATH = '/api/v1/settings/privacy-contact';
const optionalText = (max: number) => Type.Optional(Type.Union([SafeText(max, 0), Type.Null()]));
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const ContactJson = Type.Object({
  organisation: Type.String(),
  address: nullable(Type.String()),
  email: nullable(Type.String()),
  phone: nullable(Type.String()),
});

export function privacyContactRoutes(deps: PrivacyContactRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      PATH,
      {
        config: { roles: ['admin'] },
        schema: {
          summary: 'Whom citizens contact about their personal data (shown on /quyen-rieng-tu)',
          description:
            '`contact`: the system setting, or null while it is not set; `defaultContact`: what the notice shows then (MOTCUA_PRIVACY_CONTACT; null: the agency that received the dossier).',
          tags: ['personal data'],
          response: { 200: Type.Object({ contact: nullable(ContactJson), defaultContact: nullable(Type.String()) }), ...errorResponses },
        },
      },
      async () => ({ contact: await deps.systemSettings.privacyContact(), defaultContact: deps.systemSettings.privacyContactDefault }),
    );

    app.put(
      PATH,
      {
        config: { roles: ['admin'] },
        schema: {
          summary: 'Set the privacy contact (the data controller and how to reach it)',
          description:
            'An organisation name and at least an e-mail or a phone number (a Vietnamese mobile or landline). 400 `INVALID_SETTINGS` names the field. Audited.',
          tags: ['personal data'],
          body: Type.Object(
            {
              organisation: SafeText(PRIVACY_CONTACT_MAX.organisation),
              address: optionalText(PRIVACY_CONTACT_MAX.address),
              email: optionalText(PRIVACY_CONTACT_MAX.email),
              phone: optionalText(PRIVACY_CONTACT_MAX.phone),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ contact: ContactJson }), ...errorResponses },
        },
      },
      async (request) => {
        const { before, after } = await deps.systemSettings.putPrivacyContact(request.body, deps.clock.now());
        await deps.audit.record(apiActor(principalOf(request)), { ...PRIVACY_CONTACT_AUDIT, before, after, ip: request.ip });
        return { contact: after };
      },
    );

    app.delete(
      PATH,
      {
        config: { roles: ['admin'] },
        schema: {
          summary: 'Remove the privacy contact: the notice shows the default again',
          tags: ['personal data'],
          response: { 200: Type.Object({ removed: Type.Boolean() }), ...errorResponses },
        },
      },
      async (request) => {
        const before = await deps.systemSettings.clearPrivacyContact();
        if (before)
          await deps.audit.record(apiActor(principalOf(request)), { ...PRIVACY_CONTACT_AUDIT, before, after: null, ip: request.ip });
        return { removed: before !== null };
      },
    );
  };
}
