/**
 * Issue 13 item 6: demo mode is safe by default. `serve --demo` listens on 127.0.0.1 unless HOST is set,
 * shows a DEMO banner on every page, and refuses a provider that would send real SMS.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ConfigError, demoMode, loadConfig } from '../../src/platform/config/config.js';
import { createContext, type AppContext } from '../../src/main/context.js';
import { buildApp, type App } from '../../src/main/app.js';
import { ManualClock } from '../../src/platform/clock.js';
import { createMetrics } from '../../src/platform/metrics.js';
import { ADMIN_TOKEN, createTestDatabase, TEST_DB, type TestDatabase } from '../support/harness.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cleanEnv, runCli, startCli } from '../support/cli-process.js';
import { freePort, waitFor } from '../support/wait.js';

const SMPP = { MOTCUA_SMS_PROVIDER: 'smpp', MOTCUA_SMPP_URL: 'smpp://motcua:secret@127.0.0.1:2775' };

describe('demo mode: configuration', () => {
  test('without HOST the demo listens on 127.0.0.1; an explicit HOST is kept; without --demo nothing changes', () => {
    const plain = loadConfig({});
    assert.equal(plain.demo, false);
    assert.equal(plain.host, '0.0.0.0');
    const demo = demoMode(plain);
    assert.equal(demo.demo, true);
    assert.equal(demo.host, '127.0.0.1');
    assert.ok(Object.isFrozen(demo));
    assert.equal(demoMode(loadConfig({ HOST: '0.0.0.0' })).host, '0.0.0.0');
    assert.equal(demoMode(loadConfig({ HOST: '192.0.2.10' })).host, '192.0.2.10');
  });

  test('--demo with a real SMS provider is refused', () => {
    assert.throws(
      () => demoMode(loadConfig(SMPP)),
      (error: unknown) => error instanceof ConfigError && /--demo runs with the sandbox provider only/.test(error.message),
    );
  });

  test('motcua serve --demo with a real SMS provider: exit 3, one line saying why', async () => {
    const { code, stderr } = await runCli(
      ['serve', '--demo'],
      cleanEnv({ LOG_LEVEL: 'warn', DATABASE_URL: 'file:/nonexistent/never.db', ...SMPP }),
    );
    assert.equal(code, 3, stderr);
    assert.match(stderr, /--demo runs with the sandbox provider only/);
  });
});

describe('demo mode: real processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'motcua-demo-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Starts `serve` with `args` until it serves, stops it, and returns where it listened and what the file holds. */
  const serveOnce = async (args: string[], file: string, extra: Record<string, string> = {}) => {
    const port = await freePort();
    const env = cleanEnv({
      LOG_LEVEL: 'info',
      DATABASE_URL: `file:${file}`,
      PORT: String(port),
      MOTCUA_DISPATCHER: 'false',
      MOTCUA_SCHEDULER: 'false',
      ...extra,
    });
    const serve = startCli(`serve ${args.join(' ')}`, ['serve', ...args], env);
    try {
      const address = await waitFor('the listener', () => /"address":"([^"]+)"/.exec(serve.output())?.[1], {
        processes: [serve],
        timeoutMs: 240_000,
      });
      return { address, port };
    } finally {
      await serve.stop();
    }
  };
  const count = (file: string, table: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  test('serve without --demo creates no demo account and no demo data; serve --demo listens on 127.0.0.1 only', async () => {
    const real = join(dir, 'real.db');
    await serveOnce([], real);
    assert.equal(count(real, 'web_users'), 0, 'no demo account');
    assert.equal(count(real, 'agencies'), 0, 'no demo agency');
    assert.equal(count(real, 'dossiers'), 0, 'no demo dossier');

    const demo = join(dir, 'demo.db');
    const { address, port } = await serveOnce(['--demo'], demo);
    assert.equal(address, `http://127.0.0.1:${port}`);
    assert.ok(count(demo, 'web_users') > 0, 'the demo has its accounts');
  });
});

describe(`demo mode: the DEMO banner (${TEST_DB})`, () => {
  let database: TestDatabase;
  const apps: Array<{ ctx: AppContext; app: App }> = [];
  const start = async (demo: boolean) => {
    const config = loadConfig({
      DATABASE_URL: database.url,
      MOTCUA_ADMIN_TOKEN: ADMIN_TOKEN,
      LOG_LEVEL: 'silent',
      MOTCUA_DISPATCHER: 'false',
      MOTCUA_SCHEDULER: 'false',
    });
    const ctx = await createContext(demo ? demoMode(config) : config, {
      clock: new ManualClock(Date.parse('2026-11-23T09:00:00+07:00')),
      logger: pino({ level: 'silent' }),
      metrics: createMetrics({ defaultMetrics: false }),
      cacheMs: 0,
    });
    const app = await buildApp(ctx);
    await app.ready();
    apps.push({ ctx, app });
    return app;
  };

  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    for (const { app, ctx } of apps) {
      await app.close();
      await ctx.close();
    }
    await database.drop();
  });

  test('every page of a demo shows the banner, in the page language; a real install shows none', async () => {
    const demo = await start(true);
    for (const url of ['/dang-nhap', '/dang-nhap?lang=en', '/tra-cuu']) {
      const res = await demo.inject({ method: 'GET', url });
      assert.match(String(res.headers['content-type']), /^text\/html/, url);
      assert.match(res.body, /<body[^>]*>\s*<p class="demo-banner" role="note"/, `${url}: the banner opens the page`);
    }
    assert.match((await demo.inject({ method: 'GET', url: '/dang-nhap' })).body, /DEMO — bản chạy thử/);
    assert.match((await demo.inject({ method: 'GET', url: '/dang-nhap?lang=en' })).body, /DEMO — a trial run/);
    const api = await demo.inject({ method: 'GET', url: '/api/v1/agencies', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.doesNotMatch(api.body, /demo-banner/, 'JSON answers are untouched');

    const real = await start(false);
    assert.doesNotMatch((await real.inject({ method: 'GET', url: '/dang-nhap' })).body, /demo-banner/);
  });
});
