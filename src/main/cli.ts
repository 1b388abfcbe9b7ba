#!/usr/bin/env node
/**
 * `motcua <command>`: one entry for every process kind. `USAGE` below is what `motcua --help` prints,
 * exit codes included (the README's table is the same).
 */
import { parseArgs } from 'node:util';
import { ConfigError, demoMode, loadConfig, type Config } from '../platform/config/config.js';
import { createContext, type AppContext } from './context.js';
import { buildApp } from './app.js';
import { ROLES, type Role } from '../platform/principal.js';
import { loadDemoData } from './demo/demo.data.js';
import { AppError } from '../platform/errors.js';
import { demoLoginText } from './demo/demo.accounts.js';
import { withDemoZalo } from './demo/demo.zalo.js';
import type { ZaloSimulator } from './zalo-sim/zalo-sim.js';
import { runSmscSimCommand } from './smsc-sim.command.js';
import { runZaloSimCommand } from './zalo-sim/zalo-sim.command.js';
import { runBackup } from './backup.command.js';
import { SYSTEM_ACTOR } from '../privacy/retention.scheduler.js';
import { checkDatabase, openDatabase, type DatabaseCheck } from '../platform/db/database.js';
import { DatabaseOpenError, dbFailureOf } from '../platform/db/failure.js';
import type { Logger } from 'pino';

export const USAGE = `usage: motcua <command> [options]

commands:
  serve [--demo] [--check]   API + dispatcher + scheduler in one process (the embedded default; also "all")
  api [--check]              HTTP API only (run several behind a load balancer on PostgreSQL)
  worker [--check]           dispatcher + scheduler only
  migrate                    apply database migrations and exit
  check                      check the database and exit: SQLite PRAGMA quick_check; PostgreSQL the
                             connection and a full read of every table
  demo [--count N]           load the demo agencies, procedures and dossiers (idempotent)
  token create --role admin|agency|oversight|gateway [--agency CODE] [--label TEXT]
  user create --username NAME --role admin|oversight|agency_admin|clerk [--agency CODE] --password PW [--name TEXT]
  retention [--as-of ISO]    run the personal-data retention job now (idempotent; one line per batch)
  backup <file>              consistent copy of a running SQLite database (PostgreSQL: pg_dump)
  smsc-sim [--port 2775] [--control-port 2776] …   SMPP SMSC simulator for development, tests and demos
  zalo-sim [--port 8765] [--webhook-url URL] …     Zalo (OAuth v4 + ZNS + signed webhooks) simulator, same uses
  help, --help, -h           this text

--check (or MOTCUA_DB_CHECK=1) runs "check" before serving and refuses to start on a problem.
Configuration comes from the environment (DATABASE_URL, PORT, …): see the README.

exit codes:
  0  done (a server: stopped cleanly by SIGTERM or SIGINT)
  1  unexpected error (a bug: the stack trace is printed), or a shutdown that did not finish within 15 s plus the longest SMPP answer wait
  2  usage: unknown command or option, missing argument
  3  invalid value: an environment variable, the config file or an option's value, or input the command refused
  4  the database cannot be opened or reached at start (the message names it and why)
  5  the database check found a problem (check, --check, MOTCUA_DB_CHECK=1)
`;

export const EXIT = { ok: 0, unexpected: 1, usage: 2, invalid: 3, databaseUnavailable: 4, databaseDamaged: 5 } as const;

class UsageError extends Error {}

/** `--check`: the database has a problem; the lines say which. */
class DatabaseCheckError extends Error {}
import { listenMetrics } from '../platform/http/metrics-server.js';

type ProcessKind = 'all' | 'api' | 'worker';

async function runCheck(config: Config, options: { mustExist: boolean }): Promise<DatabaseCheck> {
  const db = openDatabase(config.database, options);
  try {
    return await checkDatabase(db);
  } finally {
    await db.close().catch(() => undefined);
  }
}

function describeCheck(check: DatabaseCheck): string {
  return check.problems.length === 0
    ? `${check.target}: ${check.checked}: ok\n`
    : `${check.target}: ${check.checked} found ${check.problems.length} problem(s):\n${check.problems
        .slice(0, 20)
        .map((p) => `  - ${p}`)
        .join('\n')}${check.problems.length > 20 ? `\n  … and ${check.problems.length - 20} more` : ''}\n`;
}

/**
 * The last line of defence: a database error that escaped every handler (an 'error' event nobody
 * listened to, a promise nobody awaited) is logged and the process goes on — an outage is ridden out,
 * never a reason to exit. Anything else is a bug: logged, and the process exits as Node would.
 */
function installSafetyNet(logger: Logger): void {
  const escaped = (what: string) => (error: unknown) => {
    const failure = dbFailureOf(error);
    if (failure) {
      logger.warn(
        { kind: failure.kind, code: failure.code, reason: failure.message },
        `a database error escaped its handler (${what}); going on`,
      );
      return;
    }
    logger.fatal({ err: error }, `${what}: exiting`);
    process.exit(EXIT.unexpected);
  };
  process.on('unhandledRejection', escaped('unhandled rejection'));
  process.on('uncaughtException', escaped('uncaught exception'));
}

async function serve(
  config: Config,
  kind: ProcessKind,
  demo: boolean,
  check: boolean,
  zaloSimulator: ZaloSimulator | null = null,
): Promise<void> {
  if (check || config.databaseCheckAtStart) {
    const result = await runCheck(config, { mustExist: false });
    if (result.problems.length > 0) throw new DatabaseCheckError(describeCheck(result).trimEnd());
  }
  const ctx = await createContext(config);
  installSafetyNet(ctx.logger);
  const bootstrapToken = await ctx.tokens.ensureAdminAccess();
  if (bootstrapToken) {
    process.stdout.write(
      `\n  Mã truy cập quản trị (admin token) — chỉ hiện một lần, hãy lưu lại:\n  export MOTCUA_TOKEN=${bootstrapToken}\n\n`,
    );
  }
  if (demo) {
    const summary = await loadDemoData(ctx);
    ctx.logger.info(summary, 'demo data ready');
    process.stdout.write(demoLoginText());
  }
  const app = kind === 'worker' ? null : await buildApp(ctx);
  if (kind !== 'api') {
    if (config.dispatcher.enabled) {
      ctx.providers.start();
      ctx.dispatcher.start();
      ctx.zaloFallback.start();
      ctx.callbackWorker.start();
      ctx.noReceiptSweeper.start();
    }
    if (config.scheduler.enabled) {
      ctx.scheduler.start();
      ctx.retentionScheduler.start();
    }
  }
  const { port: metricsPort, host: metricsHost } = config.metrics;
  const metrics = metricsPort === null ? null : await listenMetrics(ctx.metrics, metricsPort, metricsHost);
  if (metrics) ctx.logger.info({ metrics: `http://${metricsHost}:${metrics.port}/metrics` }, 'metrics listener');
  if (app) {
    const address = await app.listen({ port: config.port, host: config.host });
    zaloSimulator?.setWebhookUrl(`${address}/webhooks/zalo`);
    ctx.logger.info({ address, kind, database: config.database.dialect, docs: `${address}/docs` }, 'MotcuaSMS is serving');
  } else {
    ctx.logger.info({ kind, database: config.database.dialect }, 'MotcuaSMS worker running');
  }
  installShutdown(ctx, async () => Promise.all([app?.close(), metrics?.close(), zaloSimulator?.close()]));
}

/** The forced exit after a SIGTERM/SIGINT: this, plus the longest a provider may wait for answers still due. */
const SHUTDOWN_BASE_MS = 15_000;

function installShutdown(ctx: AppContext, closeHttp: () => Promise<unknown>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.logger.info({ signal }, 'shutting down');
    // Longer than the longest wait for an answer still due (an SMPP submit_sm on a slow SMSC).
    const forceMs = SHUTDOWN_BASE_MS + ctx.providers.closeTimeoutMs;
    const force = setTimeout(() => {
      ctx.logger.error({ signal, forceMs }, 'shutdown did not finish in time: exiting');
      process.exit(EXIT.unexpected);
    }, forceMs);
    force.unref();
    void (async () => {
      await closeHttp();
      await ctx.close();
      process.exit(0);
    })();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function withContext<T>(config: Config, work: (ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = await createContext(config);
  try {
    return await work(ctx);
  } finally {
    await ctx.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command = 'serve', ...rest] = argv;
  if (command === 'help' || argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  const config = loadConfig(process.env);
  switch (command) {
    case 'serve':
    case 'all': {
      const { values } = parseArgs({
        args: rest,
        options: { demo: { type: 'boolean', default: false }, check: { type: 'boolean', default: false } },
      });
      const demo = values.demo === true;
      if (!demo) return serve(config, 'all', false, values.check === true);
      // The demo shows Zalo too: a simulator in this process stands in for it (demo/demo.zalo.ts).
      const zalo = await withDemoZalo(demoMode(config));
      return serve(demoMode(zalo.config), 'all', true, values.check === true, zalo.simulator);
    }
    case 'api':
    case 'worker': {
      const { values } = parseArgs({ args: rest, options: { check: { type: 'boolean', default: false } } });
      return serve(config, command, false, values.check === true);
    }
    case 'check': {
      parseArgs({ args: rest, options: {} });
      const result = await runCheck(config, { mustExist: true });
      if (result.problems.length > 0) throw new DatabaseCheckError(describeCheck(result).trimEnd());
      process.stdout.write(describeCheck(result));
      return;
    }
    case 'migrate':
      await withContext(config, async () => undefined);
      process.stdout.write('Cơ sở dữ liệu đã được cập nhật (migrations applied).\n');
      return;
    case 'demo': {
      const { values } = parseArgs({ args: rest, options: { count: { type: 'string', default: '300' } } });
      const count = Number(values.count);
      if (!Number.isInteger(count) || count < 0 || count > 1_000_000)
        throw new ConfigError('--count must be an integer between 0 and 1000000');
      const summary = await withContext(config, (ctx) => loadDemoData(ctx, count));
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      return;
    }
    case 'token': {
      const [sub, ...args] = rest;
      if (sub !== 'create')
        throw new UsageError('usage: motcua token create --role admin|agency|oversight|gateway [--agency CODE] [--label TEXT]');
      const { values } = parseArgs({ args, options: { role: { type: 'string' }, agency: { type: 'string' }, label: { type: 'string' } } });
      if (!values.role || !(ROLES as readonly string[]).includes(values.role))
        throw new ConfigError(`--role must be one of ${ROLES.join(', ')}`);
      const created = await withContext(config, (ctx) =>
        ctx.tokens.create({
          role: values.role as Role,
          agencyCode: values.agency ?? null,
          ...(values.label ? { label: values.label } : {}),
        }),
      );
      process.stdout.write(`${created.token}\n`);
      return;
    }
    case 'user': {
      const [sub, ...args] = rest;
      const usage =
        'usage: motcua user create --username NAME --role admin|oversight|agency_admin|clerk [--agency CODE] --password PW [--name TEXT]';
      if (sub !== 'create') throw new UsageError(usage);
      const { values } = parseArgs({
        args,
        options: {
          username: { type: 'string' },
          role: { type: 'string' },
          agency: { type: 'string' },
          password: { type: 'string' },
          name: { type: 'string' },
        },
      });
      if (!values.username || !values.role || !values.password) throw new UsageError(usage);
      const user = await withContext(config, async (ctx) => {
        const created = await ctx.accounts.create({
          username: values.username!,
          displayName: values.name ?? values.username!,
          role: values.role!,
          agencyCode: values.agency ?? null,
          password: values.password!,
        });
        const { username, displayName, role, agencyCode } = created;
        await ctx.audit.record(
          { id: null, username: 'cli' },
          { action: 'user.create', entity: 'user', entityId: created.id, after: { username, displayName, role, agencyCode } },
        );
        return created;
      });
      process.stdout.write(`Đã tạo tài khoản ${user.username} (${user.role}${user.agencyCode ? `, ${user.agencyCode}` : ''}).\n`);
      return;
    }
    case 'retention': {
      const { values } = parseArgs({ args: rest, options: { 'as-of': { type: 'string' } } });
      const asOf = values['as-of'] === undefined ? Date.now() : Date.parse(values['as-of']);
      if (!Number.isFinite(asOf)) throw new ConfigError('--as-of must be an ISO 8601 instant, e.g. 2026-12-01T02:00:00+07:00');
      const counts = await withContext(config, async (ctx) => {
        const result = await ctx.retention.run(asOf, ctx.clock.now(), {
          onBatch: (kind, rows) => {
            process.stdout.write(`batch ${kind} ${rows}\n`);
          },
        });
        const at = new Date(asOf).toISOString();
        await ctx.audit.record(
          { ...SYSTEM_ACTOR, username: 'cli' },
          { action: 'privacy.retention', entity: 'privacy', entityId: at, after: { asOf: at, counts: result } },
        );
        return result;
      });
      process.stdout.write(`${JSON.stringify(counts)}\n`);
      return;
    }
    case 'backup': {
      const { positionals } = parseArgs({ args: rest, options: {}, allowPositionals: true });
      if (positionals.length !== 1) throw new UsageError('usage: motcua backup <file>');
      const { file, pages } = await runBackup(config, positionals[0]!);
      process.stdout.write(`Đã sao lưu cơ sở dữ liệu vào ${file} (${pages} pages).\n`);
      return;
    }
    case 'smsc-sim':
      return runSmscSimCommand(rest);
    case 'zalo-sim':
      return runZaloSimCommand(rest);
    default:
      throw new UsageError(`unknown command "${command}"; motcua --help lists the commands`);
  }
}

/** The exit code of a failed command (see USAGE) and what to print: one line, except for a bug. */
function exitFor(error: unknown): { code: number; text: string } {
  const message = (error as Error).message ?? String(error);
  const parseCode = (error as { code?: unknown }).code;
  if (error instanceof UsageError || (typeof parseCode === 'string' && parseCode.startsWith('ERR_PARSE_ARGS')))
    return { code: EXIT.usage, text: message };
  if (error instanceof ConfigError || error instanceof AppError) return { code: EXIT.invalid, text: message };
  if (error instanceof DatabaseOpenError) return { code: EXIT.databaseUnavailable, text: message };
  if (error instanceof DatabaseCheckError) return { code: EXIT.databaseDamaged, text: message };
  const failure = dbFailureOf(error);
  if (failure)
    return { code: EXIT.databaseUnavailable, text: `the database failed: ${failure.message}${failure.code ? ` (${failure.code})` : ''}` };
  return { code: EXIT.unexpected, text: (error as Error).stack ?? String(error) };
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const { code, text } = exitFor(error);
  process.stderr.write(`motcua: ${text}\n`);
  process.exit(code);
});
