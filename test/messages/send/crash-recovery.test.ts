/**
 * Crash recovery of the dispatcher, with real worker processes against a real database:
 *  1. a worker is killed (SIGKILL) mid-dispatch against a slow provider, another one is started, and every
 *     message still reaches the "SMSC" (the sandbox journal); duplicates are counted and must stay inside the
 *     documented window (accepted by the provider, `sent` update not yet committed);
 *  2. two workers run at once over one database (two processes on one WAL file on SQLite) and send nothing twice;
 *  3. the same when a claimed batch takes longer than its lease and the other worker takes part of it over.
 */
import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import {
  ADMIN_TOKEN,
  TEST_DB,
  admin,
  createTestDatabase,
  seedBasics,
  startHarness,
  type Harness,
  type TestDatabase,
} from '../../support/harness.js';
import { sessionsEnded, withSessionName } from '../../support/database.js';
import { waitFor } from '../../support/wait.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MESSAGES = 200;
/** Generous: covers tsx start-up on a loaded machine (over 2 minutes seen at load average 30). Nothing asserts on elapsed time. */
const DEADLINE_MS = 300_000;
/** Polls every 5 ms: the kill lands while messages are in flight. */
const POLL = { everyMs: 5, timeoutMs: DEADLINE_MS };
/** The first worker dies once the provider has accepted this many messages: about a quarter of the run. */
const KILL_AFTER = MESSAGES / 4;

interface JournalLine {
  id: number;
  to: string;
  kind: string;
  providerMessageId: string;
}

interface Worker {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

const workers = new Set<Worker>();
const cleanups: Array<() => Promise<void>> = [];

after(async () => {
  for (const worker of workers) {
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await worker.exited;
  }
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

function workerEnv(database: TestDatabase, journal: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Nothing of the test runner's or the test's own configuration leaks into the worker.
  for (const key of Object.keys(env)) {
    if (key.startsWith('MOTCUA_') || key.startsWith('NODE_TEST') || key === 'DATABASE_URL' || key === 'LOG_LEVEL') delete env[key];
  }
  return {
    ...env,
    DATABASE_URL: database.url,
    MOTCUA_ADMIN_TOKEN: ADMIN_TOKEN,
    MOTCUA_SANDBOX_DELAY_MS: '200',
    MOTCUA_SANDBOX_JOURNAL: journal,
    MOTCUA_DISPATCH_LEASE_SECONDS: '2',
    MOTCUA_DISPATCH_POLL_MS: '50',
    MOTCUA_SCHEDULER: 'false',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** On PostgreSQL the worker's sessions carry its name, so the test can tell when they are gone. */
function startWorker(name: string, env: NodeJS.ProcessEnv, database: TestDatabase): Worker {
  env = { ...env, DATABASE_URL: withSessionName(database, env.DATABASE_URL!, applicationName(name)) };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/cli.ts', 'worker'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const collect = (chunk: Buffer) => {
    log += chunk.toString('utf8');
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const worker: Worker = { name, child, exited, output: () => log };
  workers.add(worker);
  return worker;
}

function applicationName(workerName: string): string {
  return `motcua-test-${workerName.replace(/\W+/g, '-')}`;
}

/** What was in flight at the kill is known once every session of the dead worker has ended (database.ts). */
const sessionsGone = (h: Harness, worker: Worker) => sessionsEnded(h.database, applicationName(worker.name), DEADLINE_MS);

async function stopWorker(worker: Worker): Promise<void> {
  worker.child.kill('SIGTERM');
  const { code, signal } = await worker.exited;
  assert.equal(code, 0, `${worker.name} should shut down cleanly on SIGTERM (signal ${signal})\n${worker.output()}`);
}

/** Complete lines only: a line being appended while the test reads is not counted yet. */
function readJournal(path: string): JournalLine[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as JournalLine);
}

function countById(lines: readonly JournalLine[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const line of lines) counts.set(line.id, (counts.get(line.id) ?? 0) + 1);
  return counts;
}

interface NotificationState {
  id: number;
  status: string;
  attempts: number;
}

async function notificationStates(h: Harness): Promise<NotificationState[]> {
  const rows = await h.ctx.db.kysely.selectFrom('notifications').select(['id', 'status', 'attempts']).orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, status: r.status, attempts: r.attempts }));
}

async function unfinished(h: Harness): Promise<number> {
  const row = await sql<{ n: number | string }>`select count(*) as n from notifications where status in ('pending', 'sending')`.execute(
    h.ctx.db.kysely,
  );
  return Number(row.rows[0]!.n);
}

/** Reference data, then dossiers whose `result_ready` event each creates one SMS due at once. */
async function seedDossiers(h: Harness, prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const receiptCode = `${prefix}-${String(i).padStart(4, '0')}`;
    const phone = `0912 ${String(100_000 + i).slice(-6, -3)} ${String(100_000 + i).slice(-3)}`;
    const intake = await h.app.inject({
      method: 'POST',
      url: '/api/v1/dossiers',
      headers: admin,
      payload: { receiptCode, agencyCode: 'STC', procedureCode: '1.004227', applicant: { name: 'Nguyễn Văn A', phone } },
    });
    assert.equal(intake.statusCode, 201, intake.body);
    const event = await h.app.inject({
      method: 'POST',
      url: `/api/v1/dossiers/${receiptCode}/events`,
      headers: admin,
      payload: { type: 'result_ready' },
    });
    assert.equal(event.statusCode, 200, event.body);
  }
}

async function setUp(name: string): Promise<{ h: Harness; journal: string }> {
  const database = await createTestDatabase();
  cleanups.push(() => database.drop());
  // Business time a little in the past of the wall clock the workers use, so every message is due for them.
  const h = await startHarness({ database, now: new Date(Date.now() - 10 * 60_000).toISOString() });
  cleanups.push(() => h.close());
  await seedBasics(h, { holdSeconds: 0, quietHours: null });
  const dir = mkdtempSync(join(tmpdir(), `motcua-${name}-`));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return { h, journal: join(dir, 'journal.jsonl') };
}

describe(`crash recovery of the dispatcher (${TEST_DB})`, () => {
  test('a worker killed mid-dispatch against a slow provider: a new one delivers everything, duplicates only from the crash window', async (t: TestContext) => {
    const { h, journal } = await setUp('crash');
    await seedDossiers(h, 'CRASH', MESSAGES);
    const created = await notificationStates(h);
    assert.equal(created.length, MESSAGES);
    assert.ok(created.every((n) => n.status === 'pending' && n.attempts === 0));
    const allIds = created.map((n) => n.id);

    const env = workerEnv(h.database, journal);
    const first = startWorker('worker 1', env, h.database);
    await waitFor(`${KILL_AFTER} messages in the journal`, () => (readJournal(journal).length >= KILL_AFTER ? true : undefined), {
      ...POLL,
      processes: [first],
    });
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');
    await sessionsGone(h, first);

    const journalAtKill = readJournal(journal);
    const statesAtKill = await notificationStates(h);
    const sendingAtKill = new Set(statesAtKill.filter((n) => n.status === 'sending').map((n) => n.id));
    const finishedAtKill = statesAtKill.filter((n) => n.status === 'delivered').map((n) => n.id);
    const journaledAtKill = new Set(journalAtKill.map((l) => l.id));
    assert.ok(
      journalAtKill.length > 0 && journalAtKill.length < MESSAGES,
      `killed mid-dispatch (${journalAtKill.length} of ${MESSAGES} sent)`,
    );
    assert.ok(sendingAtKill.size > 0, 'some messages are stuck in sending after the kill');
    assert.equal(journalAtKill.length, journaledAtKill.size, 'no duplicate before the crash');
    for (const id of finishedAtKill)
      assert.ok(journaledAtKill.has(id), `message ${id} is delivered in the database but the provider never saw it`);
    assert.ok(statesAtKill.every((n) => ['pending', 'sending', 'delivered'].includes(n.status)));
    // The crash window: accepted by the provider, `delivered` not committed. These, and only these, go out twice.
    const window = [...sendingAtKill].filter((id) => journaledAtKill.has(id)).sort((a, b) => a - b);

    const second = startWorker('worker 2', env, h.database);
    await waitFor('every message to leave pending/sending', async () => ((await unfinished(h)) === 0 ? true : undefined), {
      ...POLL,
      processes: [second],
    });
    await stopWorker(second);

    const final = await notificationStates(h);
    assert.deepEqual(
      final.filter((n) => n.status !== 'delivered'),
      [],
      'every notification is delivered',
    );
    const lines = readJournal(journal);
    const counts = countById(lines);
    assert.deepEqual(
      [...counts.keys()].sort((a, b) => a - b),
      allIds,
      'every notification reached the provider',
    );
    const duplicates = [...counts]
      .filter(([, n]) => n > 1)
      .map(([id]) => id)
      .sort((a, b) => a - b);
    assert.ok(
      [...counts.values()].every((n) => n <= 2),
      'no message went out more than twice',
    );
    assert.ok(duplicates.length <= sendingAtKill.size, `${duplicates.length} duplicates > ${sendingAtKill.size} in flight at the kill`);
    for (const id of duplicates) assert.ok(sendingAtKill.has(id), `duplicate ${id} was not in flight at the kill`);
    assert.deepEqual(duplicates, window, 'exactly the messages accepted but not yet marked delivered at the kill went out twice');
    // Re-claimed rows carry a second attempt; rows finished before the kill were never claimed again.
    for (const n of final) assert.equal(n.attempts, sendingAtKill.has(n.id) ? 2 : 1, `attempts of message ${n.id}`);

    t.diagnostic(
      `${TEST_DB}: killed after ${journalAtKill.length}/${MESSAGES} accepted, ${finishedAtKill.length} marked delivered, ` +
        `${sendingAtKill.size} in flight (sending); ${duplicates.length} duplicate(s) of ${lines.length} journal lines`,
    );
  });

  test('two workers at once over one database send every message exactly once', async (t: TestContext) => {
    const { h, journal } = await setUp('pair');
    // Info level only to see when each worker is up, so that both are polling before the first message exists.
    const env = workerEnv(h.database, journal, { LOG_LEVEL: 'info' });
    const pair = [startWorker('worker A', env, h.database), startWorker('worker B', env, h.database)];
    for (const worker of pair) {
      await waitFor(`${worker.name} to start`, () => (worker.output().includes('MotcuaSMS worker running') ? true : undefined), {
        ...POLL,
        processes: pair,
      });
    }
    await seedDossiers(h, 'PAIR', MESSAGES);
    const allIds = (await notificationStates(h)).map((n) => n.id);
    assert.equal(allIds.length, MESSAGES);

    await waitFor('every message to leave pending/sending', async () => ((await unfinished(h)) === 0 ? true : undefined), {
      ...POLL,
      processes: pair,
    });
    for (const worker of pair) await stopWorker(worker);

    const lines = readJournal(journal);
    const counts = countById(lines);
    const duplicates = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    assert.deepEqual(duplicates, [], 'no message went out twice');
    assert.deepEqual(
      [...counts.keys()].sort((a, b) => a - b),
      allIds,
      'every notification reached the provider',
    );
    assert.equal(lines.length, MESSAGES);
    const final = await notificationStates(h);
    assert.deepEqual(
      final.filter((n) => n.status !== 'delivered'),
      [],
      'every notification is delivered',
    );

    const byWorker = pair.map((w) => lines.filter((l) => l.providerMessageId.startsWith(`sandbox-${w.child.pid}-`)).length);
    assert.ok(
      byWorker.every((n) => n > 0),
      `both workers sent messages (${byWorker.join(' + ')})`,
    );
    const reclaimed = final.filter((n) => n.attempts > 1).length;
    t.diagnostic(
      `${TEST_DB}: ${lines.length} journal lines, 0 duplicates; sent by worker A/B: ${byWorker.join('/')}; ${reclaimed} re-claimed after a lease ran out`,
    );
  });

  test('a batch that outlives its lease: the other worker takes over the rest, nothing goes out twice', async (t: TestContext) => {
    const { h, journal } = await setUp('lease');
    await seedDossiers(h, 'LEASE', MESSAGES);
    const allIds = (await notificationStates(h)).map((n) => n.id);
    // The first claim takes every row; 5 sends at a time of 200 ms each need 8 s, the lease is 2 s, and the
    // other worker re-claims what is still waiting when the lease runs out. A row must not also be sent by
    // the worker whose lease ran out while the row waited for its turn.
    const env = workerEnv(h.database, journal, { MOTCUA_DISPATCH_CONCURRENCY: '5', MOTCUA_DISPATCH_BATCH: String(MESSAGES) });
    const pair = [startWorker('lease worker A', env, h.database), startWorker('lease worker B', env, h.database)];
    await waitFor('every message to leave pending/sending', async () => ((await unfinished(h)) === 0 ? true : undefined), {
      ...POLL,
      processes: pair,
    });
    for (const worker of pair) await stopWorker(worker);

    const lines = readJournal(journal);
    const counts = countById(lines);
    assert.deepEqual(
      [...counts].filter(([, n]) => n > 1).map(([id]) => id),
      [],
      'no message went out twice',
    );
    assert.deepEqual(
      [...counts.keys()].sort((a, b) => a - b),
      allIds,
      'every notification reached the provider',
    );
    assert.deepEqual(
      (await notificationStates(h)).filter((n) => n.status !== 'delivered'),
      [],
      'every notification is delivered',
    );
    const skipped = pair.reduce((sum, w) => sum + (w.output().match(/lease lost before sending/g)?.length ?? 0), 0);
    const reclaimed = (await notificationStates(h)).filter((n) => n.attempts > 1).length;
    t.diagnostic(
      `${TEST_DB}: ${lines.length} journal lines, 0 duplicates; ${reclaimed} row(s) re-claimed, ${skipped} left by the worker that lost the lease`,
    );
  });
});
