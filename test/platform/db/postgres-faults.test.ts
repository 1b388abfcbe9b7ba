/**
 * PostgreSQL faults against a private cluster (never the shared server), with real `api` and `worker`
 * processes under a bounded load of dossier intakes and result events (each creating one SMS):
 *  1. the postmaster is SIGKILLed mid-load and started again;
 *  2. every client session is ended by pg_terminate_backend mid-load (twice);
 *  3. the server is frozen (SIGSTOP) and thawed.
 * The processes must survive; requests in flight get 503 DATABASE_UNAVAILABLE (the load retries them, as
 * the one-stop software does); afterwards every notification reaches a final state, none is lost, and
 * duplicates at the provider stay within the dispatcher's in-flight window. Runs in the PostgreSQL suite.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { DEFAULT_DB_TIMEOUTS, parseDatabaseUrl } from '../../../src/platform/config/config.js';
import { openDatabase } from '../../../src/platform/db/database.js';
import { dbFailureOf } from '../../../src/platform/db/failure.js';
import { ADMIN_TOKEN, TEST_DB, seedBasics, startHarness, type Harness } from '../../support/harness.js';
import { privatePostgresSkipReason, startPrivatePostgres, type PrivatePostgres } from '../../support/private-postgres.js';
import { type CliProcess, cleanEnv, http, startCli } from '../../support/cli-process.js';
import { freePort, waitFor } from '../../support/wait.js';

const skip = TEST_DB !== 'postgres' ? 'runs in the PostgreSQL suite (MOTCUA_TEST_DB=postgres)' : privatePostgresSkipReason;
const DOSSIERS = 90;
const CONCURRENCY = 4;
/** The dispatcher's sends in flight at once: the most a lost `sent` update can duplicate. */
const DISPATCH_CONCURRENCY = 10;
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };
const TIMEOUTS = {
  MOTCUA_DB_CONNECT_TIMEOUT_MS: '1000',
  MOTCUA_DB_ACQUIRE_TIMEOUT_MS: '2000',
  MOTCUA_DB_STATEMENT_TIMEOUT_MS: '3000',
  MOTCUA_DB_QUERY_TIMEOUT_MS: '3000',
};

let cluster: PrivatePostgres | null = null;
const processes: CliProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];

describe('PostgreSQL faults on a private cluster', { skip: skip ?? false }, () => {
  before(async () => {
    cluster = await startPrivatePostgres();
  });
  after(async () => {
    cluster?.thaw();
    for (const p of processes) await p.stop(5_000);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await cluster?.stop();
  });

  interface Setup {
    h: Harness;
    api: CliProcess;
    base: string;
    worker: CliProcess | null;
    journal: string;
  }

  async function setUp(name: string, withWorker: boolean): Promise<Setup> {
    const url = await cluster!.createDatabase(`motcua_${name}`);
    const h = await startHarness({
      database: { kind: 'postgres', url, cluster, drop: async () => undefined },
      now: new Date(Date.now() - 10 * 60_000).toISOString(),
    });
    cleanups.push(() => h.close());
    await seedBasics(h, { holdSeconds: 0, quietHours: null });
    const dir = mkdtempSync(join(tmpdir(), `motcua-${name}-`));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const journal = join(dir, 'journal.jsonl');
    const port = await freePort();
    const common = { DATABASE_URL: url, MOTCUA_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'info', ...TIMEOUTS };
    // Readiness answers are reused for 200 ms only, so the frozen-server test sees the freeze at once.
    const api = startCli(
      `${name} api`,
      ['api'],
      cleanEnv({ ...common, PORT: String(port), HOST: '127.0.0.1', MOTCUA_READY_CACHE_MS: '200' }),
    );
    processes.push(api);
    const worker = withWorker
      ? startCli(
          `${name} worker`,
          ['worker'],
          cleanEnv({
            ...common,
            MOTCUA_SANDBOX_DELAY_MS: '50',
            MOTCUA_SANDBOX_JOURNAL: journal,
            MOTCUA_DISPATCH_LEASE_SECONDS: '2',
            MOTCUA_DISPATCH_POLL_MS: '50',
            MOTCUA_DISPATCH_CONCURRENCY: String(DISPATCH_CONCURRENCY),
            MOTCUA_SCHEDULER: 'false',
          }),
        )
      : null;
    if (worker) processes.push(worker);
    const all = worker ? [api, worker] : [api];
    await waitFor(`${name} api to serve`, () => (api.output().includes('MotcuaSMS is serving') ? true : undefined), {
      processes: all,
      timeoutMs: 300_000,
    });
    if (worker)
      await waitFor(`${name} worker to run`, () => (worker.output().includes('MotcuaSMS worker running') ? true : undefined), {
        processes: all,
        timeoutMs: 300_000,
      });
    return { h, api, base: `http://127.0.0.1:${port}`, worker, journal };
  }

  interface LoadResult {
    unavailable: number;
    retryAfterMissing: number;
    other: string[];
  }

  /** Intake then `result_ready` for each dossier, CONCURRENCY at a time; a 503 is retried as a client would. */
  async function load(base: string, prefix: string, onProgress: (done: number) => Promise<void> | void): Promise<LoadResult> {
    const result: LoadResult = { unavailable: 0, retryAfterMissing: 0, other: [] };
    const send = async (what: string, url: string, body: unknown, ok: number[]) => {
      for (let attempt = 0; attempt < 200; attempt++) {
        const res = await http(url, { method: 'POST', headers: AUTH, body, timeoutMs: 15_000 });
        if (ok.includes(res.status)) return;
        if (res.status === 503 && res.json().error?.code === 'DATABASE_UNAVAILABLE') {
          result.unavailable++;
          if (!res.headers.get('retry-after')) result.retryAfterMissing++;
        } else {
          result.other.push(`${what}: ${res.status} after ${Math.round(res.ms)} ms: ${res.body.slice(0, 200)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      result.other.push(`${what}: gave up`);
    };
    let next = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < DOSSIERS) {
          const i = next++;
          const receiptCode = `${prefix}-${String(i).padStart(4, '0')}`;
          await send(
            `intake ${receiptCode}`,
            `${base}/api/v1/dossiers`,
            {
              receiptCode,
              agencyCode: 'STC',
              procedureCode: '1.004227',
              applicant: { name: 'Nguyễn Văn A', phone: `0912 ${String(100_000 + i).slice(-6, -3)} ${String(100_000 + i).slice(-3)}` },
              receivedAt: '2026-11-23T08:15:00+07:00',
            },
            [200, 201],
          );
          await send(
            `event ${receiptCode}`,
            `${base}/api/v1/dossiers/${receiptCode}/events`,
            { type: 'result_ready', eventId: `${receiptCode}-ready` },
            [200],
          );
          done++;
          await onProgress(done);
        }
      }),
    );
    return result;
  }

  /** A query through the test's own pool, retried while its connections are being replaced. */
  async function retrying<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  async function notifications(h: Harness) {
    return retrying(async () =>
      (
        await h.ctx.db.kysely
          .selectFrom('notifications')
          .innerJoin('dossiers', 'dossiers.id', 'notifications.dossier_id')
          .select(['notifications.id', 'notifications.status', 'notifications.kind', 'dossiers.receipt_code'])
          .orderBy('notifications.id')
          .execute()
      ).map((n) => ({ id: n.id, status: n.status, kind: n.kind, receiptCode: n.receipt_code })),
    );
  }

  function journalCounts(path: string): Map<number, number> {
    const counts = new Map<number, number>();
    if (!existsSync(path)) return counts;
    const text = readFileSync(path, 'utf8');
    for (const line of text.slice(0, text.lastIndexOf('\n') + 1).split('\n')) {
      if (!line) continue;
      const id = (JSON.parse(line) as { id: number }).id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  /** Everything completes after the fault: one result message per dossier, all delivered, each at the provider. */
  async function assertCompleted(t: TestContext, s: Setup, prefix: string, loadResult: LoadResult, fault: string) {
    await waitFor(
      'every notification to reach a final state',
      async () => {
        const unfinished = await retrying(() =>
          sql<{ n: string | number }>`select count(*) as n from notifications where status in ('pending', 'sending')`.execute(
            s.h.ctx.db.kysely,
          ),
        );
        return Number(unfinished.rows[0]!.n) === 0 ? true : undefined;
      },
      { processes: [s.api, s.worker!], timeoutMs: 120_000 },
    );
    const rows = (await notifications(s.h)).filter((n) => n.receiptCode.startsWith(prefix));
    assert.equal(loadResult.other.length, 0, `only 503 DATABASE_UNAVAILABLE may fail a request:\n${loadResult.other.join('\n')}`);
    assert.equal(loadResult.retryAfterMissing, 0, 'every 503 carries Retry-After');
    assert.equal(rows.length, DOSSIERS, 'one result message per dossier: none lost, none created twice');
    assert.deepEqual(new Set(rows.map((r) => r.receiptCode)).size, DOSSIERS);
    assert.deepEqual(
      rows.filter((r) => r.status !== 'delivered'),
      [],
      'every notification is delivered',
    );
    const counts = journalCounts(s.journal);
    const missing = rows.filter((r) => !counts.has(r.id));
    assert.deepEqual(missing, [], 'every notification reached the provider');
    const duplicates = [...counts.values()].filter((n) => n > 1).length;
    assert.ok(duplicates <= DISPATCH_CONCURRENCY, `${duplicates} duplicates > the in-flight window (${DISPATCH_CONCURRENCY})`);
    for (const p of [s.api, s.worker!]) {
      assert.ok(p.alive(), `${p.name} survived`);
      assert.doesNotMatch(p.output(), /escaped its handler|Unhandled 'error' event|uncaught exception/i, `${p.name}: nothing escaped`);
    }
    const episodes = (p: CliProcess) => (p.output().match(/"msg":"database unavailable/g) ?? []).length;
    t.diagnostic(
      `${fault}: ${DOSSIERS} dossiers, ${loadResult.unavailable} request(s) answered 503 DATABASE_UNAVAILABLE and retried, 0 other errors; ` +
        `${rows.length} notifications delivered, 0 lost, ${duplicates} duplicate(s) at the provider (window ${DISPATCH_CONCURRENCY}); ` +
        `outage episodes logged: api ${episodes(s.api)}, worker ${episodes(s.worker!)}`,
    );
  }

  /** The root cause of processes dying: a client checked out by Kysely whose connection breaks emitted
   *  'error' with no listener (pg-pool listens to idle clients only). Here a client surely is checked out
   *  at the fault: a transaction between two statements, or a statement running. */
  const activeSessions = async (pattern: string): Promise<number> => {
    const client = new (await import('pg')).default.Client({ connectionString: cluster!.url() });
    await client.connect();
    const { rows } = await client.query(
      `select count(*)::int as n from pg_stat_activity where query like $1 and backend_type = 'client backend'`,
      [pattern],
    );
    await client.end();
    return rows[0].n as number;
  };

  test('a transaction whose session is terminated between statements: rejected as an outage, the process goes on', async () => {
    const url = await cluster!.createDatabase('motcua_checked_out');
    const db = openDatabase(parseDatabaseUrl(url, 2, { ...DEFAULT_DB_TIMEOUTS, connectMs: 1_000, acquireMs: 2_000 }));
    try {
      let terminated!: () => void;
      const killed = new Promise<void>((resolve) => {
        terminated = resolve;
      });
      const tx = db.kysely.transaction().execute(async (trx) => {
        await sql`select 'motcua-checked-out'`.execute(trx);
        await killed;
        await new Promise((resolve) => setTimeout(resolve, 200)); // the FATAL and the socket's end arrive while idle
        await sql`select 1`.execute(trx);
      });
      const rejected = assert.rejects(tx, (error) => {
        assert.equal(dbFailureOf(error)?.kind, 'unavailable', String(error));
        return true;
      });
      await waitFor('the transaction to be open', async () =>
        (await activeSessions("select 'motcua-checked-out'")) > 0 ? true : undefined,
      );
      assert.ok((await cluster!.terminateBackends()) >= 1);
      terminated();
      await rejected;
      assert.deepEqual((await sql<{ n: number }>`select 1 as n`.execute(db.kysely)).rows, [{ n: 1 }]);
    } finally {
      await db.close();
    }
  });

  test('a statement running when the postmaster is killed: rejected as an outage, the process goes on', async () => {
    const url = await cluster!.createDatabase('motcua_running');
    const db = openDatabase(parseDatabaseUrl(url, 2, { ...DEFAULT_DB_TIMEOUTS, connectMs: 1_000, acquireMs: 2_000 }));
    try {
      await sql`select 1`.execute(db.kysely);
      const rejected = assert.rejects(sql`select pg_sleep(20)`.execute(db.kysely), (error) => {
        assert.equal(dbFailureOf(error)?.kind, 'unavailable', String(error));
        return true;
      });
      await waitFor('the statement to run', async () => ((await activeSessions('select pg_sleep%')) > 0 ? true : undefined));
      await cluster!.killPostmaster();
      await rejected;
      assert.equal(db.health.current()?.kind, 'unavailable');
      await cluster!.start();
      await new Promise((resolve) => setTimeout(resolve, 200)); // the broken socket's 'end', the event that used to crash
      await waitFor('the pool to connect again', async () => {
        try {
          await sql`select 1`.execute(db.kysely);
          return true;
        } catch {
          return undefined;
        }
      });
    } finally {
      await db.close();
    }
  });

  test('the postmaster killed mid-load and restarted: processes survive, in-flight requests 503, everything completes', async (t) => {
    const s = await setUp('kill', true);
    let killed = false;
    let down: Promise<void> | null = null;
    const loadResult = await load(s.base, 'KILL', async (done) => {
      if (killed || done < DOSSIERS / 3) return;
      killed = true;
      down = (async () => {
        await cluster!.killPostmaster();
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        await cluster!.start();
      })();
      await down;
    });
    assert.ok(killed);
    assert.ok(loadResult.unavailable > 0, 'requests during the outage were answered 503');
    await assertCompleted(t, s, 'KILL', loadResult, 'postmaster SIGKILL');
  });

  test('every backend terminated (pg_terminate_backend) mid-load, twice: processes survive, everything completes', async (t) => {
    const s = await setUp('term', true);
    const terminated: number[] = [];
    const loadResult = await load(s.base, 'TERM', async (done) => {
      if ((terminated.length === 0 && done >= DOSSIERS / 3) || (terminated.length === 1 && done >= (2 * DOSSIERS) / 3)) {
        terminated.push(-1);
        terminated[terminated.length - 1] = await cluster!.terminateBackends();
      }
    });
    assert.equal(terminated.length, 2);
    assert.ok(
      terminated.every((n) => n > 0),
      `sessions were terminated (${terminated.join(', ')})`,
    );
    await assertCompleted(t, s, 'TERM', loadResult, `pg_terminate_backend of ${terminated.join(' then ')} sessions`);
  });

  test('a frozen server (SIGSTOP): /livez 200, /healthz and /readyz 503 within 2 s, reads 503 within the timeouts; thawed, all is well', async (t) => {
    const s = await setUp('freeze', false);
    const code = 'FREEZE-0001';
    const intake = await http(`${s.base}/api/v1/dossiers`, {
      method: 'POST',
      headers: AUTH,
      body: { receiptCode: code, agencyCode: 'STC', procedureCode: '1.004227', applicant: { name: 'Trần Thị B', phone: '0912345678' } },
    });
    assert.equal(intake.status, 201, intake.body);
    assert.equal((await http(`${s.base}/readyz`)).status, 200);

    cluster!.freeze();
    await new Promise((resolve) => setTimeout(resolve, 300));
    try {
      const rounds: string[] = [];
      for (let round = 1; round <= 2; round++) {
        const [livez, healthz, readyz, read] = await Promise.all([
          http(`${s.base}/livez`, { timeoutMs: 10_000 }),
          http(`${s.base}/healthz`, { timeoutMs: 10_000 }),
          http(`${s.base}/readyz`, { timeoutMs: 10_000 }),
          http(`${s.base}/api/v1/dossiers/${code}`, { headers: AUTH, timeoutMs: 20_000 }),
        ]);
        assert.equal(livez.status, 200, `livez: ${livez.body}`);
        assert.ok(livez.ms < 2_000, `livez took ${livez.ms} ms`);
        for (const [name, res] of [
          ['healthz', healthz],
          ['readyz', readyz],
        ] as const) {
          assert.equal(res.status, 503, `${name}: ${res.status} ${res.body}`);
          assert.equal(res.json().error.code, 'DATABASE_UNAVAILABLE');
          assert.ok(res.ms < 2_000, `${name} took ${Math.round(res.ms)} ms (round ${round})`);
        }
        assert.equal(read.status, 503, `read: ${read.status} ${read.body}`);
        assert.equal(read.json().error.code, 'DATABASE_UNAVAILABLE');
        assert.ok(read.headers.get('retry-after'));
        // acquire 2 s, or connect 1 s, or the query timeout 3 s; plus a loaded machine's slack.
        assert.ok(read.ms < 6_000, `read took ${Math.round(read.ms)} ms`);
        rounds.push(
          `round ${round}: livez ${Math.round(livez.ms)} ms, healthz ${Math.round(healthz.ms)} ms, readyz ${Math.round(readyz.ms)} ms, ` +
            `read 503 (${read.json().error.details?.reason}) in ${Math.round(read.ms)} ms`,
        );
      }
      t.diagnostic(`frozen: ${rounds.join('; ')}`);
    } finally {
      cluster!.thaw();
    }
    const thawed = Date.now();
    await waitFor('readiness after the thaw', async () => ((await http(`${s.base}/readyz`)).status === 200 ? true : undefined), {
      processes: [s.api],
      timeoutMs: 30_000,
    });
    const read = await http(`${s.base}/api/v1/dossiers/${code}`, { headers: AUTH });
    assert.equal(read.status, 200, read.body);
    assert.ok(s.api.alive());
    assert.doesNotMatch(s.api.output(), /escaped its handler/);
    t.diagnostic(`thawed: ready again after ${Date.now() - thawed} ms`);
  });
});
