/** /gia-lap: the phone simulator's routes (sandbox demos only); the page is phone-simulator.page.ts. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { Config } from '../../platform/config/config.js';
import { notFound } from '../../platform/errors.js';
import type { DossierQueryService } from '../../dossiers/dossier.query.service.js';
import type { LookupService } from '../../inbound/lookup.service.js';
import { lookupSyntax } from '../../inbound/mo-parser.js';
import { principalForUser, scopeAgency, type WebUser } from '../web.types.js';
import { t } from './i18n.js';
import { simulatorBody } from './phone-simulator.page.js';
import { Lang, Opt, blank, guard, send, viewOf } from './report-routing.js';
import type { View } from './ui.js';

const DEFAULT_SIMULATOR_PHONE = '0987 654 321';

export interface SimulatorRoutesDeps {
  readonly config: Pick<Config, 'sms' | 'lookup'>;
  readonly dossierQueries: DossierQueryService;
  readonly lookup: LookupService;
}

export function simulatorRoutes(app: Parameters<FastifyPluginAsyncTypebox>[0], deps: SimulatorRoutesDeps): void {
  const onRequest = guard();
  /** The simulator exists only in the sandbox demo: with a real provider it would look like a way to send SMS. */
  const requireSandbox = () => {
    if (deps.config.sms.provider !== 'sandbox') throw notFound('trang giả lập (chỉ có ở chế độ trình diễn, nhà cung cấp SMS "sandbox")');
  };
  const { keyword, shortCode, feeVnd } = deps.config.lookup;
  /** A receipt code to prefill the simulator with: the newest dossier the user can see, else any. */
  const demoReceiptCode = async (user: WebUser) => {
    const principal = principalForUser(user);
    const agencyCode = scopeAgency(user, null);
    const [newest] = await deps.dossierQueries.search(principal, agencyCode, { limit: 1 });
    const [any] = newest || !agencyCode ? [] : await deps.dossierQueries.search(principal, null, { limit: 1 });
    return (newest ?? any)?.receiptCode ?? null;
  };
  const simulatorPage = async (reply: FastifyReply, view: View, phone: string, text: string | null, error: string | null, status = 200) => {
    const [thread, inbox, code] = await Promise.all([
      deps.lookup.simulatorConversation(view.user.id, phone),
      deps.lookup.simulatorInbox(phone, scopeAgency(view.user, null)),
      text === null ? demoReceiptCode(view.user) : null,
    ]);
    const body = simulatorBody({
      view,
      shortCode,
      syntax: lookupSyntax(keyword, shortCode),
      feeVnd,
      phone,
      text: text ?? `${keyword} ${code ?? ''}`.trim(),
      thread,
      inbox,
      brandname: deps.config.sms.brandname,
      error,
    });
    return send(reply, view, t(view.lang, 'simulator'), '/gia-lap', body, status);
  };

  app.get(
    '/gia-lap',
    {
      onRequest,
      schema: {
        hide: true,
        querystring: Type.Object({ so: Opt(Type.String({ maxLength: 40 })), lang: Lang }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      requireSandbox();
      const view = viewOf(request);
      return simulatorPage(reply, view, blank(request.query.so)?.trim() || DEFAULT_SIMULATOR_PHONE, null, null);
    },
  );

  app.post(
    '/gia-lap',
    {
      onRequest,
      schema: {
        hide: true,
        body: Type.Object(
          {
            phone: Type.String({ maxLength: 40 }),
            text: Type.String({ maxLength: 500 }),
            _csrf: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      requireSandbox();
      const view = viewOf(request);
      const phone = request.body.phone.trim();
      const text = request.body.text;
      if (!phone || !text.trim()) {
        const missing = !phone ? t(view.lang, 'simulatorPhone') : t(view.lang, 'simulatorText');
        return simulatorPage(reply, view, phone || DEFAULT_SIMULATOR_PHONE, text, t(view.lang, 'invalidInput', { detail: missing }), 400);
      }
      await deps.lookup.simulate(view.user.id, phone, text);
      return reply
        .code(303)
        .header('location', `/gia-lap?so=${encodeURIComponent(phone)}`)
        .send();
    },
  );
}
