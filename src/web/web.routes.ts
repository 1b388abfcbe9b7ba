/** The staff web screens of this module: login, accounts, audit log, desk, settings (and their static files). */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { staticRoutes } from './static.js';
import { webErrorHandler } from './web.session.js';
import { type LoginRoutesDeps, loginRoutes } from './accounts/login.routes.js';
import { type UsersRoutesDeps, usersRoutes } from './accounts/users.routes.js';
import { type AuditRoutesDeps, auditRoutes } from './audit.routes.js';
import { type DeskDeps, deskRoutes } from './desk/desk.routes.js';
import { type AgencySettingsDeps, agencySettingsRoutes } from './settings/settings.agency.js';
import { type SystemSettingsDeps, systemSettingsRoutes } from './settings/settings.system.js';
import { type PrivacySettingsDeps, privacySettingsRoutes } from './settings/settings.privacy.js';

export type WebRoutesDeps = { readonly logger: Logger } & LoginRoutesDeps &
  UsersRoutesDeps &
  AuditRoutesDeps &
  AgencySettingsDeps &
  SystemSettingsDeps &
  PrivacySettingsDeps &
  DeskDeps;

export function webRoutes(deps: WebRoutesDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.setErrorHandler(webErrorHandler(deps));
    staticRoutes(app);
    loginRoutes(app, deps);
    usersRoutes(app, deps);
    auditRoutes(app, deps);
    deskRoutes(app, deps);
    agencySettingsRoutes(app, deps);
    systemSettingsRoutes(app, deps);
    privacySettingsRoutes(app, deps);
  };
}
