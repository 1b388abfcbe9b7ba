/** `buildApp(ctx)`: the HTTP application without `listen` — the server from platform/http plus every
 *  route module, each given only the services it uses. Nothing imports this file but main/ and tests. */
import { lookupRoutes } from '../inbound/lookup.routes.js';
import { tokenRoutes } from '../accounts/token.routes.js';
import { dossierRoutes } from '../dossiers/dossier.routes.js';
import { notificationRoutes } from '../messages/notification.routes.js';
import { providerReceiptRoutes } from '../messages/receipts/provider-receipt.routes.js';
import { receiptRoutes } from '../messages/receipts/receipt.routes.js';
import { zaloWebhookRoutes } from '../messages/receipts/zalo-webhook.routes.js';
import { operationsRoutes } from '../platform/http/operations.routes.js';
import { type App, createServer } from '../platform/http/server.js';
import { agencyRoutes } from '../reference/agency.routes.js';
import { calendarRoutes } from '../reference/calendar.routes.js';
import { procedureRoutes } from '../reference/procedure.routes.js';
import { statsRoutes } from '../reports/stats.routes.js';
import { privacyRoutes } from '../privacy/privacy.routes.js';
import { privacyContactRoutes } from '../privacy/privacy-contact.routes.js';
import { reportWebRoutes } from '../web/reports/reports.routes.js';
import { webRoutes } from '../web/web.routes.js';
import { sendNotFoundPage } from '../web/web.session.js';
import { registerWebSession } from '../web/web.session.js';
import type { AppContext } from './context.js';

export type { App };

export async function buildApp(ctx: AppContext): Promise<App> {
  const app = await createServer({
    logger: ctx.logger,
    metrics: ctx.metrics,
    bodyLimitBytes: ctx.config.bodyLimitBytes,
    trustProxy: ctx.config.trustProxy,
    authenticate: (header) => ctx.tokens.authenticate(header, ctx.clock.now()),
    notFoundPage: sendNotFoundPage,
  });
  registerWebSession(app, ctx);
  await app.register(operationsRoutes(ctx));
  await app.register(agencyRoutes(ctx));
  await app.register(procedureRoutes(ctx));
  await app.register(tokenRoutes(ctx));
  await app.register(calendarRoutes(ctx));
  await app.register(dossierRoutes(ctx));
  await app.register(notificationRoutes(ctx));
  await app.register(statsRoutes(ctx));
  await app.register(privacyRoutes(ctx));
  await app.register(privacyContactRoutes(ctx));
  await app.register(lookupRoutes(ctx));
  await app.register(webRoutes(ctx));
  await app.register(reportWebRoutes(ctx));
  await app.register(receiptRoutes(ctx));
  await app.register(providerReceiptRoutes(ctx));
  await app.register(zaloWebhookRoutes({ zalo: ctx.outbox.zalo, receipts: ctx.receipts, zaloFallback: ctx.zaloFallback }));
  return app;
}
