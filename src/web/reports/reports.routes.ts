/** The oversight and read pages: /giam-sat (with its exports), /ho-so, /tin-nhan and the /gia-lap phone. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { AppContext } from '../../main/context.js';
import { AppError, notFound } from '../../platform/errors.js';
import { Code, LocalDate, ReceiptCode } from '../../platform/http/schemas.js';
import { fieldOf } from '../../platform/http/error-handler.js';
import { localDate } from '../../lib/calendar/zone.js';
import { computeStats } from '../../reports/stats.service.js';
import { findDossierByKey, receiptKey } from '../../dossiers/dossier.repository.js';
import { listNotificationsForDossier } from '../../messages/notification.repository.js';
import { toDossierJson } from '../../dossiers/dossier.service.js';
import { checkPhone } from '../../lib/phone/phone.js';
import { lookupSyntax } from '../../inbound/mo-parser.js';
import { html, type SafeHtml } from '../html.js';
import { renderPage, sendPage } from '../web.layout.js';
import { requireWebUser } from '../web.session.js';
import { principalForUser, type WebLang, type WebUser } from '../web.types.js';
import {
  PRESETS,
  conversation,
  demoReceiptCode,
  messagesByDay,
  messagesByKind,
  reconciliation,
  resolvePeriod,
  scopeAgency,
  searchDossierPage,
  searchMessagePage,
  seesAllAgencies,
  type Period,
  type Preset,
} from '../../reports/dashboard.service.js';
import { dashboardBody, exportFileName } from './dashboard.page.js';
import { dossierDetailBody, dossierSearchBody } from './dossier.pages.js';
import { reconciliationExportTable, statsExportTable, toCsv, toXlsx, type ExportTable } from './export.js';
import { t, type UiKey } from './i18n.js';
import { LIVE_JS, messageLogBody } from './message-log.page.js';
import { simulatorBody } from './phone-simulator.page.js';
import { LIVE_JS_PATH, REPORTS_CSS, REPORTS_CSS_PATH, type View } from './ui.js';
import { NOTIFICATION_KINDS } from '../../messages/catalogue.js';

/** An optional query parameter: an empty form field ('') counts as absent. */
const Opt = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([Type.Literal(''), schema]));
const Lang = Type.Optional(Type.Union([Type.Literal('vi'), Type.Literal('en')]));
const PageNumber = Type.Integer({ minimum: 1, maximum: 10_000, default: 1 });
const SearchText = Type.String({ maxLength: 100 });
const PAGE_SIZE = 50;

const DashboardQuery = Type.Object(
  {
    from: Opt(LocalDate),
    to: Opt(LocalDate),
    preset: Opt(Type.Union(PRESETS.map((p) => Type.Literal(p)))),
    groupBy: Type.Union([Type.Literal('agency'), Type.Literal('procedure')], { default: 'agency' }),
    agency: Opt(Code),
    lang: Lang,
  },
  { additionalProperties: false },
);

const MessageQuery = Type.Object(
  {
    kind: Opt(Type.Union(NOTIFICATION_KINDS.map((k) => Type.Literal(k)))),
    status: Opt(Type.Union(['pending', 'sending', 'sent', 'delivered', 'failed', 'cancelled'].map((s) => Type.Literal(s)))),
    channel: Opt(Type.Union([Type.Literal('sms'), Type.Literal('email')])),
    agency: Opt(Code),
    from: Opt(LocalDate),
    to: Opt(LocalDate),
    q: Opt(SearchText),
    page: PageNumber,
    lang: Lang,
  },
  { additionalProperties: false },
);

const CSV_TYPE = 'text/csv; charset=utf-8';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DEFAULT_SIMULATOR_PHONE = '0987 654 321';

const blank = <T>(value: T | '' | undefined): T | undefined => (value === '' ? undefined : value);

/** Page guard run on onRequest, so a visitor without a session is sent to the login page before
 *  the query string is validated. */
function guard(): onRequestAsyncHookHandler {
  const check = requireWebUser();
  return async function (request, reply) {
    return check.call(this, request, reply);
  };
}

function viewOf(request: FastifyRequest): View {
  const user = request.webUser;
  if (!user) throw new AppError('UNAUTHORIZED', 401, 'Chưa đăng nhập.');
  return { user, lang: request.webLang, csrfToken: request.csrfToken };
}

function send(reply: FastifyReply, view: View, title: string, active: string, body: SafeHtml, status = 200): FastifyReply {
  return sendPage(reply, renderPage({ title, user: view.user, csrfToken: view.csrfToken, lang: view.lang, active, body }), status);
}

/** What the people using the forms call each parameter. */
const FIELD_LABELS: Readonly<Record<string, UiKey>> = {
  from: 'from',
  to: 'to',
  preset: 'preset',
  groupBy: 'groupBy',
  agency: 'agency',
  q: 'searchLabel',
  page: 'pagination',
  kind: 'kind',
  status: 'status',
  channel: 'channel',
  code: 'receiptCode',
  so: 'simulatorPhone',
  phone: 'simulatorPhone',
  text: 'simulatorText',
};

/** Errors of these pages as HTML pages in the user's language: 400 names the bad field. */
function errorPage(ctx: AppContext) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const lang: WebLang = request.webLang ?? 'vi';
    let status = 500;
    let message = lang === 'vi' ? 'Lỗi hệ thống; sự cố đã được ghi lại.' : 'System error; it has been logged.';
    if (error.validation && error.validation.length > 0) {
      status = 400;
      const issue = error.validation[0] as unknown as Parameters<typeof fieldOf>[1];
      const name = fieldOf(error.validationContext, issue).replace(/^(querystring|params|body)\./, '');
      const label = FIELD_LABELS[name];
      message = t(lang, 'invalidInput', { detail: label ? `${t(lang, label)} (${name})` : name });
    } else if (error instanceof AppError && error.status < 500) {
      status = error.status;
      message =
        error.code === 'BAD_PERIOD'
          ? t(lang, 'badDates')
          : error.status === 403
            ? t(lang, 'forbidden')
            : error.status === 404 && lang === 'en'
              ? t(lang, 'notFound')
              : error.message;
    } else if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      status = error.statusCode;
      message = t(lang, 'invalidInput', { detail: error.message });
    } else {
      ctx.logger.error({ err: error, url: request.url, method: request.method }, 'report page error');
    }
    const body = html`<h1>${t(lang, 'errorTitle')}</h1><div class="card" role="alert"><p>${message}</p></div>`;
    return sendPage(
      reply,
      renderPage({ title: t(lang, 'errorTitle'), user: request.webUser, csrfToken: request.csrfToken, lang, body }),
      status,
    );
  };
}

export function reportWebRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.setErrorHandler(errorPage(ctx));
    const onRequest = guard();
    const today = () => localDate(new Date(ctx.clock.now()));

    const agencyDirectory = async () => {
      const agencies = await ctx.agencies.list();
      return { list: agencies.map((a) => ({ code: a.code, name: a.name })), names: new Map(agencies.map((a) => [a.code, a.name])) };
    };
    const requireKnownAgency = async (code: string | null) => {
      if (code && !(await ctx.agencies.get(code))) throw notFound(`cơ quan mã "${code}"`);
    };
    const optionsFor = (user: WebUser, list: Array<{ code: string; name: string }>) => (seesAllAgencies(user) ? list : []);

    const asset = (path: string, type: string, body: string) =>
      app.get(path, { schema: { hide: true } }, async (_request, reply) =>
        reply.type(type).header('cache-control', 'public, max-age=300').header('x-content-type-options', 'nosniff').send(body),
      );
    asset(REPORTS_CSS_PATH, 'text/css; charset=utf-8', REPORTS_CSS);
    asset(LIVE_JS_PATH, 'text/javascript; charset=utf-8', LIVE_JS);

    /** Everything the dashboard and its exports read for one request. */
    const dashboardData = async (
      request: FastifyRequest,
      query: { from?: string; to?: string; preset?: string; groupBy: 'agency' | 'procedure'; agency?: string },
    ) => {
      const view = viewOf(request);
      const agencyCode = scopeAgency(view.user, blank(query.agency) ?? null);
      await requireKnownAgency(agencyCode);
      const period: Period = resolvePeriod(today(), {
        from: blank(query.from),
        to: blank(query.to),
        preset: blank(query.preset) as Preset | undefined,
      });
      const scope = { from: period.from, to: period.to, agencyCode };
      const stats = await computeStats(ctx.db, { ...scope, groupBy: query.groupBy });
      return { view, period, agencyCode, stats, groupBy: query.groupBy };
    };

    app.get('/giam-sat', { onRequest, schema: { hide: true, querystring: DashboardQuery } }, async (request, reply) => {
      const { view, period, agencyCode, stats, groupBy } = await dashboardData(request, request.query);
      const scope = { from: period.from, to: period.to, agencyCode };
      const [agencyStats, byDay, byKind, items, directory, procedures] = await Promise.all([
        groupBy === 'agency' ? stats : computeStats(ctx.db, { ...scope, groupBy: 'agency' }),
        messagesByDay(ctx.db, scope),
        messagesByKind(ctx.db, scope),
        reconciliation(ctx.db, ctx.agencies, scope),
        agencyDirectory(),
        ctx.procedures.list(agencyCode),
      ]);
      const body = dashboardBody({
        view,
        period,
        groupBy,
        agencyCode,
        agencyOptions: optionsFor(view.user, directory.list),
        agencyNames: directory.names,
        procedureNames: new Map(procedures.map((p) => [p.code, p.name])),
        rows: stats.rows,
        agencyRows: agencyStats.rows,
        lookupsUnattributed: stats.lookupsUnattributed,
        byDay,
        byKind,
        reconciliation: items,
      });
      return send(reply, view, t(view.lang, 'dashboardTitle'), '/giam-sat', body);
    });

    const sendFile = (reply: FastifyReply, type: string, name: string, content: Buffer) =>
      reply
        .type(type)
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .send(content);

    const statsTable = async (request: FastifyRequest, query: typeof DashboardQuery.static) => {
      const { view, period, agencyCode, stats, groupBy } = await dashboardData(request, query);
      const [directory, procedures] = await Promise.all([agencyDirectory(), ctx.procedures.list(agencyCode)]);
      const table = statsExportTable(view.lang, groupBy, stats.rows, {
        agencies: directory.names,
        procedures: new Map(procedures.map((p) => [p.code, p.name])),
      });
      return { view, period, groupBy, table };
    };
    const reconciliationTable = async (request: FastifyRequest, query: typeof DashboardQuery.static) => {
      const { view, period, agencyCode, groupBy } = await dashboardData(request, query);
      const [items, directory] = await Promise.all([
        reconciliation(ctx.db, ctx.agencies, { from: period.from, to: period.to, agencyCode }),
        agencyDirectory(),
      ]);
      const table = reconciliationExportTable(view.lang, items, directory.names, `${request.protocol}://${request.host}`);
      return { view, period, groupBy, table };
    };
    const exportRoute = (
      path: string,
      base: string,
      build: (
        request: FastifyRequest,
        query: typeof DashboardQuery.static,
      ) => Promise<{ view: View; period: Period; groupBy: 'agency' | 'procedure'; table: ExportTable }>,
      format: 'csv' | 'xlsx',
    ) =>
      app.get(path, { onRequest, schema: { hide: true, querystring: DashboardQuery } }, async (request, reply) => {
        const { view, period, groupBy, table } = await build(request, request.query);
        const name = exportFileName(base, period, groupBy, format, view.lang);
        if (format === 'csv') return sendFile(reply, CSV_TYPE, name, toCsv(table));
        return sendFile(reply, XLSX_TYPE, name, await toXlsx(table, new Date(ctx.clock.now())));
      });
    exportRoute('/giam-sat/thong-ke.csv', 'thong-ke', statsTable, 'csv');
    exportRoute('/giam-sat/thong-ke.xlsx', 'thong-ke', statsTable, 'xlsx');
    exportRoute('/giam-sat/doi-soat.csv', 'doi-soat', reconciliationTable, 'csv');
    exportRoute('/giam-sat/doi-soat.xlsx', 'doi-soat', reconciliationTable, 'xlsx');

    app.get(
      '/ho-so',
      {
        onRequest,
        schema: {
          hide: true,
          querystring: Type.Object(
            { q: Opt(SearchText), agency: Opt(Code), page: PageNumber, lang: Lang },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        const view = viewOf(request);
        const agencyCode = scopeAgency(view.user, blank(request.query.agency) ?? null);
        const q = blank(request.query.q)?.trim() ?? '';
        const [result, directory] = await Promise.all([
          searchDossierPage(ctx.db, { agencyCode, q, page: request.query.page, pageSize: PAGE_SIZE }),
          agencyDirectory(),
        ]);
        const now = ctx.clock.now();
        const body = dossierSearchBody({
          view,
          q,
          agencyCode,
          agencyOptions: optionsFor(view.user, directory.list),
          result: { ...result, items: result.items.map((row) => toDossierJson(row, now)) },
        });
        return send(reply, view, t(view.lang, 'dossierSearch'), '/ho-so', body);
      },
    );

    app.get(
      '/ho-so/:code',
      {
        onRequest,
        schema: {
          hide: true,
          params: Type.Object({ code: ReceiptCode }),
          querystring: Type.Object({ lang: Lang }, { additionalProperties: false }),
        },
      },
      async (request, reply) => {
        const view = viewOf(request);
        const detail = await ctx.dossiers.get(principalForUser(view.user), request.params.code);
        const row = await findDossierByKey(ctx.db, receiptKey(request.params.code));
        if (!row) throw notFound(`hồ sơ mã "${request.params.code}"`);
        const [messages, agency, procedure] = await Promise.all([
          listNotificationsForDossier(ctx.db, Number(row.id)),
          ctx.agencies.get(row.agency_code),
          ctx.procedures.get(row.procedure_code),
        ]);
        const body = dossierDetailBody({ view, detail, messages, agencyName: agency?.name ?? '', procedureName: procedure?.name ?? '' });
        return send(reply, view, `${t(view.lang, 'dossiers')} ${detail.dossier.receiptCode}`, '/ho-so', body);
      },
    );

    app.get('/tin-nhan', { onRequest, schema: { hide: true, querystring: MessageQuery } }, async (request, reply) => {
      const view = viewOf(request);
      const query = request.query;
      const agencyCode = scopeAgency(view.user, blank(query.agency) ?? null);
      const from = blank(query.from);
      const to = blank(query.to);
      if (from && to && from > to) throw new AppError('BAD_PERIOD', 400, 'from > to');
      const [result, directory] = await Promise.all([
        searchMessagePage(ctx.db, {
          agencyCode,
          kind: blank(query.kind),
          status: blank(query.status),
          channel: blank(query.channel),
          from,
          to,
          q: blank(query.q),
          page: query.page,
          pageSize: PAGE_SIZE,
        }),
        agencyDirectory(),
      ]);
      const body = messageLogBody({
        view,
        filters: {
          kind: query.kind ?? '',
          status: query.status ?? '',
          channel: query.channel ?? '',
          agency: seesAllAgencies(view.user) ? (agencyCode ?? '') : '',
          from: from ?? '',
          to: to ?? '',
          q: query.q ?? '',
        },
        agencyOptions: optionsFor(view.user, directory.list),
        result,
      });
      return send(reply, view, t(view.lang, 'messageLog'), '/tin-nhan', body);
    });

    /** The simulator exists only in the sandbox demo: with a real provider it would look like a way to send SMS. */
    const requireSandbox = () => {
      if (ctx.config.sms.provider !== 'sandbox') throw notFound('trang giả lập (chỉ có ở chế độ trình diễn, nhà cung cấp SMS "sandbox")');
    };
    const { keyword, shortCode, feeVnd } = ctx.config.lookup;
    const senderOf = (phone: string) => checkPhone(phone).e164 ?? phone.trim();
    const simulatorPage = async (
      reply: FastifyReply,
      view: View,
      phone: string,
      text: string | null,
      error: string | null,
      status = 200,
    ) => {
      const [thread, code] = await Promise.all([
        conversation(ctx.db, senderOf(phone)),
        text === null ? demoReceiptCode(ctx.db, scopeAgency(view.user, null)) : null,
      ]);
      const body = simulatorBody({
        view,
        shortCode,
        syntax: lookupSyntax(keyword, shortCode),
        feeVnd,
        phone,
        text: text ?? `${keyword} ${code ?? ''}`.trim(),
        thread,
        error,
      });
      return send(reply, view, t(view.lang, 'simulator'), '/gia-lap', body, status);
    };

    app.get(
      '/gia-lap',
      {
        onRequest,
        schema: {
          hide: true,
          querystring: Type.Object({ so: Opt(Type.String({ maxLength: 40 })), lang: Lang }, { additionalProperties: false }),
        },
      },
      async (request, reply) => {
        requireSandbox();
        const view = viewOf(request);
        return simulatorPage(reply, view, blank(request.query.so)?.trim() || DEFAULT_SIMULATOR_PHONE, null, null);
      },
    );

    app.post(
      '/gia-lap',
      {
        onRequest,
        schema: {
          hide: true,
          body: Type.Object(
            {
              phone: Type.String({ maxLength: 40 }),
              text: Type.String({ maxLength: 500 }),
              _csrf: Type.Optional(Type.String({ maxLength: 200 })),
            },
            { additionalProperties: false },
          ),
        },
      },
      async (request, reply) => {
        requireSandbox();
        const view = viewOf(request);
        const phone = request.body.phone.trim();
        const text = request.body.text;
        if (!phone || !text.trim()) {
          const missing = !phone ? t(view.lang, 'simulatorPhone') : t(view.lang, 'simulatorText');
          return simulatorPage(reply, view, phone || DEFAULT_SIMULATOR_PHONE, text, t(view.lang, 'invalidInput', { detail: missing }), 400);
        }
        const result = await ctx.lookup.handleInbound({
          gateway: 'simulator',
          messageId: null,
          from: phone,
          to: shortCode,
          text,
          receivedAt: null,
          replyVia: 'outbox',
        });
        return reply
          .code(303)
          .header('location', `/gia-lap?so=${encodeURIComponent(phone)}`)
          .send();
      },
    );
  };
}
