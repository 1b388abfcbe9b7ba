/** The staff web screens of this module: login, accounts, audit log, desk, settings (and their static files). */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../main/context.js';
import { staticRoutes } from './static.js';
import { webErrorHandler } from './web.session.js';
import { loginRoutes } from './accounts/login.routes.js';
import { usersRoutes } from './accounts/users.routes.js';
import { auditRoutes } from './audit.routes.js';
import { deskRoutes } from './desk/desk.routes.js';
import { agencySettingsRoutes } from './settings/settings.agency.js';
import { systemSettingsRoutes } from './settings/settings.system.js';

export function webRoutes(ctx: AppContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.setErrorHandler(webErrorHandler(ctx));
    staticRoutes(app);
    loginRoutes(app, ctx);
    usersRoutes(app, ctx);
    auditRoutes(app, ctx);
    deskRoutes(app, ctx);
    agencySettingsRoutes(app, ctx);
    systemSettingsRoutes(app, ctx);
  };
}
