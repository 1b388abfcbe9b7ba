import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Db } from '../db/database.js';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import { type ProviderBinds, Readiness, type ReadinessOptions } from './readiness.js';
import type { Config } from '../config/config.js';
import { unauthorized } from '../errors.js';

export interface OperationsRoutesDeps {
  readonly db: Db;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly config: { readonly readiness: ReadinessOptions } & Pick<Config, 'metrics'>;
  /** The provider pool: readiness is red when a channel has no bound provider (SMPP) in this process. */
  readonly providers?: ProviderBinds;
}

const Ready = Type.Object({
  status: Type.Literal('ok'),
  database: Type.String(),
  unboundProviders: Type.Optional(Type.Array(Type.String())),
});

export function operationsRoutes(deps: OperationsRoutesDeps): FastifyPluginAsyncTypebox {
  const readiness = new Readiness(deps.db, deps.providers ?? null, deps.config.readiness);
  return async (app) => {
    app.get(
      '/livez',
      {
        schema: {
          summary: 'Liveness: the process is up (never looks at the database)',
          tags: ['operations'],
          security: [],
          response: { 200: Type.Object({ status: Type.Literal('ok') }) },
        },
      },
      async () => ({ status: 'ok' as const }),
    );

    for (const url of ['/readyz', '/healthz']) {
      app.get(
        url,
        {
          schema: {
            summary:
              url === '/readyz'
                ? 'Readiness: the database answers and the providers are bound; 503 otherwise, always within the readiness timeout'
                : 'Same as /readyz (kept for existing monitors)',
            tags: ['operations'],
            security: [],
            response: { 200: Ready, 503: Type.Ref('ErrorBody') },
          },
        },
        async (_request, reply) => {
          const answer = await readiness.check();
          if (answer.ready) {
            return {
              status: 'ok' as const,
              database: answer.database,
              ...(answer.unboundProviders.length > 0 ? { unboundProviders: [...answer.unboundProviders] } : {}),
            };
          }
          return reply
            .code(503)
            .header('retry-after', '5')
            .send({
              error: {
                code: answer.code,
                message: answer.message,
                details: {
                  reason: answer.reason,
                  ...(answer.unboundProviders.length > 0 ? { unboundProviders: answer.unboundProviders } : {}),
                },
              },
            });
        },
      );
    }

    // On the public port only behind MOTCUA_METRICS_TOKEN: provider names, weights, health and look-up
    // counts are no one else's business. Without the token the path does not exist here (404); the
    // metrics listener on 127.0.0.1 (MOTCUA_METRICS_PORT) serves them without one.
    const token = deps.config.metrics.token;
    if (token === null) return;
    const expected = Buffer.from(`Bearer ${token}`);
    app.get(
      '/metrics',
      { schema: { summary: 'Prometheus metrics (Authorization: Bearer MOTCUA_METRICS_TOKEN)', tags: ['operations'], hide: true } },
      async (request, reply) => {
        const given = Buffer.from(request.headers.authorization ?? '');
        if (given.length !== expected.length || !timingSafeEqual(given, expected))
          throw unauthorized('Thiếu hoặc sai mã xem số liệu (MOTCUA_METRICS_TOKEN).');
        const text = await deps.metrics.registry.metrics();
        return reply.header('content-type', deps.metrics.registry.contentType).header('cache-control', 'no-store').send(text);
      },
    );
  };
}
