/** The composition root: one place that opens the database and wires every service. */
import { NoReceiptSweeper } from '../messages/receipts/no-receipt.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { createLogger } from '../platform/log.js';
import type { Config } from '../platform/config/config.js';
import { openDatabase, type Db } from '../platform/db/database.js';
import { TRIGGER_KINDS } from '../messages/catalogue.js';
import { privacyLinkFor, templateProblem } from '../messages/plan/notification.templates.js';
import { Signal } from '../platform/db/signal.js';
import { GroupedTransactions } from '../platform/db/group-commit.js';
import { DatabaseOpenError, dbFailureOf } from '../platform/db/failure.js';
import { migrateToLatest } from '../platform/db/migrate.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { createMetrics, type Metrics } from '../platform/metrics.js';
import { TokenService } from '../accounts/token.service.js';
import { AccountService } from '../accounts/account.service.js';
import { AuditService } from '../accounts/audit.service.js';
import { AgencyService } from '../reference/agency.service.js';
import { ProcedureService } from '../reference/procedure.service.js';
import { CalendarService } from '../reference/calendar.service.js';
import { SystemSettingsService } from '../reference/system-settings.service.js';
import { OutboxService } from '../messages/plan/outbox.service.js';
import { DossierService } from '../dossiers/dossier.service.js';
import { DossierQueryService } from '../dossiers/dossier.query.service.js';
import { ApologyService } from '../messages/batches/apology.service.js';
import { Scheduler } from '../messages/batches/scheduler.js';
import { Dispatcher } from '../messages/send/dispatcher.js';
import { dispatchSizing } from '../messages/send/dispatch-sizing.js';
import { OverdueWarningService } from '../messages/batches/overdue-warning.service.js';
import { LookupService } from '../inbound/lookup.service.js';
import { PublicLookupService } from '../inbound/public-lookup.service.js';
import { createProviderPool } from '../providers/provider.factory.js';
import type { ProviderPool } from '../providers/provider.pool.js';
import { ReceiptService } from '../messages/receipts/receipt.service.js';
import { StatusCallbackService, StatusCallbackWorker } from '../messages/callbacks/status-callback.service.js';
import { StatsService } from '../reports/stats.service.js';
import { ZaloFallback } from '../messages/plan/zalo.channel.js';
import { ReportService } from '../reports/report.service.js';
import { RetentionService } from '../privacy/retention.service.js';
import { RetentionScheduler } from '../privacy/retention.scheduler.js';
import { DataSubjectService } from '../privacy/data-subject.service.js';

export interface AppContext {
  readonly config: Config;
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tokens: TokenService;
  readonly accounts: AccountService;
  readonly audit: AuditService;
  readonly agencies: AgencyService;
  readonly procedures: ProcedureService;
  readonly calendars: CalendarService;
  /** Province-wide settings in the database (the privacy contact). */
  readonly systemSettings: SystemSettingsService;
  readonly outbox: OutboxService;
  readonly dossiers: DossierService;
  readonly dossierQueries: DossierQueryService;
  readonly apology: ApologyService;
  readonly lookup: LookupService;
  readonly publicLookup: PublicLookupService;
  readonly overdueWarnings: OverdueWarningService;
  readonly scheduler: Scheduler;
  readonly dispatcher: Dispatcher;
  /** Zalo → SMS fallback: on permanent failures (in the dispatcher) and on missing delivery events (its sweep). */
  readonly zaloFallback: ZaloFallback;
  readonly providers: ProviderPool;
  readonly receipts: ReceiptService;
  readonly statusCallbacks: StatusCallbackService;
  readonly callbackWorker: StatusCallbackWorker;
  /** Marks `sent` messages without a receipt in time as `unknown` (worker processes run it). */
  readonly noReceiptSweeper: NoReceiptSweeper;
  readonly stats: StatsService;
  readonly reports: ReportService;
  readonly retention: RetentionService;
  readonly retentionScheduler: RetentionScheduler;
  readonly dataSubjects: DataSubjectService;
  close(): Promise<void>;
}

export interface ContextOptions {
  clock?: Clock;
  logger?: Logger;
  metrics?: Metrics;
  /** Cache lifetime of reference data (agencies, procedures, tokens); tests use 0. */
  cacheMs?: number;
}

/**
 * Migrations run on PostgreSQL through their own short-lived pool without statement limits: a
 * backfill may take longer than a request may, and a process that starts while another migrates
 * waits on the migration lock for as long as that takes, instead of failing its start-up.
 */
async function migrateWithoutStatementLimits(config: Config['database'], db: Db): Promise<string[]> {
  if (config.dialect === 'sqlite') return migrateToLatest(db);
  const unlimited = openDatabase({ ...config, poolSize: 1, timeouts: { ...config.timeouts, statementMs: 0, queryMs: 0 } });
  try {
    return await migrateToLatest(unlimited);
  } finally {
    await unlimited.close().catch(() => undefined);
  }
}

export async function createContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const metrics = options.metrics ?? createMetrics();
  if (config.database.dialect === 'sqlite' && config.database.path !== ':memory:') {
    mkdirSync(dirname(config.database.path), { recursive: true });
  }
  const db = openDatabase(config.database);
  metrics.databaseUp.set(1);
  db.health.onChange((up) => metrics.databaseUp.set(up ? 1 : 0));
  try {
    const applied = await migrateWithoutStatementLimits(config.database, db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  } catch (error) {
    await db.close().catch(() => undefined);
    // Unreachable, damaged or full at start: say which database and why, not a stack trace.
    const failure = dbFailureOf(error);
    if (failure) throw new DatabaseOpenError(db.health.target, `${failure.message}${failure.code ? ` (${failure.code})` : ''}`);
    throw error;
  }
  // From here on an outage is logged once per episode (at start the caller reports it in one line).
  db.health.setLogger(logger);
  const cacheMs = options.cacheMs;
  const tokens = new TokenService(db, clock, config.adminToken, cacheMs);
  const accounts = new AccountService(db, clock);
  const audit = new AuditService(db, clock);
  const agencies = new AgencyService(
    db,
    {
      triggerKinds: TRIGGER_KINDS,
      templateProblem: (kind, template, settings) =>
        templateProblem(kind, template, settings.smsEncoding, privacyLinkFor(kind, settings, config.sms.publicBaseUrl)),
    },
    cacheMs,
  );
  const procedures = new ProcedureService(db, agencies, cacheMs);
  const calendars = new CalendarService(db, cacheMs);
  const systemSettings = new SystemSettingsService(db, config.privacyContact, cacheMs);
  const outboxSignal = new Signal('motcua_outbox', config.database.dialect === 'postgres' ? config.database.url : null, logger);
  const outbox = new OutboxService(config, outboxSignal);
  const dossierWrites = new GroupedTransactions(
    db,
    { maxSize: config.ingest.groupSize, delayMs: config.ingest.groupDelayMs },
    (size, pass) => metrics.ingestGroupSize.observe({ pass }, size),
  );
  const dossiers = new DossierService(db, dossierWrites, agencies, procedures, calendars, outbox, clock);
  const dossierQueries = new DossierQueryService(db, agencies, calendars, outbox, clock);
  const apology = new ApologyService(agencies, calendars, outbox);
  const lookup = new LookupService(db, config, agencies, procedures, outbox, clock, metrics);
  const publicLookup = new PublicLookupService(db, config, agencies, clock, metrics);
  const overdueWarnings = new OverdueWarningService(db, agencies, outbox);
  const scheduler = new Scheduler(db, calendars, apology, overdueWarnings, clock, logger);
  const statusCallbacks = new StatusCallbackService(db, agencies);
  const receipts = new ReceiptService(db, statusCallbacks, clock, logger, metrics);
  const providers = createProviderPool(config, {
    db,
    logger,
    metrics,
    sink: {
      async receipt(receipt) {
        await receipts.record(receipt);
      },
      async inbound(mo) {
        await lookup.handleInbound({
          gateway: 'smpp',
          messageId: mo.gatewayMessageId,
          from: mo.from,
          ...(mo.fromTon === undefined ? {} : { fromTon: mo.fromTon }),
          ...(mo.fromNpi === undefined ? {} : { fromNpi: mo.fromNpi }),
          to: mo.to,
          text: mo.text,
          receivedAt: mo.receivedAt,
          replyVia: 'outbox',
        });
      },
    },
  });
  const callbackWorker = new StatusCallbackWorker(db, statusCallbacks, config.statusCallbacks, clock, logger);
  const noReceiptSweeper = new NoReceiptSweeper(db, config.receipts, clock, logger, {
    provider: (channel, name) => providers.find(channel, name),
    record: (receipt) => receipts.record(receipt),
  });
  const zaloFallback = new ZaloFallback(db, config, outbox.zalo, agencies, outbox, statusCallbacks, clock, logger, metrics);
  const dispatcher = new Dispatcher(
    db,
    providers,
    receipts,
    statusCallbacks,
    { ...config.dispatcher, ...dispatchSizing(config.dispatcher, providers.inFlightLimits()) },
    clock,
    logger,
    metrics,
    outboxSignal,
    zaloFallback,
  );
  // The look-up fast path: replies go straight to this process's dispatcher while it runs and a bind is up.
  lookup.setReplyHandoff({
    ready: () => dispatcher.running && !providers.unbound().channelsDown.includes('sms'),
    send: (rows) => dispatcher.sendClaimed(rows),
  });
  const stats = new StatsService(db);
  const reports = new ReportService(db, agencies);
  const retention = new RetentionService(db, config.retention);
  const retentionScheduler = new RetentionScheduler(db, retention, audit, clock, logger);
  const dataSubjects = new DataSubjectService(db, audit, clock);

  let closed = false;
  return {
    config,
    db,
    clock,
    logger,
    metrics,
    tokens,
    accounts,
    audit,
    agencies,
    procedures,
    calendars,
    systemSettings,
    outbox,
    dossiers,
    dossierQueries,
    apology,
    lookup,
    publicLookup,
    overdueWarnings,
    scheduler,
    dispatcher,
    zaloFallback,
    providers,
    receipts,
    statusCallbacks,
    callbackWorker,
    noReceiptSweeper,
    stats,
    reports,
    retention,
    retentionScheduler,
    dataSubjects,
    async close() {
      if (closed) return;
      closed = true;
      scheduler.stop();
      retentionScheduler.stop();
      // Together: the dispatcher stops claiming and releases what it has not started; the providers
      // refuse new sends (released too, not an attempt) and wait for the answers still due, then unbind.
      const dispatcherStopped = dispatcher.stop();
      const providersClosed = providers.close();
      await dispatcherStopped;
      await providersClosed;
      await zaloFallback.stop();
      await outboxSignal.close();
      await callbackWorker.stop();
      await noReceiptSweeper.stop();
      await receipts.drain();
      await lookup.drain();
      await dossierWrites.drain();
      await db.close();
    },
  };
}
