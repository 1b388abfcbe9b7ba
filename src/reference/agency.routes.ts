import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Clock } from '../platform/clock.js';
import type { AgencyService } from './agency.service.js';
import { principalOf } from '../platform/http/auth.js';
import { Code, SafeText, errorResponses } from '../platform/http/schemas.js';
import { assertCanReadAgency } from '../platform/principal.js';
import type { Agency } from './agency.service.js';
import { RECEIPT_PREFIX_PATTERN } from './agency.settings.js';

const HhMm = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM, Asia/Ho_Chi_Minh' });

/** The settings an agency may store; `triggerKinds` come from the message catalogue. */
export const agencySettingsSchema = (triggerKinds: readonly string[]) =>
  Type.Object(
    {
      holdSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
      quietHours: Type.Optional(Type.Union([Type.Object({ start: HhMm, end: HhMm }, { additionalProperties: false }), Type.Null()])),
      smsEncoding: Type.Optional(Type.Union([Type.Literal('ascii'), Type.Literal('unicode')])),
      notifySameDay: Type.Optional(Type.Boolean()),
      resultStepName: Type.Optional(SafeText(200)),
      templates: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z_]{1,40}$' }), SafeText(2000, 0), { maxProperties: 40 })),
      triggers: Type.Optional(
        Type.Object(Object.fromEntries(triggerKinds.map((kind) => [kind, Type.Optional(Type.Boolean())])), { additionalProperties: false }),
      ),
      officeHours: Type.Optional(Type.String({ maxLength: 100, description: 'e.g. 07:00-11:30,13:30-17:00' })),
      overdueWarningHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 72 })),
      supplementRule: Type.Optional(Type.Union([Type.Literal('pause'), Type.Literal('restart')])),
      emailAlso: Type.Optional(Type.Boolean()),
      statusCallbackUrl: Type.Optional(Type.Union([Type.String({ minLength: 8, maxLength: 500 }), Type.Null()])),
      channels: Type.Optional(
        Type.Array(Type.Union([Type.Literal('zalo'), Type.Literal('sms')]), {
          minItems: 1,
          maxItems: 2,
          uniqueItems: true,
          description:
            'Ordered channels, e.g. ["zalo", "sms"]; default ["sms"]. A notification goes by the first channel that has a provider and a template for its kind, and falls back to SMS.',
        }),
      ),
      hotline: Type.Optional(
        Type.Union([
          Type.String({ maxLength: 30, description: 'A number citizens may call, e.g. "0258 3822 123"; shown on /tra-cuu' }),
          Type.Null(),
        ]),
      ),
      address: Type.Optional(Type.Union([SafeText(300, 0), Type.Null()])),
      province: Type.Optional(Type.Union([SafeText(100, 0), Type.Null()])),
      privacyLink: Type.Optional(
        Type.Boolean({
          description:
            'Messages to citizens (not look-up replies) end with a short link to the privacy notice, e.g. " Quyen rieng tu: sms.tinh.gov.vn/qrt"; default false.',
        }),
      ),
      receiptPrefixes: Type.Optional(
        Type.Array(Type.String({ pattern: RECEIPT_PREFIX_PATTERN, description: 'e.g. 000.00.15.H34' }), {
          maxItems: 20,
          uniqueItems: true,
          description:
            "The agency segments of its receipt codes (national format <prefix>-YYMMDD-NNNN). When set, the agency's intake must use one of them; a code with another agency's prefix is refused (403 RECEIPT_PREFIX_MISMATCH) to all but that agency and admins. A prefix belongs to one agency (409 RECEIPT_PREFIX_TAKEN).",
        }),
      ),
    },
    { additionalProperties: false },
  );

const AgencyJson = Type.Object({
  code: Type.String(),
  name: Type.String(),
  settings: Type.Record(Type.String(), Type.Unknown()),
});

export interface AgencyRoutesDeps {
  readonly clock: Clock;
  readonly agencies: AgencyService;
}

export function toAgencyJson(agency: Agency) {
  return { code: agency.code, name: agency.name, settings: { ...agency.settings } as Record<string, unknown> };
}

export function agencyRoutes(deps: AgencyRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.put(
      '/api/v1/agencies/:agencyCode',
      {
        config: { roles: ['admin'] },
        schema: {
          summary: 'Create or replace an agency',
          tags: ['reference data'],
          params: Type.Object({ agencyCode: Code }),
          body: Type.Object(
            { name: SafeText(200), settings: Type.Optional(agencySettingsSchema(deps.agencies.triggerKinds)) },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ agency: AgencyJson }), 201: Type.Object({ agency: AgencyJson }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const { agency, created } = await deps.agencies.put(
          request.params.agencyCode,
          request.body.name.trim(),
          request.body.settings ?? {},
          deps.clock.now(),
        );
        return reply.code(created ? 201 : 200).send({ agency: toAgencyJson(agency) });
      },
    );

    app.get(
      '/api/v1/agencies',
      {
        config: { roles: ['admin', 'oversight', 'agency'] },
        schema: {
          summary: 'List agencies',
          tags: ['reference data'],
          response: { 200: Type.Object({ items: Type.Array(AgencyJson) }), ...errorResponses },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const all = await deps.agencies.list();
        const visible = principal.role === 'agency' ? all.filter((a) => a.code === principal.agencyCode) : all;
        return { items: visible.map(toAgencyJson) };
      },
    );

    app.get(
      '/api/v1/agencies/:agencyCode',
      {
        config: { roles: ['admin', 'oversight', 'agency'] },
        schema: {
          summary: 'One agency with its resolved settings',
          tags: ['reference data'],
          params: Type.Object({ agencyCode: Code }),
          response: { 200: Type.Object({ agency: AgencyJson }), ...errorResponses },
        },
      },
      async (request) => {
        assertCanReadAgency(principalOf(request), request.params.agencyCode);
        return { agency: toAgencyJson(await deps.agencies.require(request.params.agencyCode)) };
      },
    );
  };
}
