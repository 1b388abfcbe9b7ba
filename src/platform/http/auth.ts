/**
 * Bearer-token auth as a Fastify plugin: a route declares `config: { roles: [...] }` and the plugin
 * resolves the caller before the handler runs (401 without a valid token, 403 with the wrong role).
 * Routes read the caller with `principalOf(request)`; nothing imports the app that composes them.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { unauthorized } from '../errors.js';
import { type Principal, type Role, requireRole } from '../principal.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on the route; absent = public. */
    roles?: readonly Role[];
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** Resolves an `Authorization` header value (or a token from elsewhere, as `Bearer …`) to a
     *  principal holding one of `roles`, and sets `request.principal` (401 / 403 otherwise). */
    authorize(request: FastifyRequest, header: string | undefined, roles: readonly Role[]): Promise<Principal>;
  }
}

/** Who a bearer header belongs to; throws 401 when it is missing, unknown or revoked. */
export type Authenticate = (header: string | undefined) => Promise<Principal>;

export const authPlugin = fp<{ authenticate: Authenticate }>(
  async (app, { authenticate }) => {
    app.decorateRequest('principal', null);
    app.decorate('authorize', async (request: FastifyRequest, header: string | undefined, roles: readonly Role[]) => {
      const principal = await authenticate(header);
      requireRole(principal, roles);
      request.principal = principal;
      return principal;
    });
    app.addHook('onRequest', async (request) => {
      const roles = request.routeOptions.config.roles;
      if (roles) await app.authorize(request, request.headers.authorization, roles);
    });
  },
  { name: 'motcua-auth' },
);

/** The authenticated caller of a route that declares `config.roles`. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}
