#!/usr/bin/env node
/**
 * `motcua <command>`: one entry for every process kind.
 *   serve [--demo]   API + dispatcher + scheduler in one process (the embedded default, "all")
 *   api              HTTP API only (run several behind a load balancer on PostgreSQL)
 *   worker           dispatcher + scheduler only
 *   migrate          apply database migrations and exit
 *   demo [--count N] load the demo agencies, procedures and dossiers (idempotent)
 *   token create --role admin|agency|oversight|gateway [--agency CODE] [--label TEXT]
 *   user create --username NAME --role admin|oversight|agency_admin|clerk [--agency CODE] --password PW [--name TEXT]
 *   smsc-sim [--port 2775] [--control-port 2776] …   SMPP SMSC simulator for development, tests and demos
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../platform/config/config.js';
import { createContext, type AppContext } from './context.js';
import { buildApp } from './app.js';
import { ROLES, type Role } from '../platform/principal.js';
import { loadDemoData } from './demo/demo.data.js';
import { AppError } from '../platform/errors.js';
import { demoLoginText } from './demo/demo.accounts.js';
import { runSmscSimCommand } from './smsc-sim.command.js';

type ProcessKind = 'all' | 'api' | 'worker';

async function serve(config: Config, kind: ProcessKind, demo: boolean): Promise<void> {
  const ctx = await createContext(config);
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
      ctx.callbackWorker.start();
    }
    if (config.scheduler.enabled) ctx.scheduler.start();
  }
  if (app) {
    const address = await app.listen({ port: config.port, host: config.host });
    ctx.logger.info({ address, kind, database: config.database.dialect, docs: `${address}/docs` }, 'MotcuaSMS is serving');
  } else {
    ctx.logger.info({ kind, database: config.database.dialect }, 'MotcuaSMS worker running');
  }
  installShutdown(ctx, async () => app?.close());
}

function installShutdown(ctx: AppContext, closeHttp: () => Promise<unknown>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
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
  const config = loadConfig(process.env);
  switch (command) {
    case 'serve':
    case 'all': {
      const { values } = parseArgs({ args: rest, options: { demo: { type: 'boolean', default: false } } });
      return serve(config, 'all', values.demo === true);
    }
    case 'api':
      return serve(config, 'api', false);
    case 'worker':
      return serve(config, 'worker', false);
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
        throw new ConfigError('usage: motcua token create --role admin|agency|oversight|gateway [--agency CODE] [--label TEXT]');
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
      if (sub !== 'create') throw new ConfigError(usage);
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
      if (!values.username || !values.role || !values.password) throw new ConfigError(usage);
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
    case 'smsc-sim':
      return runSmscSimCommand(rest);
    default:
      throw new ConfigError(`unknown command "${command}"; use serve, api, worker, migrate, demo, token create or user create`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof AppError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    process.stderr.write(`motcua: ${(error as Error).message}\n`);
  } else {
    process.stderr.write(`motcua: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
