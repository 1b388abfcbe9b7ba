import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Code, SafeText, errorResponses } from '../platform/http/schemas.js';
import { ROLES } from '../platform/principal.js';
import type { TokenService } from './token.service.js';

export interface TokenRoutesDeps {
  readonly tokens: TokenService;
}

export function tokenRoutes(deps: TokenRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/api/v1/tokens',
      {
        config: { roles: ['admin'] },
        schema: {
          summary: 'Issue an API token (shown once; stored hashed)',
          tags: ['auth'],
          body: Type.Object(
            {
              role: Type.Union(ROLES.map((role) => Type.Literal(role))),
              agencyCode: Type.Optional(Code),
              label: Type.Optional(SafeText(200)),
            },
            { additionalProperties: false },
          ),
          response: {
            201: Type.Object({
              id: Type.Integer(),
              token: Type.String(),
              role: Type.String(),
              agencyCode: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const { id, token } = await deps.tokens.create(request.body);
        return reply.code(201).send({ id, token, role: request.body.role, agencyCode: request.body.agencyCode ?? null });
      },
    );
  };
}
