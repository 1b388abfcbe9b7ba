import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import rateLimit from '@fastify/rate-limit';
import type { Config } from '../platform/config/config.js';
import type { LookupService } from './lookup.service.js';
import { AppError, unauthorized } from '../platform/errors.js';
import { Instant, SafeText, errorResponses } from '../platform/http/schemas.js';
import { sendHtml } from '../platform/http/page-headers.js';
import { lookupSyntax, normalizeReceiptCode } from './mo-parser.js';
import { LOOKUP_CSS, LOOKUP_CSS_PATH, renderLookupPage } from './lookup.page.js';
import type { InboundResult } from './lookup.service.js';
import type { PublicLookupService, PublicPage } from './public-lookup.service.js';
import type { LookupLang } from './lookup.next-step.js';

const MoText = Type.String({ maxLength: 2000, description: 'The SMS as received; anything goes, the parser decides' });
const Sender = Type.String({ minLength: 1, maxLength: 40 });
const ShortCode = Type.String({ maxLength: 20 });

const InboundAnswer = Type.Object({
  outcome: Type.Union([Type.Literal('found'), Type.Literal('not_found'), Type.Literal('bad_syntax'), Type.Literal('rate_limited')]),
  reply: Type.Union([Type.String(), Type.Null()]),
  duplicate: Type.Boolean(),
});

const PublicStatusJson = Type.Object({
  receiptCode: Type.String(),
  state: Type.String(),
  step: Type.String(),
  dueAt: Type.String(),
  onTime: Type.Union([Type.Boolean(), Type.Null()]),
  statusText: Type.Union([Type.String(), Type.Null()]),
});

export interface LookupRoutesDeps {
  readonly config: Config;
  readonly lookup: LookupService;
  readonly publicLookup: PublicLookupService;
}

export function lookupRoutes(deps: LookupRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) =>
        new AppError('RATE_LIMITED', 429, `Tra cứu quá nhiều lần; vui lòng thử lại sau ${Math.ceil(context.ttl / 1000)} giây.`, {
          retryAfterSeconds: Math.ceil(context.ttl / 1000),
        }),
    });
    // One budget per client address for the page and the JSON API together (one store, used by both).
    const perAddress = app.rateLimit({ max: deps.config.lookup.webRateLimitPerMinute || Number.MAX_SAFE_INTEGER, timeWindow: 60_000 });
    const syntax = lookupSyntax(deps.config.lookup.keyword, deps.config.lookup.shortCode);
    const syntaxEn = `${deps.config.lookup.keyword.trim().toUpperCase()} <receipt code> to ${deps.config.lookup.shortCode.trim()}`;
    const LangQuery = Type.Optional(Type.String({ maxLength: 10, description: 'en for English; anything else: Vietnamese' }));
    const langOf = (request: FastifyRequest): LookupLang => ((request.query as { lang?: string }).lang === 'en' ? 'en' : 'vi');
    const pageTexts = { syntax, syntaxEn, feeVnd: deps.config.lookup.feeVnd };

    const received = (instant: string | undefined) => {
      if (instant === undefined) return null;
      const ms = Date.parse(instant);
      return Number.isFinite(ms) ? ms : null;
    };
    const publicAnswer = (result: InboundResult) => ({ outcome: result.outcome, reply: result.reply, duplicate: result.duplicate });

    app.post(
      '/api/v1/inbound/sms',
      {
        config: { roles: ['gateway', 'admin'], controlCharactersAllowed: ['body.text'] },
        schema: {
          summary: 'An SMS to the short code (MO); answers a look-up and records the reply as a lookup_reply notification',
          tags: ['look-up'],
          body: Type.Object(
            { from: Sender, to: ShortCode, text: MoText, messageId: Type.Optional(SafeText(100)), receivedAt: Type.Optional(Instant) },
            { additionalProperties: false },
          ),
          response: { 200: InboundAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const { from, to, text, messageId, receivedAt } = request.body;
        const result = await deps.lookup.handleInbound({
          gateway: 'api',
          messageId: messageId ?? null,
          from,
          to,
          text,
          receivedAt: received(receivedAt),
          replyVia: 'outbox',
        });
        return publicAnswer(result);
      },
    );

    app.get(
      '/api/v1/inbound/kannel',
      {
        config: { controlCharactersAllowed: ['querystring.text'] },
        schema: {
          summary:
            'Kannel sms-service get-url: ...?token=T&from=%p&to=%P&text=%a&id=%I — the reply is the response body, which Kannel sends back',
          tags: ['look-up'],
          security: [],
          querystring: Type.Object(
            {
              token: Type.Optional(Type.String({ maxLength: 200 })),
              from: Sender,
              to: ShortCode,
              text: MoText,
              id: Type.Optional(SafeText(100)),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        // Kannel's get-url cannot set headers: the token travels in the query string.
        const { token } = request.query;
        await app.authorize(request, token ? `Bearer ${token}` : undefined, ['gateway', 'admin']);
        const { from, to, text, id } = request.query;
        const result = await deps.lookup.handleInbound({
          gateway: 'kannel',
          messageId: id ?? null,
          from,
          to,
          text,
          receivedAt: null,
          replyVia: 'response',
        });
        // An empty body tells Kannel's smsbox to send nothing (duplicates and silenced numbers).
        return reply.type('text/plain; charset=utf-8').send(result.duplicate ? '' : (result.reply ?? ''));
      },
    );

    app.get(
      '/api/v1/inbound/aggregator',
      {
        config: { controlCharactersAllowed: ['querystring.message'] },
        schema: {
          summary:
            'eSMS-style MO callback: signature = hex HMAC-SHA256(secret, "phone|message|shortcode|requestid"); reply in the JSON answer',
          tags: ['look-up'],
          security: [],
          querystring: Type.Object(
            { phone: Sender, message: MoText, shortcode: ShortCode, requestid: SafeText(100), signature: Type.String({ maxLength: 128 }) },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ status: Type.Integer(), message: Type.String() }), ...errorResponses },
        },
      },
      async (request) => {
        const secret = deps.config.lookup.aggregatorSecret;
        if (!secret) throw new AppError('NOT_FOUND', 404, 'Chưa cấu hình cổng tin nhắn (MOTCUA_AGGREGATOR_SECRET).');
        const { phone, message, shortcode, requestid, signature } = request.query;
        const expected = createHmac('sha256', secret).update(`${phone}|${message}|${shortcode}|${requestid}`).digest();
        const given = Buffer.from(signature, 'hex');
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw unauthorized('Chữ ký (signature) không hợp lệ.');
        const result = await deps.lookup.handleInbound({
          gateway: 'aggregator',
          messageId: requestid,
          from: phone,
          to: shortcode,
          text: message,
          receivedAt: null,
          replyVia: 'response',
        });
        return { status: 1, message: result.duplicate ? '' : (result.reply ?? '') };
      },
    );

    app.get(
      '/api/v1/inbound/throttled',
      {
        config: { roles: ['admin', 'oversight'] },
        schema: {
          summary: 'Numbers throttled now: flood (too many look-ups) or enumeration (too many unknown codes)',
          tags: ['look-up'],
          response: {
            200: Type.Object({
              limits: Type.Object({ lookupsPerHour: Type.Integer(), unknownCodesPerHour: Type.Integer() }),
              items: Type.Array(
                Type.Object({
                  sender: Type.String(),
                  lookupsLastHour: Type.Integer(),
                  unknownCodesLastHour: Type.Integer(),
                  reason: Type.String(),
                }),
              ),
            }),
            ...errorResponses,
          },
        },
      },
      async () => ({
        limits: { lookupsPerHour: deps.config.lookup.rateLimitPerHour, unknownCodesPerHour: deps.config.lookup.unknownCodeLimitPerHour },
        items: await deps.lookup.throttled(),
      }),
    );

    app.get(
      '/api/v1/lookup/:receiptCode',
      {
        onRequest: perAddress,
        schema: {
          summary:
            'Public status of a dossier: nothing about the applicant. One budget per client address with /tra-cuu (MOTCUA_WEB_LOOKUP_RATE_LIMIT a minute); an address that tried too many unknown codes gets 429 for an hour',
          tags: ['look-up'],
          security: [],
          params: Type.Object({ receiptCode: Type.String({ minLength: 1, maxLength: 200 }) }),
          response: { 200: PublicStatusJson, 404: Type.Ref('ErrorBody'), 429: Type.Ref('ErrorBody') },
        },
      },
      async (request) => deps.publicLookup.publicStatus(request.params.receiptCode, request.ip),
    );

    const page = async (request: FastifyRequest, reply: FastifyReply, code: string): Promise<{ status: number; html: string }> => {
      let found: PublicPage | null = null;
      let problem: 'not_found' | 'invalid' | 'rate_limited' | null = null;
      let retryMinutes = 60;
      if (normalizeReceiptCode(code) === null) problem = 'invalid';
      else {
        try {
          await perAddress.call(app, request, reply);
          found = await deps.publicLookup.publicPage(code, request.ip);
        } catch (error) {
          if (!(error instanceof AppError) || (error.status !== 404 && error.status !== 429)) throw error;
          problem = error.status === 404 ? 'not_found' : 'rate_limited';
          // The per-minute budget says when it refills; the guard against guessing codes lasts an hour.
          const seconds = Number(error.details?.retryAfterSeconds);
          if (Number.isFinite(seconds) && seconds > 0) retryMinutes = Math.ceil(seconds / 60);
          if (problem === 'rate_limited') reply.header('retry-after', String(retryMinutes * 60));
        }
      }
      return {
        status: problem === 'not_found' ? 404 : problem === 'invalid' ? 400 : problem === 'rate_limited' ? 429 : 200,
        html: renderLookupPage({
          ...pageTexts,
          code,
          status: found?.status ?? null,
          agency: found?.agency ?? null,
          problem,
          retryMinutes,
          lang: langOf(request),
        }),
      };
    };

    app.get(LOOKUP_CSS_PATH, { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/css; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .header('x-content-type-options', 'nosniff')
        .send(LOOKUP_CSS),
    );

    app.get(
      '/tra-cuu',
      {
        schema: {
          summary: 'Public look-up page',
          tags: ['look-up'],
          security: [],
          querystring: Type.Object({ ma: Type.Optional(Type.String({ maxLength: 200 })), lang: LangQuery }),
          hide: true,
        },
      },
      async (request, reply) => {
        const code = request.query.ma?.trim() ?? '';
        const lang = langOf(request);
        if (code) {
          const normalized = normalizeReceiptCode(code);
          if (normalized) return reply.redirect(`/tra-cuu/${encodeURIComponent(normalized)}${lang === 'en' ? '?lang=en' : ''}`, 303);
          return sendHtml(reply, renderLookupPage({ ...pageTexts, code, status: null, problem: 'invalid', lang }), 400);
        }
        return sendHtml(reply, renderLookupPage({ ...pageTexts, code: '', status: null, problem: null, lang }));
      },
    );

    app.get(
      '/tra-cuu/:code',
      {
        schema: {
          summary: 'Public look-up page for one code (printable as a QR code)',
          tags: ['look-up'],
          security: [],
          params: Type.Object({ code: Type.String({ maxLength: 200 }) }),
          querystring: Type.Object({ lang: LangQuery }),
          hide: true,
        },
      },
      async (request, reply) => {
        const { status, html } = await page(request, reply, request.params.code);
        return sendHtml(reply, html, status);
      },
    );
  };
}
