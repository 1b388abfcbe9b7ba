/**
 * A real database per test file: a fresh SQLite file, or (MOTCUA_TEST_DB=postgres) a fresh PostgreSQL
 * database created on the server at MOTCUA_PG_URL and dropped afterwards. No storage is mocked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from '../../src/platform/config/config.js';
import { createContext, type AppContext } from '../../src/main/context.js';
import { buildApp, type App } from '../../src/main/app.js';
import { ManualClock } from '../../src/platform/clock.js';
import { createMetrics } from '../../src/platform/metrics.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const TEST_DB = process.env.MOTCUA_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
const PG_URL = process.env.MOTCUA_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_DB === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'motcua-test-'));
    return { url: `file:${join(dir, 'test.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `motcua_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      // pg's pool resolves end() before its sockets are gone: wait for them, so the forced drop
      // does not kill a connection this process is still closing.
      for (let i = 0; i < 100; i++) {
        const { rows } = await client.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1', [name]);
        if (Number(rows[0]?.n ?? 0) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

export interface Harness {
  ctx: AppContext;
  app: App;
  clock: ManualClock;
  config: Config;
  database: TestDatabase;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Business time the test starts at. */
  now?: string;
  database?: TestDatabase;
  /** The app's logger (default: silent, or MOTCUA_TEST_LOG's level). */
  logger?: Logger;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    DATABASE_URL: database.url,
    MOTCUA_ADMIN_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    MOTCUA_DISPATCHER: 'false',
    MOTCUA_SCHEDULER: 'false',
    ...options.env,
  });
  const clock = new ManualClock(Date.parse(options.now ?? '2026-11-23T09:00:00+07:00'));
  const ctx = await createContext(config, {
    clock,
    logger: options.logger ?? pino({ level: process.env.MOTCUA_TEST_LOG ?? 'silent' }),
    metrics: createMetrics({ defaultMetrics: false }),
    cacheMs: 0,
  });
  const app = await buildApp(ctx);
  await app.ready();
  return {
    ctx,
    app,
    clock,
    config,
    database,
    async close() {
      await app.close();
      await ctx.close();
      if (!options.database) await database.drop();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const admin = bearer(ADMIN_TOKEN);

/** Reference data most tests need: one agency with no hold, procedures of 3 working days and same-day. */
export async function seedBasics(h: Harness, settings: Record<string, unknown> = { holdSeconds: 0, quietHours: null }): Promise<void> {
  const put = async (url: string, payload: unknown) => {
    const res = await h.app.inject({ method: 'PUT', url, headers: admin, payload: payload as object });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  };
  await put('/api/v1/agencies/STC', { name: 'Sở Tài chính', settings });
  await put('/api/v1/agencies/STP', { name: 'Sở Tư pháp', settings });
  await put('/api/v1/procedures/1.004227', { agencyCode: 'STC', name: 'Thẩm định giá', processingDays: 3 });
  await put('/api/v1/procedures/SAME-DAY', { agencyCode: 'STC', name: 'Chứng thực bản sao', processingDays: 0 });
  await put('/api/v1/procedures/2.000488', { agencyCode: 'STP', name: 'Cấp Phiếu lý lịch tư pháp', processingDays: 10 });
}

export function intakeBody(overrides: Record<string, unknown> = {}) {
  return {
    receiptCode: '000.00.15.H34-261123-0001',
    agencyCode: 'STC',
    procedureCode: '1.004227',
    applicant: { name: 'Nguyễn Văn A', phone: '0912 345 678', email: 'a@example.vn' },
    receivedAt: '2026-11-23T08:15:00+07:00',
    ...overrides,
  };
}
