/**
 * Issue 12 item 5: a worker stopped by SIGTERM or SIGINT while a slow SMSC holds its window. It stops
 * claiming, releases what it has not sent at once, waits for the answers still due, unbinds and exits 0;
 * the next worker sends the rest. Real processes (test/support/cli-process.ts), the simulator's submit
 * log counts duplicates: there must be none. Runs on SQLite and PostgreSQL.
 */
import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startSmscSimulator, type SmscSimulator } from '../../src/lib/smpp/simulator/smsc-simulator.js';
import { ADMIN_TOKEN, seedBasics, startHarness, type Harness, dossierWithResult } from '../support/harness.js';
import { type CliProcess, cleanEnv, startCli } from '../support/cli-process.js';
import { waitFor } from '../support/wait.js';

const MESSAGES = 30;
const WINDOW = 5;
/** Each submit_sm_resp comes this late: well inside the response timeout, but a window takes that long. */
const DELAY_MS = 3_000;

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function statuses(h: Harness): Promise<Record<string, number>> {
  const rows = await h.ctx.db.kysely
    .selectFrom('notifications')
    .select(['status'])
    .where('channel', '=', 'sms')
    .where('kind', '=', 'result_ready')
    .execute();
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
  return counts;
}

describe('shutdown against a slow SMSC', () => {
  test('SIGTERM and SIGINT: unsent claims released at once, answers waited for, 0 duplicates', async (t: TestContext) => {
    const sim: SmscSimulator = await startSmscSimulator({
      systemId: 'motcua',
      password: 'secret',
      receiptDelayMs: 50,
      faults: { delayMs: DELAY_MS },
    });
    cleanups.push(() => sim.close());
    const h = await startHarness({ now: new Date(Date.now() - 60_000).toISOString() });
    cleanups.push(() => h.close());
    await seedBasics(h);
    for (let i = 1; i <= MESSAGES; i++) await dossierWithResult(h, i);
    // Only the result messages go over SMPP here; the intake messages are sent before (sandbox would do, but
    // one provider keeps it simple): all of them count, duplicates are counted per message text.
    const env = cleanEnv({
      DATABASE_URL: h.database.url,
      MOTCUA_ADMIN_TOKEN: ADMIN_TOKEN,
      LOG_LEVEL: 'info',
      MOTCUA_SCHEDULER: 'false',
      MOTCUA_SMS_PROVIDER: 'smpp',
      MOTCUA_SMPP_URL: `smpp://motcua:secret@127.0.0.1:${sim.port}?window=${WINDOW}`,
      MOTCUA_DISPATCH_POLL_MS: '100',
    });
    const total = (await h.ctx.db.kysely.selectFrom('notifications').select('id').where('channel', '=', 'sms').execute()).length;

    const stopMidway = async (name: string, signal: 'SIGTERM' | 'SIGINT') => {
      const before = sim.submitLog.length;
      const worker: CliProcess = startCli(name, ['worker'], env);
      cleanups.push(async () => void (await worker.stop(5_000)));
      await waitFor(`${name} to have a window on the wire`, () => (sim.submitLog.length >= before + WINDOW ? true : undefined), {
        processes: [worker],
        timeoutMs: 300_000,
      });
      worker.child.kill(signal);
      const exit = await worker.exited;
      assert.equal(exit.code, 0, `${name} exits 0 after ${signal}\n${worker.output().slice(-3000)}`);
      const rows = await h.ctx.db.kysely.selectFrom('notifications').select(['status']).where('status', '=', 'sending').execute();
      assert.equal(rows.length, 0, `${name}: nothing left claimed after ${signal}`);
      t.diagnostic(`${name}: ${signal} after ${sim.submitLog.length - before} submits; statuses ${JSON.stringify(await statuses(h))}`);
    };
    await stopMidway('worker 1', 'SIGTERM');
    await stopMidway('worker 2', 'SIGINT');

    const last = startCli('worker 3', ['worker'], env);
    cleanups.push(async () => void (await last.stop(5_000)));
    await waitFor(
      'every SMS sent',
      async () => {
        const done = await h.ctx.db.kysely
          .selectFrom('notifications')
          .select('id')
          .where('channel', '=', 'sms')
          .where('status', 'in', ['sent', 'delivered'])
          .execute();
        return done.length === total ? true : undefined;
      },
      { processes: [last], timeoutMs: 300_000 },
    );
    assert.equal((await last.stop()).code, 0);
    const stats = sim.stats();
    t.diagnostic(
      `${total} SMS, ${stats.accepted} accepted by the SMSC, duplicates ${stats.duplicates}, answers lost ${stats.responsesLost}`,
    );
    assert.equal(stats.duplicates, 0, 'no message reached the SMSC twice');
    assert.equal(stats.accepted, total);
  });
});
