/** `buildApp(ctx)`: the HTTP application without `listen`, so tests drive it through `app.inject()`. */
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../errors.js';
import type { AppContext } from '../main/context.js';
import type { Principal, Role } from '../auth/principal.js';
import { requireRole } from '../auth/token.service.js';
import { createValidatorCompiler } from './validation.js';
import { sharedSchemas } from './schemas.js';
import { operationsRoutes } from './operations.routes.js';
import { agencyRoutes } from '../agencies/agency.routes.js';
import { procedureRoutes } from '../procedures/procedure.routes.js';
import { tokenRoutes } from '../auth/token.routes.js';
import { calendarRoutes } from '../calendar/calendar.routes.js';
import { dossierRoutes } from '../dossiers/dossier.routes.js';
import { notificationRoutes } from '../notifications/notification.routes.js';
import { statsRoutes } from '../stats/stats.routes.js';
import { lookupRoutes } from '../lookup/lookup.routes.js';
import { registerWebSession } from '../web/web.session.js';
import { webRoutes } from '../web/web.routes.js';
import { reportWebRoutes } from '../web/reports/reports.routes.js';
import { receiptRoutes } from '../notifications/receipt.routes.js';
import { providerReceiptRoutes } from '../providers/provider-receipt.routes.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on the route; absent = public. */
    roles?: readonly Role[];
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export type App = FastifyInstance;

export async function buildApp(ctx: AppContext): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ctx.config.bodyLimitBytes,
    trustProxy: ctx.config.trustProxy,
  }).withTypeProvider<TypeBoxTypeProvider>();

  for (const schema of sharedSchemas) app.addSchema(schema);
  app.setValidatorCompiler(createValidatorCompiler(sharedSchemas));
  app.decorateRequest('principal', null);

  await app.register(formbody, { bodyLimit: ctx.config.bodyLimitBytes });
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

  app.addHook('onRequest', async (request) => {
    const roles = request.routeOptions.config.roles;
    if (roles) await authorize(ctx, request, request.headers.authorization, roles);
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    ctx.metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => sendError(ctx, error, request, reply));
  registerWebSession(app, ctx);
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send({ error: { code: 'NOT_FOUND', message: `Không có đường dẫn ${request.method} ${request.url.split('?')[0]}.` } });
  });

  await app.register(operationsRoutes(ctx));
  await app.register(agencyRoutes(ctx));
  await app.register(procedureRoutes(ctx));
  await app.register(tokenRoutes(ctx));
  await app.register(calendarRoutes(ctx));
  await app.register(dossierRoutes(ctx));
  await app.register(notificationRoutes(ctx));
  await app.register(statsRoutes(ctx));
  await app.register(lookupRoutes(ctx));
  await app.register(webRoutes(ctx));
  await app.register(reportWebRoutes(ctx));
  await app.register(receiptRoutes(ctx));
  await app.register(providerReceiptRoutes(ctx));
  return app;
}

/** Resolves an `Authorization` header value to a principal holding one of `roles` (401 / 403 otherwise). */
export async function authorize(
  ctx: AppContext,
  request: FastifyRequest,
  header: string | undefined,
  roles: readonly Role[],
): Promise<void> {
  const principal = await ctx.auth.authenticate(header, ctx.clock.now());
  requireRole(principal, roles);
  request.principal = principal;
}

/** The authenticated caller of a route that declares `config.roles`. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHORIZED', 401, 'Thiếu hoặc sai mã truy cập (Bearer token).');
  return request.principal;
}

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** `body.applicant.phone`-style name of the field an ajv issue is about. */
export function fieldOf(context: string | undefined, issue: AjvIssue): string {
  const path = issue.instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (issue.keyword === 'required' && typeof issue.params.missingProperty === 'string') path.push(issue.params.missingProperty);
  if (issue.keyword === 'additionalProperties' && typeof issue.params.additionalProperty === 'string')
    path.push(issue.params.additionalProperty);
  const joined = path.join('.');
  return context && context !== 'body' ? (joined ? `${context}.${joined}` : context) : joined || 'body';
}

function describe(issue: AjvIssue, field: string): string {
  switch (issue.keyword) {
    case 'required':
      return `Thiếu trường bắt buộc "${field}".`;
    case 'additionalProperties':
      return `Trường "${field}" không được hỗ trợ.`;
    case 'type':
      return `Trường "${field}" sai kiểu: cần ${String(issue.params.type)}.`;
    case 'enum':
      return `Trường "${field}" phải là một trong: ${(issue.params.allowedValues as unknown[]).join(', ')}.`;
    case 'maxLength':
    case 'maxItems':
    case 'maxProperties':
      return `Trường "${field}" quá dài (tối đa ${String(issue.params.limit)}).`;
    case 'minLength':
      return `Trường "${field}" không được để trống.`;
    case 'pattern':
    case 'format':
      return `Trường "${field}" không đúng định dạng.`;
    case 'minimum':
    case 'maximum':
      return `Trường "${field}" nằm ngoài giới hạn cho phép (${issue.message ?? ''}).`;
    default:
      return `Trường "${field}" không hợp lệ: ${issue.message ?? issue.keyword}.`;
  }
}

function sendError(ctx: AppContext, error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof AppError) {
    const { field, ...details } = error.details ?? {};
    return reply.code(error.status).send({
      error: {
        code: error.code,
        message: error.message,
        ...(typeof field === 'string' ? { field } : {}),
        ...(Object.keys(details).length > 0 ? { details } : {}),
      },
    });
  }
  if (error.validation && error.validation.length > 0) {
    const issue = error.validation[0] as unknown as AjvIssue;
    const field = fieldOf(error.validationContext, issue);
    return reply.code(400).send({ error: { code: 'VALIDATION_FAILED', message: describe(issue, field), field } });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply
        .code(413)
        .send({ error: { code: 'PAYLOAD_TOO_LARGE', message: `Nội dung yêu cầu vượt quá ${ctx.config.bodyLimitBytes} byte.` } });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply
        .code(415)
        .send({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Chỉ nhận application/json (hoặc form cho các cổng SMS).' } });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return reply.code(400).send({ error: { code: 'EMPTY_BODY', message: 'Yêu cầu có Content-Type JSON nhưng không có nội dung.' } });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return reply.code(400).send({ error: { code: 'INVALID_JSON', message: 'Nội dung không phải JSON hợp lệ.' } });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = status === 400 && error instanceof SyntaxError ? 'INVALID_JSON' : (error.code ?? 'BAD_REQUEST');
    return reply.code(status).send({ error: { code, message: error.message } });
  }
  request.log.error({ err: error, url: request.url, method: request.method }, 'unhandled error');
  return reply.code(500).send({ error: { code: 'INTERNAL', message: 'Lỗi hệ thống; sự cố đã được ghi lại.' } });
}
