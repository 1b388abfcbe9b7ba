/**
 * The ESME session against the SMSC simulator on an ephemeral port. Nothing asserts on elapsed time:
 * tests wait on events with generous limits, and rates are counted at the simulator. SmppProvider, the
 * adapter over it, is tested in test/providers/adapters/smpp.provider.test.ts.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { EsmeSession, type SubmitRequest } from '../../../../src/lib/smpp/session/index.js';
import { STATUS } from '../../../../src/lib/smpp/pdu.js';
import { SmppError } from '../../../../src/lib/smpp/types.js';
import { receiptIdCandidates } from '../../../../src/lib/smpp/receipt.js';
import { withTimeout } from '../../../../src/lib/async.js';
import { startSmscSimulator, type SmscSimulator, type SmscSimulatorOptions } from '../../../../src/lib/smpp/simulator/smsc-simulator.js';
import { seeded } from '../../../support/random.js';
import { RecordingSink, TIMING, WAIT_MS, cleanups, gsm, logger, startPair, until } from '../../../support/smpp.js';

/** What the dispatcher does with a retryable failure: try the same message again (once the bind is back). */
async function sendWithRetries(session: EsmeSession, request: SubmitRequest, retries: { count: number }): Promise<string | null> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      return (await session.submit(request)).messageId;
    } catch (error) {
      if (!(error instanceof SmppError) || !error.retryable) throw error;
      retries.count++;
      if (!session.isBound) await withTimeout(session.whenBound(), WAIT_MS, 'the rebind');
    }
  }
  throw new Error('gave up after 50 attempts');
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

describe('binding', () => {
  for (const bind of ['transceiver', 'tx_rx'] as const) {
    test(`${bind}: binds, sends, gets receipts, unbinds cleanly on close`, async () => {
      const { sim, session, sink } = await startPair({ bind });
      assert.equal(sim.stats().bound, bind === 'transceiver' ? 1 : 2);
      assert.deepEqual(session.stats().bound, bind === 'transceiver' ? { transceiver: true } : { transmitter: true, receiver: true });
      const ids = await Promise.all(['Tin 1', 'Tin 2', 'Tin 3'].map(async (text) => (await session.submit(gsm(text))).messageId));
      assert.deepEqual(
        ids,
        sim.submitted.map((s) => s.messageId),
      );
      await until(sink.events, ['change'], () => sink.receipts.length === 3, 'three receipts');
      assert.deepEqual(new Set(sink.receipts.map((r) => r.providerMessageId)), new Set(ids));
      assert.ok(sink.receipts.every((r) => r.status === 'delivered' && r.provider === 'smpp-test'));
      if (bind === 'tx_rx') assert.ok(sim.submitted.every((s) => s.connectionId !== undefined));

      await session.close();
      await until(sim.events, ['disconnect'], () => sim.stats().connections === 0, 'the connections to close');
      assert.equal(sim.stats().unbinds, bind === 'transceiver' ? 1 : 2, 'one unbind per bind');
      await assert.rejects(
        session.submit(gsm('after close')),
        (e: unknown) => e instanceof SmppError && e.retryable && e.reason === 'session_closing',
      );
    });
  }

  test('a refused bind keeps retrying; queued sends fail retryably once the session has been down too long', async () => {
    const sim = await startSmscSimulator({ systemId: 'motcua', password: 'right', enquireLinkMs: 0 });
    const session = new EsmeSession(
      {
        host: '127.0.0.1',
        port: sim.port,
        systemId: 'motcua',
        password: 'wrong',
        systemType: '',
        bind: 'transceiver',
        window: 2,
        tps: 0,
        timing: { ...TIMING, downLimitMs: 300 },
      },
      { providerName: 'smpp-test', sink: new RecordingSink(), logger },
    );
    cleanups.push(async () => {
      await session.close();
      await sim.close();
    });
    session.start();
    const queued = [session.submit(gsm('a')), session.submit(gsm('b'))];
    await assert.rejects(
      session.submit(gsm('c')),
      (e: unknown) => e instanceof SmppError && e.retryable && e.reason === 'session_down',
      'beyond the window: refused at once',
    );
    for (const send of queued)
      await assert.rejects(send, (e: unknown) => e instanceof SmppError && e.retryable && e.reason === 'session_down');
    await until(sim.events, ['disconnect'], () => sim.stats().bindFailures >= 2, 'a second bind attempt');
    assert.equal(sim.stats().binds, 0);
    assert.equal(sim.submitted.length, 0);
  });
});

describe('sending', () => {
  test('the window is respected: never more than N outstanding at the simulator', async (t: TestContext) => {
    const window = 5;
    const { sim, session } = await startPair({ window, sim: { faults: { delayMs: 25 }, receiptDelayMs: null } });
    let maxSeenBySession = 0;
    sim.events.on('submit', () => (maxSeenBySession = Math.max(maxSeenBySession, session.stats().outstanding)));
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => session.submit(gsm(`window ${i}`))));
    assert.equal(results.length, 60);
    assert.equal(sim.submitted.length, 60);
    const { maxOutstanding } = sim.stats();
    t.diagnostic(`most outstanding at the simulator: ${maxOutstanding} (window ${window})`);
    assert.ok(maxOutstanding <= window, `${maxOutstanding} outstanding`);
    assert.ok(maxOutstanding > 1, 'the window was used, not one at a time');
    assert.ok(maxSeenBySession <= window);
  });

  test('empty message_id is a success with a null id', async () => {
    const { session, sim } = await startPair({ sim: { emptyMessageId: true } });
    assert.deepEqual(await session.submit(gsm('no id')), { messageId: null });
    assert.equal(sim.submitted.length, 1);
  });

  test('a response that never comes: the link is checked, the wait widened, then the connection replaced', async () => {
    const { session, sim } = await startPair({ timing: { responseTimeoutMs: 200, maxResponseWaitMs: 700 } });
    sim.setFaults({ delayMs: 5_000 });
    await assert.rejects(
      session.submit(gsm('slow')),
      (e: unknown) => e instanceof SmppError && e.retryable && e.reason === 'connection_lost' && e.attempted,
    );
    const stats = session.stats();
    assert.ok(stats.responseTimeouts >= 1, 'the response timeout was seen');
    assert.ok(stats.slowSmsc >= 1, 'enquire_link answered: the SMSC was slow, not dead');
    assert.equal(stats.bindsReplaced, 1);
    assert.equal(sim.submitted.length, 1, 'not sent again on the same bind');
  });

  test('a permanent rejection fails at once, classified', async () => {
    const { session, sim } = await startPair();
    sim.setFaults({ rejectPercent: 100, rejectStatus: STATUS.ESME_RINVDSTADR });
    await assert.rejects(
      session.submit(gsm('bad number')),
      (e: unknown) => e instanceof SmppError && !e.retryable && e.reason === 'invalid_destination',
    );
    sim.setFaults({ rejectStatus: STATUS.ESME_RSYSERR });
    await assert.rejects(
      session.submit(gsm('smsc trouble')),
      (e: unknown) => e instanceof SmppError && e.retryable && e.reason === 'smsc_system_error',
    );
  });

  test('throttle storm (50 % ESME_RTHROTTLED): every message accepted once, none lost, no duplicates', async (t: TestContext) => {
    // A share-based throttle does not ease when the sender slows (a real SMSC's does): the floor keeps the test short.
    const { session, sim } = await startPair({
      window: 10,
      timing: { throttleFloorTps: 50 },
      sim: { random: seeded(7), faults: { throttlePercent: 50 }, receiptDelayMs: null },
    });
    const throttledEvents: number[] = [];
    session.on('throttled', (tps: number) => throttledEvents.push(tps));
    const texts = Array.from({ length: 100 }, (_, i) => `throttle ${i}`);
    const ids = await Promise.all(texts.map(async (text) => (await session.submit(gsm(text))).messageId));
    assert.equal(new Set(ids).size, 100, 'every message got its own id');
    const counts = countBy(sim.submitted, (s) => s.text);
    const duplicates = [...counts.values()].filter((n) => n > 1).length;
    t.diagnostic(`throttled answers: ${sim.stats().throttled}; rate cuts: ${throttledEvents.length}; duplicates: ${duplicates}`);
    assert.equal(counts.size, 100);
    assert.equal(duplicates, 0);
    assert.ok(sim.stats().throttled > 10);
    assert.ok(throttledEvents.length >= 1 && throttledEvents.every((tps) => tps >= 50), 'the sender slowed down, not below the floor');
    await until(session, ['recovered'], () => session.stats().allowedTps === null, 'the rate to recover once the throttling stopped');
  });

  test('ESME_RMSGQFUL is retried like throttling', async () => {
    const { session, sim } = await startPair();
    sim.setFaults({ rejectPercent: 100, rejectStatus: STATUS.ESME_RMSGQFUL });
    const sending = session.submit(gsm('queue full'));
    await until(session, ['throttled'], () => session.stats().throttled > 0, 'the queue-full answer');
    sim.setFaults({ rejectPercent: 0 });
    assert.ok((await sending).messageId);
    assert.equal(sim.submitted.length, 1);
  });

  test('TPS limit holds, counted per second at the simulator', async (t: TestContext) => {
    const tps = 20;
    const { session, sim } = await startPair({ tps, window: 50, sim: { receiptDelayMs: null } });
    await Promise.all(Array.from({ length: 70 }, (_, i) => session.submit(gsm(`tps ${i}`))));
    const times = sim.submitted.map((s) => s.receivedAt).sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1000) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    t.diagnostic(`busiest 1-second window at the simulator: ${busiest} submits (limit ${tps})`);
    // burst of a tenth of a second on top of the rate, plus timer slack at the window's edges
    assert.ok(busiest <= tps + tps / 10 + 2, `${busiest} submits in one second`);
  });
});

describe('failures of the connection', () => {
  test('dropped mid-window: reconnects, in-flight sends fail retryably, retried; duplicates = responses lost', async (t: TestContext) => {
    const window = 10;
    const { session, sim } = await startPair({ window, sim: { faults: { delayMs: 20 }, receiptDelayMs: null } });
    sim.setFaults({ dropAfterSubmits: 25 });
    const retries = { count: 0 };
    const texts = Array.from({ length: 60 }, (_, i) => `drop ${i}`);
    const ids = await Promise.all(texts.map((text) => sendWithRetries(session, gsm(text), retries)));
    assert.equal(ids.length, 60);
    const counts = countBy(sim.submitted, (s) => s.text);
    assert.deepEqual(new Set(counts.keys()), new Set(texts), 'every message reached the simulator');
    const duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
    const { responsesLost, drops } = sim.stats();
    t.diagnostic(
      `drops: ${drops}; responses lost: ${responsesLost}; received twice: ${duplicates}; retried sends: ${retries.count}; reconnects: ${session.stats().reconnects}`,
    );
    assert.equal(drops, 1);
    assert.ok(retries.count >= 1, 'the in-flight sends were failed retryably');
    assert.ok(session.stats().reconnects >= 1);
    assert.equal(duplicates, responsesLost, 'a message is received twice exactly when its answer was lost');
    assert.ok(responsesLost >= 1 && responsesLost <= window);
    assert.ok((await session.submit(gsm('after the drop'))).messageId);
  });

  test('a dead peer (silent) is detected by enquire_link and the session reconnects', async () => {
    const { session, sim } = await startPair({ timing: { enquireLinkMs: 150, enquireLinkTimeoutMs: 300 } });
    const reasons: string[] = [];
    session.on('unbound', (_role: string, reason: string) => reasons.push(reason));
    sim.setFaults({ silent: true });
    await until(session, ['unbound'], () => reasons.some((r) => r.startsWith('dead peer')), 'dead-peer detection');
    assert.equal(session.stats().deadPeers >= 1, true);
    sim.setFaults({ silent: false });
    await withTimeout(session.whenBound(), WAIT_MS, 'the rebind after the peer came back');
    assert.ok((await session.submit(gsm('alive again'))).messageId);
  });

  test('enquire_link from the SMSC is answered', async () => {
    const { sim } = await startPair({ sim: { enquireLinkMs: 50 } });
    await until(sim.events, ['enquire_link_resp'], () => sim.stats().enquireLinkResponses >= 3, 'three enquire_link_resp');
    assert.equal(sim.stats().connections, 1, 'still connected: every enquire_link was answered');
  });

  test('the SMSC dropping the connection with nothing in flight: rebinds and sends', async () => {
    const { session, sim } = await startPair();
    const bound = new Promise((resolve) => session.once('bound', resolve));
    assert.equal(sim.dropConnections(), 1);
    await withTimeout(bound, WAIT_MS, 'the rebind');
    assert.ok((await session.submit(gsm('after a quiet drop'))).messageId);
  });
});

describe('receipts', () => {
  const styles: Array<[string, SmscSimulatorOptions]> = [
    ['hex ids, TLVs', { idStyle: 'hex', receiptTlvs: true }],
    ['decimal ids, TLVs', { idStyle: 'decimal', receiptTlvs: true }],
    ['hex in submit_sm_resp, decimal in the receipt text', { idStyle: 'hex', receiptIdStyle: 'decimal', receiptTlvs: false }],
    ['decimal in submit_sm_resp, hex in the receipt text', { idStyle: 'decimal', receiptIdStyle: 'hex', receiptTlvs: false }],
  ];
  for (const [note, simOptions] of styles) {
    test(`${note}: the receipt reaches the sink and its candidates match the submit id`, async () => {
      const { session, sink } = await startPair({ sim: { ...simOptions, receiptStatByDestination: { '84988888888': 'UNDELIV' } } });
      const delivered = await session.submit(gsm('Ho so da co ket qua'));
      const failed = await session.submit(gsm('Ho so bi tra lai', '84988888888'));
      await until(sink.events, ['change'], () => sink.receipts.length === 2, 'two receipts');
      for (const [submitted, status] of [
        [delivered, 'delivered'],
        [failed, 'failed'],
      ] as const) {
        const receipt = sink.receipts.find((r) => receiptIdCandidates(r.providerMessageId).includes(submitted.messageId!.toLowerCase()));
        assert.ok(receipt, `a receipt for ${submitted.messageId}`);
        assert.equal(receipt.status, status);
        assert.ok(receipt.at !== null && Math.abs(receipt.at - Date.now()) < 10 * 60_000, 'done date read in Vietnam time');
      }
    });
  }

  test('a receipt handler that throws still gets deliver_sm_resp (ESME_RX_T_APPN), later ones ESME_ROK', async () => {
    const { session, sink, sim } = await startPair();
    sink.failures = 1;
    await session.submit(gsm('one'));
    await until(sim.events, ['deliver_resp'], () => (sim.stats().deliverResponses.ESME_RX_T_APPN ?? 0) === 1, 'the temporary-error answer');
    await session.submit(gsm('two'));
    await until(sim.events, ['deliver_resp'], () => (sim.stats().deliverResponses.ESME_ROK ?? 0) === 1, 'the OK answer');
    assert.equal(sink.receipts.length, 1);
  });

  test('a simulator with receiptRetryMs sends a receipt answered ESME_RX_T_APPN again, as an SMSC does', async () => {
    const { session, sink, sim } = await startPair({ sim: { receiptRetryMs: 50 } });
    sink.failures = 1;
    const { messageId } = await session.submit(gsm('one'));
    await until(sim.events, ['deliver_resp'], () => (sim.stats().deliverResponses.ESME_ROK ?? 0) === 1, 'the receipt, sent again');
    assert.equal(sink.receipts.length, 1);
    assert.ok(receiptIdCandidates(sink.receipts[0]!.providerMessageId).includes(messageId!.toLowerCase()));
    const stats = sim.stats();
    assert.equal(stats.deliverResponses.ESME_RX_T_APPN, 1);
    assert.equal(stats.deliverResponses.ESME_ROK, 1);
    assert.equal(stats.receiptsRetried, 1);
    assert.equal(stats.receiptsSent, 2);
  });
});

describe('mobile-originated messages', () => {
  const LONG_GSM = `MCKH 000.00.15.H34-210312-0001 ${'xin cho biet ket qua ho so cua toi, cam on. '.repeat(5)}`;
  const LONG_UCS2 = `MCKH 000.00.15.H34-210312-0001 ${'xin cho biết kết quả hồ sơ của tôi, cảm ơn. '.repeat(3)}`;
  const rows: Array<[string, Parameters<SmscSimulator['injectMo']>[0], number]> = [
    ['single GSM', { from: '84912345678', to: '8083', text: 'MCKH 000.00.15.H34-210312-0001' }, 1],
    ['single UCS-2', { from: '84912345678', to: '8083', text: 'MCKH hồ sơ 0101701234' }, 1],
    ['concatenated GSM', { from: '84912345678', to: '8083', text: LONG_GSM, split: true }, 2],
    ['concatenated UCS-2, last part first', { from: '84912345678', to: '8083', text: LONG_UCS2, split: true, reverse: true }, 3],
    ['concatenated GSM, 16-bit reference', { from: '84912345678', to: '8083', text: LONG_GSM, split: true, concatenation: 'udh16' }, 2],
    ['concatenated UCS-2 by sar_* TLVs', { from: '84912345678', to: '8083', text: LONG_UCS2, split: true, concatenation: 'sar' }, 3],
    ['GSM with escapes', { from: '84912345678', to: '8083', text: 'MCKH {0101} [A|B] ~^\\ €', encoding: 'gsm7' }, 1],
  ];
  for (const [note, mo, parts] of rows) {
    test(`${note} reaches sink.inbound reassembled`, async () => {
      const { sim, sink } = await startPair();
      const statuses = await sim.injectMo(mo);
      assert.deepEqual(statuses, Array(parts).fill(STATUS.ESME_ROK));
      await until(sink.events, ['change'], () => sink.inbounds.length === 1, 'the MO');
      assert.equal(sink.inbounds[0]!.text, mo.text);
      assert.equal(sink.inbounds[0]!.from, '84912345678');
      assert.equal(sink.inbounds[0]!.to, '8083');
    });
  }

  test('on a tx_rx session the MO comes over the receiver', async () => {
    const { sim, sink } = await startPair({ bind: 'tx_rx' });
    await sim.injectMo({ from: '84912345678', to: '8083', text: 'MCKH 123' });
    await until(sink.events, ['change'], () => sink.inbounds.length === 1, 'the MO');
  });

  test('a handler that throws gets ESME_RX_T_APPN; the redelivered last part completes the message', async () => {
    const { sim, sink } = await startPair();
    sink.failures = 1;
    assert.deepEqual(await sim.injectMo({ from: '84912345678', to: '8083', text: 'MCKH 0101701234' }), [STATUS.ESME_RX_T_APPN]);
    sink.failures = 1;
    const mo = { from: '84911111111', to: '8083', text: LONG_GSM, split: true, reference: 77 };
    assert.deepEqual(await sim.injectMo(mo), [STATUS.ESME_ROK, STATUS.ESME_RX_T_APPN]);
    assert.equal(sink.inbounds.length, 0);
    // The SMSC delivers the refused part again, and only that part: the parts kept complete the message.
    assert.deepEqual(await sim.injectMo({ ...mo, onlyParts: [2] }), [STATUS.ESME_ROK]);
    await until(sink.events, ['change'], () => sink.inbounds.length === 1, 'the reassembled MO');
    assert.equal(sink.inbounds[0]!.text, LONG_GSM);
  });
});

describe('simulator control API', () => {
  test('POST /faults, POST /mo, POST /drop, GET /stats', async () => {
    const { sim, session, sink } = await startPair({ sim: { controlPort: 0 } });
    const base = `http://127.0.0.1:${sim.controlPort}`;
    const post = async (path: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? '' : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    const faults = await post('/faults', { throttlePercent: 0, rejectPercent: 100, delayMs: 0, silent: false });
    assert.equal(faults.status, 200);
    assert.equal(faults.body.rejectPercent, 100);
    await assert.rejects(session.submit(gsm('rejected by the control API')), SmppError);
    await post('/faults', { rejectPercent: 0 });

    const mo = await post('/mo', { from: '84912345678', to: '8083', text: 'MCKH 0101701234' });
    assert.deepEqual(mo, { status: 200, body: { statuses: ['ESME_ROK'] } });
    await until(sink.events, ['change'], () => sink.inbounds.length === 1, 'the MO');

    const rebound = new Promise((resolve) => session.once('bound', resolve));
    assert.deepEqual(await post('/drop'), { status: 200, body: { dropped: 1 } });
    await withTimeout(rebound, WAIT_MS, 'the rebind');

    const stats = (await (await fetch(`${base}/stats`)).json()) as Record<string, unknown>;
    assert.equal(stats.drops, 1);
    assert.equal(stats.rejected, 1);
    assert.equal(stats.moSent, 1);

    assert.equal((await post('/faults', { throttlePercent: 'lots' })).status, 400);
    assert.equal((await post('/mo', { from: 1 })).status, 400);
    assert.equal((await fetch(`${base}/nothing`)).status, 404);
  });
});
