import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Db } from '../db/database.js';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import { ping } from '../db/database.js';

export interface OperationsRoutesDeps {
  readonly db: Db;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export function operationsRoutes(deps: OperationsRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/healthz',
      {
        schema: {
          summary: 'Liveness and database check',
          tags: ['operations'],
          security: [],
          response: { 200: Type.Object({ status: Type.Literal('ok'), database: Type.String() }), 503: Type.Ref('ErrorBody') },
        },
      },
      async (_request, reply) => {
        try {
          await ping(deps.db);
        } catch (error) {
          deps.logger.error({ err: error }, 'health check: database unreachable');
          return reply.code(503).send({ error: { code: 'DATABASE_UNAVAILABLE', message: 'Cơ sở dữ liệu không phản hồi.' } });
        }
        return { status: 'ok' as const, database: deps.db.dialect };
      },
    );

    app.get(
      '/metrics',
      { schema: { summary: 'Prometheus metrics', tags: ['operations'], security: [], hide: true } },
      async (_request, reply) => {
        const text = await deps.metrics.registry.metrics();
        return reply.header('content-type', deps.metrics.registry.contentType).send(text);
      },
    );
  };
}
