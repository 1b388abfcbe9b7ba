/**
 * SQLite faults with a real `serve` process:
 *  1. the disk fills up (a small tmpfs): writes get 503 DATABASE_UNAVAILABLE, one SQLITE_FULL line in the
 *     log for the episode (no "cannot rollback" noise), readiness red; space freed: readiness green again
 *     and writes work, without a restart;
 *  2. a page-corrupted file: `motcua check` and `serve --check` exit 5 naming the problem; served anyway,
 *     the damaged table answers 503 (not 500) and readiness goes red.
 * Runs in the SQLite suite; the tmpfs needs root (skipped otherwise outside CI).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { ADMIN_TOKEN, TEST_DB, createTestDatabase, seedBasics, startHarness } from '../../support/harness.js';
import { type CliProcess, cleanEnv, http, runCli, startCli } from '../../support/cli-process.js';
import { freePort, waitFor } from '../../support/wait.js';

const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const skipSqlite = TEST_DB !== 'sqlite' ? 'runs in the SQLite suite' : null;
const skipTmpfs = skipSqlite ?? (!isRoot && process.env.CI !== 'true' ? 'mounting a tmpfs needs root' : null);

const processes: CliProcess[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const p of processes) await p.stop(5_000);
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function serve(name: string, url: string, extra: Record<string, string> = {}): Promise<{ p: CliProcess; base: string }> {
  const port = await freePort();
  const p = startCli(
    name,
    ['serve'],
    cleanEnv({
      DATABASE_URL: url,
      PORT: String(port),
      HOST: '127.0.0.1',
      MOTCUA_ADMIN_TOKEN: ADMIN_TOKEN,
      LOG_LEVEL: 'info',
      MOTCUA_SCHEDULER: 'false',
      MOTCUA_READY_CACHE_MS: '0',
      ...extra,
    }),
  );
  processes.push(p);
  await waitFor(`${name} to serve`, () => (p.output().includes('MotcuaSMS is serving') ? true : undefined), {
    processes: [p],
    timeoutMs: 300_000,
  });
  return { p, base: `http://127.0.0.1:${port}` };
}

const intake = (i: number, prefix: string) => ({
  receiptCode: `${prefix}-${String(i).padStart(5, '0')}`,
  agencyCode: 'STC',
  procedureCode: '1.004227',
  applicant: { name: `Nguyễn Văn ${'A'.repeat(150)} ${i}`, phone: '0912345678' },
  receivedAt: '2026-11-23T08:15:00+07:00',
});

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;
/** Log lines at error level or above that name SQLITE_FULL (the episode's end is an info line naming it too). */
const FULL_ERRORS = /^\{"level":[56]0,.*SQLITE_FULL.*$/gm;

describe('SQLite faults', () => {
  test('a full disk: writes 503, one SQLITE_FULL line, readiness red; space freed: green and writing again, no restart', {
    skip: skipTmpfs ?? false,
  }, async (t) => {
    const mount = mkdtempSync(join(tmpdir(), 'motcua-full-'));
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mount], { encoding: 'utf8' });
    assert.equal(mounted.status, 0, `mount tmpfs: ${mounted.stderr}`);
    cleanups.push(() => {
      for (const p of processes) if (p.alive()) p.child.kill('SIGKILL');
      spawnSync('umount', ['-l', mount]);
      rmSync(mount, { recursive: true, force: true });
    });
    const { p, base } = await serve('full-disk serve', `file:${join(mount, 'motcua.db')}`);
    for (const [url, body] of [
      ['/api/v1/agencies/STC', { name: 'Sở Tài chính', settings: { holdSeconds: 0, quietHours: null } }],
      ['/api/v1/procedures/1.004227', { agencyCode: 'STC', name: 'Thẩm định giá', processingDays: 3 }],
    ] as const) {
      const res = await http(`${base}${url}`, { method: 'PUT', headers: AUTH, body });
      assert.ok(res.status < 300, res.body);
    }
    assert.equal((await http(`${base}/api/v1/dossiers`, { method: 'POST', headers: AUTH, body: intake(0, 'FULL') })).status, 201);

    // Fill the disk.
    const filler = join(mount, 'filler');
    const fd = openSync(filler, 'w');
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (error) {
      assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      closeSync(fd);
    }

    let accepted = 0;
    let first: Awaited<ReturnType<typeof http>> | null = null;
    for (let i = 1; i < 3000 && !first; i++) {
      const res = await http(`${base}/api/v1/dossiers`, { method: 'POST', headers: AUTH, body: intake(i, 'FULL') });
      if (res.status === 201) accepted++;
      else if (res.status === 503) first = res;
      else assert.fail(`write ${i}: ${res.status} ${res.body}`);
    }
    assert.ok(first, 'a write was refused once the disk was full');
    assert.equal(first.json().error.code, 'DATABASE_UNAVAILABLE');
    assert.equal(first.json().error.details.reason, 'disk_full');
    assert.ok(Number(first.headers.get('retry-after')) > 0);
    let refused = 1;
    for (let i = 5000; i < 5020; i++) {
      const res = await http(`${base}/api/v1/dossiers`, { method: 'POST', headers: AUTH, body: intake(i, 'FULL') });
      assert.ok([201, 503].includes(res.status), res.body);
      if (res.status === 503) refused++;
    }
    const ready = await http(`${base}/readyz`);
    assert.equal(ready.status, 503, ready.body);
    assert.match(ready.json().error.details.reason, /disk_full/);
    assert.equal((await http(`${base}/livez`)).status, 200);
    assert.equal((await http(`${base}/api/v1/dossiers/FULL-00000`, { headers: AUTH })).status, 200, 'reads still work');
    assert.equal(count(p.output(), FULL_ERRORS), 1, `one SQLITE_FULL line for the episode:\n${p.output().slice(-4000)}`);
    assert.equal(count(p.output(), /cannot rollback/g), 0, 'no spurious rollback errors');

    unlinkSync(filler);
    const freed = Date.now();
    await waitFor('readiness after space is freed', async () => ((await http(`${base}/readyz`)).status === 200 ? true : undefined), {
      processes: [p],
      timeoutMs: 30_000,
    });
    const recoveredMs = Date.now() - freed;
    const after = await http(`${base}/api/v1/dossiers`, { method: 'POST', headers: AUTH, body: intake(9999, 'FULL') });
    assert.equal(after.status, 201, after.body);
    assert.match(p.output(), /database available again/);
    assert.equal(count(p.output(), FULL_ERRORS), 1);
    assert.ok(p.alive());
    assert.equal((await p.stop()).code, 0, 'clean shutdown');
    t.diagnostic(
      `${accepted} writes fitted after the filler, then ${refused} of 21 refused with 503 (disk_full); 1 SQLITE_FULL log line; ` +
        `ready again ${recoveredMs} ms after the space was freed, same process`,
    );
  });

  test('a page-corrupted file: check exits 5 naming it; served anyway, 503 not 500, readiness red', {
    skip: skipSqlite ?? false,
  }, async (t) => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const h = await startHarness({ database });
    await seedBasics(h);
    for (let i = 0; i < 20; i++) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: AUTH, payload: intake(i, 'CORRUPT') });
      assert.equal(res.statusCode, 201, res.body);
    }
    await h.close();
    const path = database.url.slice('file:'.length);
    const raw = new SQLite(path);
    const pageSize = Number(raw.pragma('page_size', { simple: true }));
    const root = (
      raw.prepare(`select rootpage from sqlite_master where type = 'table' and name = 'dossiers'`).get() as { rootpage: number }
    ).rootpage;
    raw.close();
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xab), 0, pageSize, (root - 1) * pageSize);
    closeSync(fd);

    const env = cleanEnv({ DATABASE_URL: database.url, MOTCUA_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'warn', MOTCUA_SCHEDULER: 'false' });
    const check = await runCli(['check'], env);
    assert.equal(check.code, 5, check.output);
    assert.match(check.stderr, /PRAGMA quick_check found \d+ problem/);
    const guarded = await runCli(['serve', '--check'], env);
    assert.equal(guarded.code, 5, guarded.output);
    assert.doesNotMatch(guarded.output, /MotcuaSMS is serving/);

    const { p, base } = await serve('corrupt serve', database.url);
    const stats = await http(`${base}/api/v1/stats?from=2026-11-01&to=2026-11-30&groupBy=agency`, { headers: AUTH });
    assert.equal(stats.status, 503, stats.body);
    assert.equal(stats.json().error.code, 'DATABASE_UNAVAILABLE');
    assert.equal(stats.json().error.details.reason, 'corrupt');
    const page = await http(`${base}/tra-cuu/CORRUPT-00001`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 503);
    assert.match(page.body, /Hệ thống đang bận/);
    const ready = await http(`${base}/readyz`);
    assert.equal(ready.status, 503, ready.body);
    assert.match(ready.json().error.details.reason, /corrupt/);
    assert.equal(count(p.output(), /"msg":"database unavailable/g), 1, 'one log line for the corruption');
    assert.equal((await p.stop()).code, 0);
    t.diagnostic(`check: exit 5, "${check.stderr.split('\n')[1]?.trim()}"; /stats 503 (corrupt), /tra-cuu 503 page, /readyz 503`);
  });
});
