/**
 * Issue 12 item 6: an SMSC slower than the response timeout. The session checks the link with
 * enquire_link instead of failing the window; a slow SMSC gets a wider timeout, and a submit is sent
 * again only after its bind was replaced. Duplicates are counted from the simulator's submit log.
 */
import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { EsmeSession, type EsmeTiming, type SubmitRequest } from '../../../../src/lib/smpp/session/index.js';
import { startSmscSimulator, type SmscSimulator } from '../../../../src/lib/smpp/simulator/smsc-simulator.js';
import { SmppError, type SmppSink } from '../../../../src/lib/smpp/types.js';
import { encodeGsm7 } from '../../../../src/lib/smpp/udh.js';

const WINDOW = 5;
const logger = pino({ level: 'silent' });
const sink: SmppSink = { receipt: async () => undefined, inbound: async () => undefined };
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const gsm = (text: string): SubmitRequest => ({
  source: { ton: 5, npi: 0, addr: 'MotcuaSMS' },
  destination: { ton: 1, npi: 1, addr: '84912345678' },
  esmClass: 0,
  dataCoding: 0,
  registeredDelivery: 0,
  shortMessage: encodeGsm7(text),
});

async function pair(delayMs: number, timing: Partial<EsmeTiming>): Promise<{ sim: SmscSimulator; session: EsmeSession }> {
  const sim = await startSmscSimulator({ receiptDelayMs: null, enquireLinkMs: 0, faults: { delayMs } });
  const session = new EsmeSession(
    {
      host: '127.0.0.1',
      port: sim.port,
      systemId: 'motcua',
      password: 'x',
      systemType: '',
      bind: 'transceiver',
      window: WINDOW,
      tps: 0,
      timing: { reconnectInitialMs: 50, reconnectMaxMs: 200, housekeepingMs: 50, submitDeadlineMs: 60_000, downLimitMs: 60_000, ...timing },
    },
    { providerName: 'slow', sink, logger },
  );
  cleanups.push(async () => {
    await session.close();
    await sim.close();
  });
  session.start();
  await session.whenBound();
  return { sim, session };
}

/** What the dispatcher does: a retryable failure is sent again (after the bind is back). */
async function sendUntilAccepted(session: EsmeSession, text: string): Promise<number> {
  for (let attempt = 1; attempt <= 20; attempt++) {
    try {
      await session.submit(gsm(text));
      return attempt;
    } catch (error) {
      if (!(error instanceof SmppError) || !error.retryable) throw error;
      if (!session.isBound) await session.whenBound();
    }
  }
  throw new Error(`${text}: not accepted after 20 tries`);
}

describe('a slow SMSC', () => {
  test('answers slower than the response timeout: the link answers, the wait widens, nothing is sent twice', async (t: TestContext) => {
    const { sim, session } = await pair(800, { responseTimeoutMs: 200, enquireLinkTimeoutMs: 2_000, maxResponseWaitMs: 10_000 });
    const texts = Array.from({ length: 20 }, (_, i) => `slow ${i}`);
    await Promise.all(texts.map((text) => sendUntilAccepted(session, text)));
    const stats = session.stats();
    t.diagnostic(
      `responses timed out ${stats.responseTimeouts}, link checks answered ${stats.slowSmsc}, timeout now ${stats.responseTimeoutMs} ms, ` +
        `binds replaced ${stats.bindsReplaced}, duplicates ${sim.stats().duplicates}`,
    );
    assert.ok(stats.slowSmsc >= 1, 'the SMSC was found slow, not dead');
    assert.ok(stats.responseTimeoutMs > 200, 'the response timeout widened');
    assert.equal(stats.bindsReplaced, 0);
    assert.equal(sim.stats().duplicates, 0);
    assert.equal(sim.stats().accepted, texts.length);
  });

  test('answers later than the longest wait: duplicates ≤ binds replaced × window', async (t: TestContext) => {
    const { sim, session } = await pair(3_000, { responseTimeoutMs: 200, enquireLinkTimeoutMs: 2_000, maxResponseWaitMs: 800 });
    // The SMSC recovers once the first bind has been replaced.
    session.once('unbound', () => sim.setFaults({ delayMs: 50 }));
    const texts = Array.from({ length: 20 }, (_, i) => `very slow ${i}`);
    await Promise.all(texts.map((text) => sendUntilAccepted(session, text)));
    const { bindsReplaced } = session.stats();
    const { duplicates, accepted } = sim.stats();
    t.diagnostic(`binds replaced ${bindsReplaced}, duplicates ${duplicates} (bound: ${bindsReplaced} × ${WINDOW}), accepted ${accepted}`);
    assert.ok(bindsReplaced >= 1, 'the bind was replaced');
    assert.ok(duplicates <= bindsReplaced * WINDOW, `${duplicates} duplicates > ${bindsReplaced} × ${WINDOW}`);
    assert.equal(accepted - duplicates, texts.length, 'every message accepted, none lost');
  });
});
