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

/** A fresh database per run: the tests' factory (test/support/database.ts), named `motcua_bench_…`. */
export const createBenchDatabase = (kind: BenchDb): Promise<BenchDatabase> => createTestDatabase({ kind, prefix: 'bench' });

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

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${message}\n`);
}

/**
 * BENCH_CPU_PROF=<dir>: a V8 CPU profile of this process over the timed part only (setup excluded), written
 * as <dir>/<label>.cpuprofile. The profiler slows everything down: figures of such a run are not the bench's.
 */
export async function profiled<T>(label: string, work: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    const file = join(dir, `${label}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    log(`CPU profile of ${label}: ${file}`);
  }
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
