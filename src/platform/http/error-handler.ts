import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { requestForLog } from '../log.js';
import { BUSINESS_YEARS } from '../../lib/calendar/zone.js';
import { AppError } from '../errors.js';
import { dbFailureOf, unavailableAnswer, type DbFailure } from '../db/failure.js';

const BUSY_PAGE =
  '<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
  '<title>Hệ thống đang bận</title></head><body><main><h1>Hệ thống đang bận</h1>' +
  '<p>Hệ thống đang bận hoặc đang được bảo trì. Vui lòng thử lại sau ít phút.</p><p><a href="">Thử lại</a></p></main></body></html>';

/** A database outage as an HTTP answer: 503, `Retry-After`, and why in words; null for any other error.
 *  The outage itself is logged once per episode by the database's health (platform/db/health.ts). */
export function databaseUnavailable(error: unknown): (ReturnType<typeof unavailableAnswer> & { readonly failure: DbFailure }) | null {
  const failure = dbFailureOf(error);
  return failure ? { failure, ...unavailableAnswer(failure) } : null;
}
import { YEAR_RANGE } from './schemas.js';

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
    case YEAR_RANGE:
      return `Trường "${field}" phải là ngày trong các năm ${BUSINESS_YEARS.first}–${BUSINESS_YEARS.last}.`;
    case 'minimum':
    case 'maximum':
      return `Trường "${field}" nằm ngoài giới hạn cho phép (${issue.message ?? ''}).`;
    default:
      return `Trường "${field}" không hợp lệ: ${issue.message ?? issue.keyword}.`;
  }
}

/** The one place an error becomes an HTTP answer: an AppError keeps its code and status, a schema
 *  violation is a 400 naming the field, Fastify's own client errors keep their status, a database outage
 *  (unreachable, timed out, disk full, corrupt, busy) is 503 `DATABASE_UNAVAILABLE` with `Retry-After`,
 *  the rest is 500. */
export function sendError(bodyLimitBytes: number, error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
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
      return reply.code(413).send({ error: { code: 'PAYLOAD_TOO_LARGE', message: `Nội dung yêu cầu vượt quá ${bodyLimitBytes} byte.` } });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return reply
        .code(415)
        .send({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Chỉ nhận application/json (hoặc form cho các cổng SMS).' } });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return reply.code(400).send({ error: { code: 'EMPTY_BODY', message: 'Yêu cầu có Content-Type JSON nhưng không có nội dung.' } });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return reply.code(400).send({ error: { code: 'INVALID_JSON', message: 'Nội dung không phải JSON hợp lệ.' } });
  }
  const unavailable = databaseUnavailable(error);
  if (unavailable) {
    reply.code(503).header('retry-after', String(unavailable.retryAfterSeconds));
    // A browser on a public page (/tra-cuu) gets a page, not JSON; the web screens have their own.
    if (!request.url.startsWith('/api/') && /text\/html/.test(request.headers.accept ?? '')) {
      return reply.type('text/html; charset=utf-8').send(BUSY_PAGE);
    }
    return reply.send({
      error: { code: 'DATABASE_UNAVAILABLE', message: unavailable.message, details: { reason: unavailable.failure.kind } },
    });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = status === 400 && error instanceof SyntaxError ? 'INVALID_JSON' : (error.code ?? 'BAD_REQUEST');
    return reply.code(status).send({ error: { code, message: error.message } });
  }
  request.log.error({ err: error, req: requestForLog(request) }, 'unhandled error');
  return reply.code(500).send({ error: { code: 'INTERNAL', message: 'Lỗi hệ thống; sự cố đã được ghi lại.' } });
}
