/**
 * Shared pieces of the benchmarks: a fresh database per run (the tests' factory, test/support/database.ts:
 * a SQLite file in a temp directory, or a PostgreSQL database created on MOTCUA_PG_URL and dropped
 * afterwards), the reference data every run needs, and the table printer.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { loadConfig, type Config } from '../src/platform/config/config.js';
import { createContext, type AppContext } from '../src/main/context.js';
import { createMetrics } from '../src/platform/metrics.js';
import type { Principal } from '../src/platform/principal.js';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from '../test/support/database.js';

export { sleep } from '../test/support/wait.js';

export type BenchDb = DatabaseKind;

export const ADMIN_TOKEN = 'bench-admin-token-0123456789';
export const ADMIN: Principal = { role: 'admin', agencyCode: null, tokenId: null };

export const AGENCY = 'BENCH';
export const PROCEDURE = 'BENCH.001';

export type BenchDatabase = TestDatabase;

/** A fresh database per run: the tests' factory (test/support/database.ts), named `motcua_bench_…`;
 *  `server: 'private'` puts a PostgreSQL one on a cluster of its own, which the benchmark may restart. */
export const createBenchDatabase = (kind: BenchDb, server: 'shared' | 'private' = 'shared'): Promise<BenchDatabase> =>
  createTestDatabase({ kind, prefix: 'bench', server });

/** The configuration of a benchmark process: production defaults, quiet logs, no scheduler. */
export function benchConfig(url: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    DATABASE_URL: url,
    MOTCUA_ADMIN_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    MOTCUA_SCHEDULER: 'false',
    HOST: '127.0.0.1',
    PORT: '0',
    ...env,
  });
}

export async function benchContext(config: Config): Promise<AppContext> {
  return createContext(config, {
    logger: pino({ level: process.env.BENCH_LOG ?? 'silent' }),
    metrics: createMetrics({ defaultMetrics: false }),
  });
}

/** One agency that sends at once (no hold, no quiet hours) and one 5-working-day procedure. */
export async function seedReference(ctx: AppContext): Promise<void> {
  const now = ctx.clock.now();
  await ctx.agencies.put(AGENCY, 'Sở Thử tải', { holdSeconds: 0, quietHours: null }, now);
  await ctx.procedures.put(ADMIN, PROCEDURE, { agencyCode: AGENCY, name: 'Đăng ký biến động quyền sử dụng đất', processingDays: 5 }, now);
}

/** A valid Viettel mobile number, distinct per n (up to 10 million). */
export function phoneFor(n: number): string {
  return `098${String(n % 10_000_000).padStart(7, '0')}`;
}

export interface Row {
  [column: string]: string | number | boolean | null;
}

export function printTable(title: string, rows: Row[]): void {
  if (rows.length === 0) return;
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: Row[string] | undefined) => (v === undefined || v === null ? '—' : typeof v === 'number' ? formatNumber(v) : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  process.stdout.write(`\n${title}\n`);
  process.stdout.write(`${line(columns)}\n`);
  process.stdout.write(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`);
  for (const row of rows) process.stdout.write(`${line(columns.map((c) => cell(row[c])))}\n`);
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

export const round = (v: number, digits = 2): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** CPU time (user + system) and resident memory of this process at one moment. A benchmark whose product
 *  runs in a child process asks the child for it over IPC, so the load driver's CPU is not counted. */
export interface Usage {
  readonly cpuMicros: number;
  readonly rssBytes: number;
}

export function usageNow(): Usage {
  const cpu = process.cpuUsage();
  return { cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage().rss };
}

export const mb = (bytes: number): number => round(bytes / 1_048_576, 1);

/** The figures every benchmark prints beside its own: CPU seconds of the product process per 1,000
 *  operations between two readings, and its RSS at each (steadier than a rate on a shared machine). */
export interface ResourceFigures {
  readonly cpuSPer1000: number | null;
  readonly rssBeforeMb: number;
  readonly rssAfterMb: number;
}

export function resourceFigures(before: Usage, after: Usage, operations: number): ResourceFigures {
  return {
    cpuSPer1000: operations > 0 ? round(((after.cpuMicros - before.cpuMicros) / 1e6 / operations) * 1000, 3) : null,
    rssBeforeMb: mb(before.rssBytes),
    rssAfterMb: mb(after.rssBytes),
  };
}

/** The table columns of ResourceFigures, the same in every table. */
export function resourceColumns(r: ResourceFigures): Row {
  return { 'CPU s / 1000': r.cpuSPer1000, 'RSS before MB': r.rssBeforeMb, 'RSS after MB': r.rssAfterMb };
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${message}\n`);
}

/**
 * BENCH_CPU_PROF=<dir>: starts a V8 CPU profile of this process (of the measured part only, not the
 * start-up); the function returned stops it and writes <dir>/<label>.cpuprofile (open it in Chrome
 * DevTools). Without BENCH_CPU_PROF it does nothing. The profiler slows everything down: figures of
 * such a run are not the bench's.
 */
export async function startCpuProfile(label: string): Promise<() => Promise<void>> {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    const file = join(dir, `${label}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    log(`CPU profile of ${label}: ${file}`);
  };
}

/** One INSERT … SELECT of `total` dossiers coded `000.00.88.H34-0000001` …, one in five at result_ready. */
export async function bulkInsertDossiers(ctx: AppContext, total: number): Promise<void> {
  const pgsql = ctx.db.dialect === 'postgres';
  const pad = (expr: string) => (pgsql ? `lpad((${expr})::text, 7, '0')` : `printf('%07d', ${expr})`);
  const now = Date.now();
  const select = `select '000.00.88.H34-' || ${pad('i')}, '000.00.88.H34-' || ${pad('i')}, '${AGENCY}', '${PROCEDURE}', 'Lê Văn Thử',
    '098' || ${pad('i')}, '+8498' || ${pad('i')}, 'viettel', null, null, 'counter',
    case when i % 5 = 0 then 'result_ready' else 'in_progress' end, 'Thẩm định hồ sơ',
    ${now} - 86400000 * 3, ${now} + 86400000 * (i % 9 - 3), null, null, null, 'bench', 1, ${now}, ${now}`;
  const columns = `receipt_code, receipt_key, agency_code, procedure_code, applicant_name, phone_input, phone_e164, phone_carrier,
    phone_problem, email, return_method, state, step, received_at, due_at, paused_at, finished_at, returned_at, intake_hash,
    event_count, created_at, updated_at`;
  await sql
    .raw(
      pgsql
        ? `insert into dossiers (${columns}) ${select} from generate_series(1, ${total}) as s(i)`
        : `insert into dossiers (${columns}) with recursive s(i) as (select 1 union all select i + 1 from s where i < ${total}) ${select} from s`,
    )
    .execute(ctx.db.kysely);
  await sql.raw('analyze').execute(ctx.db.kysely);
}
