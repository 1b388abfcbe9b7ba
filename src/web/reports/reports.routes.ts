/** The oversight and read pages: /giam-sat (with its exports), /ho-so, /tin-nhan and the /gia-lap phone. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AuditService } from '../../accounts/audit.service.js';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.js';
import { AppError, notFound } from '../../platform/errors.js';
import { Code, LocalDate, ReceiptCode } from '../../platform/http/schemas.js';
import { formatVnDate, localDate } from '../../lib/calendar/zone.js';
import type { AgencyService } from '../../reference/agency.service.js';
import type { ProcedureService } from '../../reference/procedure.service.js';
import { PRESETS, resolvePeriod, type Period, type Preset } from '../../reports/period.js';
import { RECONCILIATION_WHYS, type ReportService } from '../../reports/report.service.js';
import type { StatsService } from '../../reports/stats.service.js';
import { principalForUser, scopeAgency, seesAllAgencies, type WebUser } from '../web.types.js';
import { chosenColumns, FIGURE_COLUMNS, RECONCILIATION_PAGE_SIZE } from './dashboard.model.js';
import { dashboardBody, exportFileName } from './dashboard.page.js';
import { dossierDetailBody, dossierSearchBody } from './dossier.pages.js';
import { reconciliationExportTable, statsExportTable, toCsv, toXlsx, type ExportHeading, type ExportTable } from './export.js';
import { formatDateTime } from '../format.js';
import { t } from './i18n.js';
import { LIVE_JS, messageLogBody } from './message-log.page.js';
import { type SimulatorRoutesDeps, simulatorRoutes } from './phone-simulator.routes.js';
import { Lang, Opt, blank, errorPage, guard, send, viewOf } from './report-routing.js';
import { LIVE_JS_PATH, REPORTS_CSS, REPORTS_CSS_PATH, type View } from './ui.js';
import { NOTIFICATION_KINDS } from '../../messages/catalogue.js';

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
    /** The figures table's columns (one `cols` per ticked box of the chooser). */
    cols: Type.Optional(Type.Array(Type.Union(FIGURE_COLUMNS.map((c) => Type.Literal(c))), { maxItems: FIGURE_COLUMNS.length })),
    /** The reconciliation list's reason filter and page. */
    reason: Opt(Type.Union(RECONCILIATION_WHYS.map((w) => Type.Literal(w)))),
    rpage: PageNumber,
    lang: Lang,
  },
  { additionalProperties: false },
);

const MessageQuery = Type.Object(
  {
    kind: Opt(Type.Union(NOTIFICATION_KINDS.map((k) => Type.Literal(k)))),
    status: Opt(Type.Union(['pending', 'sending', 'sent', 'delivered', 'failed', 'cancelled'].map((s) => Type.Literal(s)))),
    channel: Opt(Type.Union([Type.Literal('sms'), Type.Literal('email'), Type.Literal('zalo')])),
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

export interface ReportWebRoutesDeps extends SimulatorRoutesDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly agencies: AgencyService;
  readonly procedures: ProcedureService;
  readonly stats: StatsService;
  readonly reports: ReportService;
  /** Reads of personal data (a dossier's page) are written to the audit log (Law 91/2025/QH15). */
  readonly audit: AuditService;
}

export function reportWebRoutes(deps: ReportWebRoutesDeps): FastifyPluginAsyncTypebox {
  const { agencies, procedures, stats, reports } = deps;
  return async (app) => {
    app.setErrorHandler(errorPage(deps.logger));
    const onRequest = guard();
    const today = () => localDate(new Date(deps.clock.now()));

    const agencyDirectory = async () => {
      const list = await agencies.list();
      return { list: list.map((a) => ({ code: a.code, name: a.name })), names: new Map(list.map((a) => [a.code, a.name])) };
    };
    const requireKnownAgency = async (code: string | null) => {
      if (code && !(await agencies.get(code))) throw notFound(`cơ quan mã "${code}"`);
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
      return { view, period, agencyCode, figures: await stats.compute({ ...scope, groupBy: query.groupBy }), groupBy: query.groupBy };
    };

    app.get('/giam-sat', { onRequest, schema: { hide: true, querystring: DashboardQuery } }, async (request, reply) => {
      const { view, period, agencyCode, figures, groupBy } = await dashboardData(request, request.query);
      const scope = { from: period.from, to: period.to, agencyCode };
      const reason = request.query.reason || null;
      const [agencyStats, byDay, byKind, reconciliation, directory, procedureList] = await Promise.all([
        groupBy === 'agency' ? figures : stats.compute({ ...scope, groupBy: 'agency' }),
        reports.messagesByDay(scope),
        reports.messagesByKind(scope),
        reports.reconciliationPage(scope, { why: reason ?? undefined, page: request.query.rpage, pageSize: RECONCILIATION_PAGE_SIZE }),
        agencyDirectory(),
        procedures.list(agencyCode),
      ]);
      const body = dashboardBody({
        view,
        period,
        groupBy,
        agencyCode,
        agencyOptions: optionsFor(view.user, directory.list),
        agencyNames: directory.names,
        procedureNames: new Map(procedureList.map((p) => [p.code, p.name])),
        rows: figures.rows,
        agencyRows: agencyStats.rows,
        lookupsUnattributed: figures.lookupsUnattributed,
        byDay,
        byKind,
        ...(({ columns, chosen }) => ({ columns, columnsChosen: chosen }))(chosenColumns(request.query.cols)),
        reason,
        reconciliation,
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

    /** The Excel title row: what, which period, which agency, exported when (Việt Nam time). */
    const heading = (
      view: View,
      period: Period,
      agencyCode: string | null,
      names: ReadonlyMap<string, string>,
      table: ExportTable,
    ): ExportHeading => ({
      title: table.sheetName,
      period: `${t(view.lang, 'period')}: ${formatVnDate(period.from)} – ${formatVnDate(period.to)}`,
      agency: `${t(view.lang, 'agency')}: ${agencyCode ? `${agencyCode} – ${names.get(agencyCode) ?? ''}` : t(view.lang, 'allAgencies')}`,
      exportedAt: `${t(view.lang, 'exportedAt')}: ${formatDateTime(deps.clock.now())}`,
      totalLabel: t(view.lang, 'total'),
    });
    const statsTable = async (request: FastifyRequest, query: typeof DashboardQuery.static) => {
      const { view, period, agencyCode, figures, groupBy } = await dashboardData(request, query);
      const [directory, procedureList] = await Promise.all([agencyDirectory(), procedures.list(agencyCode)]);
      const table = statsExportTable(view.lang, groupBy, figures.rows, {
        agencies: directory.names,
        procedures: new Map(procedureList.map((p) => [p.code, p.name])),
      });
      return { view, period, groupBy, table, heading: heading(view, period, agencyCode, directory.names, table) };
    };
    const reconciliationTable = async (request: FastifyRequest, query: typeof DashboardQuery.static) => {
      const { view, period, agencyCode, groupBy } = await dashboardData(request, query);
      const [items, directory] = await Promise.all([
        reports.reconciliation({ from: period.from, to: period.to, agencyCode }),
        agencyDirectory(),
      ]);
      const table = reconciliationExportTable(view.lang, items, directory.names, `${request.protocol}://${request.host}`);
      return { view, period, groupBy, table, heading: heading(view, period, agencyCode, directory.names, table) };
    };
    const exportRoute = (
      path: string,
      base: string,
      build: (
        request: FastifyRequest,
        query: typeof DashboardQuery.static,
      ) => Promise<{ view: View; period: Period; groupBy: 'agency' | 'procedure'; table: ExportTable; heading: ExportHeading }>,
      format: 'csv' | 'csv-vi' | 'xlsx',
    ) =>
      app.get(path, { onRequest, schema: { hide: true, querystring: DashboardQuery } }, async (request, reply) => {
        const { view, period, groupBy, table, heading } = await build(request, request.query);
        const name = exportFileName(base, period, groupBy, format === 'xlsx' ? 'xlsx' : 'csv', view.lang);
        if (format === 'csv') return sendFile(reply, CSV_TYPE, name, toCsv(table));
        if (format === 'csv-vi') return sendFile(reply, CSV_TYPE, name, toCsv(table, 'vi'));
        return sendFile(reply, XLSX_TYPE, name, await toXlsx(table, new Date(deps.clock.now()), heading));
      });
    exportRoute('/giam-sat/thong-ke.csv', 'thong-ke', statsTable, 'csv');
    exportRoute('/giam-sat/thong-ke-excel-vn.csv', 'thong-ke-excel-vn', statsTable, 'csv-vi');
    exportRoute('/giam-sat/thong-ke.xlsx', 'thong-ke', statsTable, 'xlsx');
    exportRoute('/giam-sat/doi-soat.csv', 'doi-soat', reconciliationTable, 'csv');
    exportRoute('/giam-sat/doi-soat-excel-vn.csv', 'doi-soat-excel-vn', reconciliationTable, 'csv-vi');
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
        const page = request.query.page;
        const [listed, directory] = await Promise.all([
          deps.dossierQueries.searchPage(principalForUser(view.user), agencyCode, { q, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
          agencyDirectory(),
        ]);
        const result = { ...listed, page, pageSize: PAGE_SIZE };
        const body = dossierSearchBody({ view, q, agencyCode, agencyOptions: optionsFor(view.user, directory.list), result });
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
        const detail = await deps.dossierQueries.get(principalForUser(view.user), request.params.code);
        const [messages, agency, procedure] = await Promise.all([
          reports.messagesOfDossier(detail.dossier.receiptCode),
          agencies.get(detail.dossier.agencyCode),
          procedures.get(detail.dossier.procedureCode),
        ]);
        await deps.audit.record(view.user, {
          action: 'dossier.read',
          entity: 'dossier',
          entityId: detail.dossier.receiptCode,
          ip: request.ip,
        });
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
        reports.searchMessages({
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

    simulatorRoutes(app, deps);
  };
}
