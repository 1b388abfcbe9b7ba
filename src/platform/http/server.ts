/**
 * The HTTP server without routes and without `listen`: body parsing, OpenAPI, the auth plugin, request
 * metrics and the one error mapping. `main/app.ts` adds the routes; tests drive it with `app.inject()`.
 */
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import type { TrustProxy } from '../config/config.js';
import type { Metrics } from '../metrics.js';
import { type Authenticate, authPlugin } from './auth.js';
import { sendError } from './error-handler.js';
import { sharedSchemas } from './schemas.js';
import { createValidatorCompiler, refuseControlCharacters } from './validation.js';

export type App = FastifyInstance;

export interface ServerOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly bodyLimitBytes: number;
  readonly trustProxy: TrustProxy;
  readonly authenticate: Authenticate;
  /** The page a browser gets for an unknown address (HTML in the site's layout); API clients keep the JSON 404. */
  readonly notFoundPage?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply;
}

/** A hop count as Fastify applies it (the n hops nearest to us are proxies); a list as proxy-addr takes it. */
function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return typeof trust === 'boolean' ? trust : [...trust];
}

export async function createServer(options: ServerOptions): Promise<App> {
  if (options.trustProxy === true) {
    options.logger.warn(
      "MOTCUA_TRUST_PROXY=true believes every X-Forwarded-For hop, so any client can claim any address (and beat the per-address limits): list the proxies' addresses or give a hop count instead",
    );
  }
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes,
    trustProxy: fastifyTrustProxy(options.trustProxy),
  }).withTypeProvider<TypeBoxTypeProvider>();

  for (const schema of sharedSchemas) app.addSchema(schema);
  app.setValidatorCompiler(createValidatorCompiler(sharedSchemas));

  await app.register(formbody, { bodyLimit: options.bodyLimitBytes });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'MotcuaSMS API',
        description: 'Thông báo SMS tự động và tra cứu tình trạng hồ sơ thủ tục hành chính — integration contract v1.',
        version: '1.0.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(authPlugin, { authenticate: options.authenticate });
  app.addHook('preValidation', refuseControlCharacters);

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    options.metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    options.metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((error: FastifyError, request, reply) => sendError(options.bodyLimitBytes, error, request, reply));
  app.setNotFoundHandler((request, reply) => {
    const browser = /\btext\/html\b/.test(String(request.headers.accept ?? '')) && !request.url.startsWith('/api/');
    if (browser && options.notFoundPage) return void options.notFoundPage(request, reply);
    void reply
      .code(404)
      .send({ error: { code: 'NOT_FOUND', message: `Không có đường dẫn ${request.method} ${request.url.split('?')[0]}.` } });
  });
  return app;
}
