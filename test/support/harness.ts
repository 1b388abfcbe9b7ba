/**
 * The app under test on a real database per test file (database.ts: a fresh SQLite file, or with
 * MOTCUA_TEST_DB=postgres a fresh PostgreSQL database, dropped afterwards). No storage is mocked.
 */
import assert from 'node:assert/strict';
import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from '../../src/platform/config/config.js';
import { createContext, type AppContext } from '../../src/main/context.js';
import { buildApp, type App } from '../../src/main/app.js';
import { ManualClock } from '../../src/platform/clock.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export { createTestDatabase, TEST_DB, type TestDatabase } from './database.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

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
  /** Changes the parsed configuration before the app is built (the demo's own additions, say). */
  configure?: (config: Config) => Config | Promise<Config>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const database = options.database ?? (await createTestDatabase());
  const parsed = loadConfig({
    DATABASE_URL: database.url,
    MOTCUA_ADMIN_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    MOTCUA_DISPATCHER: 'false',
    MOTCUA_SCHEDULER: 'false',
    ...options.env,
  });
  const config = options.configure ? await options.configure(parsed) : parsed;
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

/** Receives dossier `000.00.15.H34-261123-<serial>` (STC, from seedBasics; `applicant` replaces the
 *  default one) and moves it to its result; resolves with the result_ready message's id. */
export async function dossierWithResult(h: Harness, serial: number, applicant?: { name: string; phone: string }): Promise<number> {
  const code = `000.00.15.H34-261123-${String(serial).padStart(4, '0')}`;
  await intakeDossier(h, { receiptCode: code, ...(applicant ? { applicant } : {}) });
  return (await resultReadyEvent(h, code)).find((n) => n.kind === 'result_ready')!.id;
}

/** An intake through the API (`intakeBody` with `overrides`), which must be accepted (201). */
export async function intakeDossier(h: Harness, overrides: Record<string, unknown> = {}): Promise<void> {
  const res = await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: admin, payload: intakeBody(overrides) });
  assert.equal(res.statusCode, 201, res.body);
}

/** A notification as the event's answer lists it. */
export interface EventNotification {
  id: number;
  kind: string;
  channel: string;
  body: string;
  segments: number;
  costVnd: number;
}

/** `result_ready` on the dossier through the API (200); the notifications it created. */
export async function resultReadyEvent(h: Harness, code: string): Promise<EventNotification[]> {
  const res = await h.app.inject({
    method: 'POST',
    url: `/api/v1/dossiers/${code}/events`,
    headers: admin,
    payload: { type: 'result_ready' },
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().notifications as EventNotification[];
}
