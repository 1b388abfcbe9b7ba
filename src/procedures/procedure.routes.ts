import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AppContext } from '../main/context.js';
import { principalOf } from '../http/app.js';
import { Code, SafeText, errorResponses } from '../http/schemas.js';
import { agencyScope } from '../auth/principal.js';

const ProcedureJson = Type.Object({
  code: Type.String(),
  agencyCode: Type.String(),
  name: Type.String(),
  processingDays: Type.Integer(),
  dayKind: Type.String(),
  supplementRule: Type.String(),
});

export function procedureRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.put(
      '/api/v1/procedures/:procedureCode',
      {
        config: { roles: ['admin', 'agency'] },
        schema: {
          summary: 'Create or replace a procedure (TTHC)',
          tags: ['reference data'],
          params: Type.Object({ procedureCode: Code }),
          body: Type.Object(
            {
              agencyCode: Code,
              name: SafeText(500),
              processingDays: Type.Integer({ minimum: 0, maximum: 365, description: '0 = same-day procedure' }),
              dayKind: Type.Optional(Type.Union([Type.Literal('working'), Type.Literal('calendar')])),
              supplementRule: Type.Optional(Type.Union([Type.Literal('pause'), Type.Literal('restart')])),
            },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ procedure: ProcedureJson }), 201: Type.Object({ procedure: ProcedureJson }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const { procedure, created } = await ctx.procedures.put(
          principalOf(request),
          request.params.procedureCode,
          { ...request.body, name: request.body.name.trim() },
          ctx.clock.now(),
        );
        return reply.code(created ? 201 : 200).send({ procedure });
      },
    );

    app.get(
      '/api/v1/procedures',
      {
        config: { roles: ['admin', 'oversight', 'agency'] },
        schema: {
          summary: 'List procedures',
          tags: ['reference data'],
          querystring: Type.Object({ agencyCode: Type.Optional(Code) }, { additionalProperties: false }),
          response: { 200: Type.Object({ items: Type.Array(ProcedureJson) }), ...errorResponses },
        },
      },
      async (request) => ({ items: await ctx.procedures.list(agencyScope(principalOf(request), request.query.agencyCode)) }),
    );
  };
}
