import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Clock } from '../platform/clock.js';
import type { ProcedureService } from './procedure.service.js';
import { principalOf } from '../platform/http/auth.js';
import { Code, SafeText, errorResponses } from '../platform/http/schemas.js';
import { agencyScope } from '../platform/principal.js';

const ProcedureJson = Type.Object({
  code: Type.String(),
  agencyCode: Type.String(),
  name: Type.String(),
  processingDays: Type.Integer(),
  dayKind: Type.String(),
  supplementRule: Type.String(),
});

export interface ProcedureRoutesDeps {
  readonly clock: Clock;
  readonly procedures: ProcedureService;
}

export function procedureRoutes(deps: ProcedureRoutesDeps): FastifyPluginAsyncTypebox {
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
        const { procedure, created } = await deps.procedures.put(
          principalOf(request),
          request.params.procedureCode,
          { ...request.body, name: request.body.name.trim() },
          deps.clock.now(),
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
      async (request) => ({ items: await deps.procedures.list(agencyScope(principalOf(request), request.query.agencyCode)) }),
    );
  };
}
