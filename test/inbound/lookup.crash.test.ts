/**
 * Crash test of the look-up loop's fast path (issue 14), with a real worker process bound to the SMSC
 * simulator (this process) and a real database: `MCKH <code>` MOs arrive with many in flight, the worker
 * is killed (SIGKILL) mid-loop while MOs are being committed and their replies handed straight to the
 * sender, then a new worker is started and everything settles. Then:
 *  - every MO the SMSC got a deliver_sm_resp (ESME_ROK) for is stored exactly once: none is lost once
 *    acknowledged (an MO in flight at the kill, never answered, is stored at most once; a real SMSC
 *    would deliver it again);
 *  - every stored MO has exactly one reply row, and every reply reached the SMSC;
 *  - the replies submitted twice (the simulator's per-message submit log) are exactly those whose
 *    submit_sm the SMSC had accepted while the row was still `sending` at the kill: the responses lost
 *    in the crash (accepted, `sent` not committed). No other reply goes out twice.
 */
import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startSmscSimulator, type SmscSimulator } from '../../src/lib/smpp/simulator/smsc-simulator.js';
import { NO_ANSWER } from '../../src/lib/smpp/simulator/connection.js';
import { cleanEnv, startCli, type CliProcess } from '../support/cli-process.js';
import { sessionsEnded, withSessionName } from '../support/database.js';
import { ADMIN_TOKEN, TEST_DB, createTestDatabase, seedBasics, startHarness, type Harness, intakeDossier } from '../support/harness.js';
import { sleep, waitFor } from '../support/wait.js';

const MOS = 400;
const IN_FLIGHT = 100;
/** The worker dies once the SMSC has accepted this many replies: mid-run, inside a group of MOs. */
const KILL_AFTER = (MOS * 3) / 8;
/** Generous: tsx start-up on a loaded machine. Nothing asserts on elapsed time. */
const DEADLINE_MS = 300_000;
const DOSSIERS = Array.from({ length: 5 }, (_, i) => `000.00.15.H34-261123-${String(i + 1).padStart(4, '0')}`);

const processes: CliProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const p of processes) if (p.alive()) p.child.kill('SIGKILL');
  for (const p of processes) await p.exited;
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

/** The MO's source, as the SMSC gives it (international digits, TON 1): one number per MO. */
const sourceOf = (i: number) => `8491${String(1_000_000 + i).slice(-7)}`;
/** Every other MO asks for a dossier that exists (the "found" reply), the rest for unknown codes. */
const textOf = (i: number) => (i % 2 === 0 ? `MCKH ${DOSSIERS[i % DOSSIERS.length]}` : `MCKH 000.00.15.H34-261123-${9000 + (i % 900)}`);
const digits = (s: string | null) => (s ?? '').replace(/\D/g, '');

interface ReplyRow {
  id: number;
  status: string;
  to: string;
  attempts: number;
}

async function replyRows(h: Harness): Promise<ReplyRow[]> {
  const rows = await h.ctx.db.kysely
    .selectFrom('notifications')
    .select(['id', 'status', 'to_address', 'attempts'])
    .where('kind', '=', 'lookup_reply')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, status: r.status, to: r.to_address ?? '', attempts: r.attempts }));
}

/** Accepted first (or only) parts of replies, per destination: how many times each reply was accepted. */
function acceptedByDestination(sim: SmscSimulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of sim.submitLog) {
    if (entry.outcome !== 'accepted' || (entry.part !== null && !entry.part.startsWith('1/'))) continue;
    counts.set(entry.destination, (counts.get(entry.destination) ?? 0) + 1);
  }
  return counts;
}

describe(`the look-up loop killed mid-flight (${TEST_DB})`, () => {
  test('kill -9 mid-loop, restart: no acknowledged MO lost, one reply row per MO, duplicates only from the responses lost', async (t: TestContext) => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const h = await startHarness({ database, now: new Date(Date.now() - 10 * 60_000).toISOString() });
    cleanups.push(() => h.close());
    await seedBasics(h, { holdSeconds: 0, quietHours: null });
    for (const code of DOSSIERS) await intakeDossier(h, { receiptCode: code });
    // The intakes' own messages are not part of this test: only look-up replies are submitted.
    await h.ctx.db.kysely.deleteFrom('notifications').execute();
    const sim = await startSmscSimulator({ systemId: 'motcua', password: 'crash', receiptDelayMs: 100, enquireLinkMs: 0 });
    cleanups.push(() => sim.close());

    const env = (name: string) =>
      cleanEnv({
        DATABASE_URL: withSessionName(database, database.url, name),
        MOTCUA_ADMIN_TOKEN: ADMIN_TOKEN,
        MOTCUA_SMS_PROVIDER: 'smpp',
        MOTCUA_SMPP_URL: `smpp://motcua:crash@127.0.0.1:${sim.port}?window=50`,
        // A reply left `sending` by the crash is claimed again 20 s after it was committed. Shorter would
        // do it sooner but, on a loaded machine, time sends out (half a lease) that the SMSC accepted:
        // duplicates of a slow provider, not of the crash.
        MOTCUA_DISPATCH_LEASE_SECONDS: '20',
        MOTCUA_DISPATCH_POLL_MS: '50',
        MOTCUA_SCHEDULER: 'false',
        LOG_LEVEL: 'warn',
      });
    const start = (name: string) => {
      const worker = startCli(name, ['worker'], env(name));
      processes.push(worker);
      return worker;
    };

    // The carrier: MOs with IN_FLIGHT waiting for their deliver_sm_resp at any time, to whichever worker is bound.
    const answers = new Map<number, number>();
    let next = 0;
    let live: CliProcess = start('motcua-crash-first');
    const lane = async () => {
      for (let i = next++; i < MOS; i = next++) {
        for (;;) {
          if (sim.stats().bound === 0) {
            if (!live.alive() && live.name === 'motcua-crash-second') assert.fail(`the second worker exited\n${live.output()}`);
            await sleep(10);
            continue;
          }
          try {
            const [status] = await sim.injectMo({ from: sourceOf(i), to: '8083', text: textOf(i) });
            answers.set(i, status!);
            break;
          } catch {
            await sleep(10); // unbound between the check and the send: nothing was sent
          }
        }
      }
    };
    const lanes = Promise.all(Array.from({ length: IN_FLIGHT }, lane));

    await waitFor(`${KILL_AFTER} replies accepted by the SMSC`, () => sim.submitted.length >= KILL_AFTER, {
      timeoutMs: DEADLINE_MS,
      everyMs: 5,
      processes: [live],
    });
    const first = live;
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');
    await sessionsEnded(database, first.name);

    // What the crash left: replies accepted by the SMSC whose row is still `sending` (its `sent` update
    // never committed) are the responses lost in the crash.
    const acceptedAtKill = acceptedByDestination(sim);
    const rowsAtKill = await replyRows(h);
    const sendingAtKill = rowsAtKill.filter((r) => r.status === 'sending');
    const lostInCrash = sendingAtKill.filter((r) => acceptedAtKill.has(r.to)).map((r) => r.to);
    const answeredAtKill = [...answers.values()].filter((s) => s === 0).length;
    const unansweredAtKill = [...answers.values()].filter((s) => s === NO_ANSWER).length;
    const responsesLostBySim = sim.stats().responsesLost;
    assert.ok(answeredAtKill > 0 && answeredAtKill < MOS, `killed mid-loop (${answeredAtKill} of ${MOS} MOs acknowledged)`);

    live = start('motcua-crash-second');
    await lanes;
    await waitFor(
      'every reply to leave pending/sending',
      async () => {
        const rows = await replyRows(h);
        const stored = await h.ctx.db.kysely
          .selectFrom('inbound_messages')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        return rows.length === Number(stored.n) && rows.every((r) => r.status !== 'pending' && r.status !== 'sending');
      },
      { timeoutMs: DEADLINE_MS, processes: [live] },
    );
    const stopped = await live.stop();
    assert.equal(stopped.code, 0, `the second worker shuts down cleanly\n${live.output()}`);

    // 1. Every acknowledged MO is stored exactly once; an unanswered one at most once.
    const inbound = await h.ctx.db.kysely.selectFrom('inbound_messages').select(['sender', 'reply_notification_id', 'outcome']).execute();
    const storedBySource = new Map<string, number>();
    for (const row of inbound) storedBySource.set(digits(row.sender), (storedBySource.get(digits(row.sender)) ?? 0) + 1);
    const acknowledged = [...answers].filter(([, s]) => s === 0).map(([i]) => i);
    const notAcknowledged = [...answers].filter(([, s]) => s !== 0).map(([i]) => i);
    assert.equal(answers.size, MOS, 'every MO was delivered to a worker');
    const lost = acknowledged.filter((i) => storedBySource.get(sourceOf(i)) !== 1);
    assert.deepEqual(lost, [], 'every acknowledged MO is stored exactly once');
    const storedUnanswered = notAcknowledged.filter((i) => storedBySource.has(sourceOf(i)));
    for (const i of storedUnanswered) assert.equal(storedBySource.get(sourceOf(i)), 1, `unanswered MO ${i} stored once at most`);
    assert.equal(inbound.length, acknowledged.length + storedUnanswered.length, 'no MO row that no MO explains');

    // 2. One reply row per stored MO, each sent to the MO's source.
    const replies = await replyRows(h);
    const replyIds = inbound.map((r) => r.reply_notification_id);
    assert.ok(
      replyIds.every((id) => id !== null),
      'every stored MO has its reply',
    );
    assert.equal(new Set(replyIds).size, inbound.length, 'no reply row shared by two MOs');
    assert.deepEqual(
      replies.map((r) => r.id).sort((a, b) => a - b),
      (replyIds as number[]).sort((a, b) => a - b),
      'no reply row without its MO',
    );
    assert.deepEqual(
      replies.filter((r) => r.status !== 'sent' && r.status !== 'delivered'),
      [],
      'every reply was sent',
    );

    // 3. Every reply reached the SMSC; the ones submitted twice are exactly the responses lost in the crash.
    const accepted = acceptedByDestination(sim);
    assert.deepEqual(
      replies.filter((r) => !accepted.has(r.to)),
      [],
      'every reply reached the SMSC',
    );
    const duplicated = [...accepted]
      .filter(([, n]) => n > 1)
      .map(([to]) => to)
      .sort();
    const unexpected = duplicated.filter((to) => !lostInCrash.includes(to));
    const explain = (to: string) => {
      const atKill = rowsAtKill.find((r) => r.to === to);
      const log = sim.submitLog.filter((e) => e.destination === to).map((e) => `#${e.n} c${e.connectionId} ${e.outcome} ${e.response}`);
      return `${to}: at the kill ${atKill ? `${atKill.status} attempts ${atKill.attempts}` : 'no row'}, accepted before it ${acceptedAtKill.get(to) ?? 0}; ${log.join(', ')}`;
    };
    const why = `${unexpected.length} other(s):\n${unexpected.slice(0, 10).map(explain).join('\n')}\n--- first worker\n${first.output().slice(-3000)}\n--- second worker\n${live.output().slice(-3000)}`;
    assert.ok(
      [...accepted.values()].every((n) => n <= 2),
      `no reply went out more than twice; ${why}`,
    );
    assert.deepEqual(
      duplicated,
      [...lostInCrash].sort(),
      `the replies submitted twice are those accepted and still \`sending\` at the kill; ${why}`,
    );
    for (const row of replies) {
      const reclaimed = sendingAtKill.some((r) => r.id === row.id);
      assert.equal(row.attempts, reclaimed ? 2 : 1, `attempts of reply ${row.id}`);
    }
    const counts = await sql<{ outcome: string; n: number | string }>`
      select outcome, count(*) as n from inbound_messages group by outcome order by outcome`.execute(h.ctx.db.kysely);
    t.diagnostic(
      `${TEST_DB}: ${MOS} MOs, ${IN_FLIGHT} in flight; killed after ${answeredAtKill} acknowledged (${unansweredAtKill} unanswered at the kill), ` +
        `${rowsAtKill.length} reply rows of which ${sendingAtKill.length} sending; ` +
        `MOs acknowledged: expected stored once ${acknowledged.length}, observed ${acknowledged.length - lost.length}; ` +
        `unanswered ${notAcknowledged.length}, stored anyway ${storedUnanswered.length}; ` +
        `reply rows ${replies.length} for ${inbound.length} MOs (${counts.rows.map((r) => `${r.outcome} ${r.n}`).join(', ')}); ` +
        `duplicate reply submits: expected ≤ ${lostInCrash.length} responses lost in the crash (the simulator counted ${responsesLostBySim} answers that never left), observed ${duplicated.length}`,
    );
  });
});
