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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { TEST_DB, admin, createTestDatabase, seedBasics, startHarness, type Harness } from '../../support/harness.js';
import { waitFor } from '../../support/wait.js';
import {
  countBy,
  killWorker,
  readJournal,
  sessionsGone,
  startWorker,
  stopWorker,
  workerEnv,
  type JournalLine,
} from '../../support/workers.js';

const MESSAGES = 200;
/** Generous: covers tsx start-up on a loaded machine (over 2 minutes seen at load average 30). Nothing asserts on elapsed time. */
const DEADLINE_MS = 300_000;
/** Polls every 5 ms: the kill lands while messages are in flight. */
const POLL = { everyMs: 5, timeoutMs: DEADLINE_MS };
/** The first worker dies once the provider has accepted this many messages: about a quarter of the run. */
const KILL_AFTER = MESSAGES / 4;

const cleanups: Array<() => Promise<void>> = [];

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

const countById = (lines: readonly JournalLine[]) => countBy(lines, (line) => line.id);

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
    await killWorker(first);
    await sessionsGone(h.database, first, DEADLINE_MS);

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
