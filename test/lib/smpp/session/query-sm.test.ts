/**
 * query_sm end to end: the session asks, the simulator answers from its own state (ENROUTE until a
 * receipt is decided, or what its control set), and an unknown id or another source is "cannot say".
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { EsmeSession } from '../../../../src/lib/smpp/session/index.js';
import { DATA_CODING, MESSAGE_STATE, NPI, TON } from '../../../../src/lib/smpp/pdu.js';
import { SmppError } from '../../../../src/lib/smpp/types.js';
import { startSmscSimulator, type SmscSimulator } from '../../../../src/lib/smpp/simulator/smsc-simulator.js';

const logger = pino({ level: 'silent' });
const source = { ton: TON.ALPHANUMERIC, npi: NPI.UNKNOWN, addr: 'MotcuaSMS' };

describe('query_sm against the simulator', () => {
  let sim: SmscSimulator;
  let session: EsmeSession;
  before(async () => {
    sim = await startSmscSimulator({ receiptDelayMs: null, controlPort: 0 });
    session = new EsmeSession(
      { host: '127.0.0.1', port: sim.port, systemId: 'motcua', password: 'x', systemType: '', bind: 'transceiver', window: 5, tps: 0 },
      { providerName: 'sim', sink: { receipt: async () => {}, inbound: async () => {} }, logger },
    );
    session.start();
    await session.whenBound();
  });
  after(async () => {
    await session?.close();
    await sim?.close();
  });

  const submit = async () => {
    const { messageId } = await session.submit({
      source,
      destination: { ton: TON.INTERNATIONAL, npi: NPI.ISDN, addr: '84912345678' },
      esmClass: 0,
      dataCoding: DATA_CODING.GSM,
      registeredDelivery: 1,
      shortMessage: Buffer.from('Ho so da co ket qua', 'latin1'),
    });
    assert.ok(messageId);
    return messageId;
  };

  test('ENROUTE, then what the control sets: DELIVERED, UNDELIVERABLE, UNKNOWN', async () => {
    const id = await submit();
    assert.deepEqual(await session.query(id, source), { messageState: 1, stateName: 'ENROUTE', finalDate: '', errorCode: 0 });

    assert.equal(sim.setMessageState(id, 'DELIVRD'), true);
    const delivered = await session.query(id, source);
    assert.equal(delivered?.messageState, MESSAGE_STATE.DELIVERED);
    assert.equal(delivered?.stateName, 'DELIVERED');
    assert.match(delivered?.finalDate ?? '', /^\d{12}0\d\d[+-]$/, 'a final state carries final_date');

    sim.setMessageState(id, 'UNDELIV');
    assert.equal((await session.query(id, source))?.stateName, 'UNDELIVERABLE');
    sim.setMessageState(id, 'UNKNOWN');
    assert.equal((await session.query(id, source))?.stateName, 'UNKNOWN');
    assert.equal(sim.setMessageState('NOPE', 'DELIVRD'), false);
    assert.equal(sim.stats().queries, 4);
  });

  test('an id the SMSC never gave, or another source address: null (ESME_RQUERYFAIL)', async () => {
    const id = await submit();
    assert.equal(await session.query('FFFFFFFF', source), null);
    assert.equal(await session.query(id, { ...source, addr: 'Other' }), null);
  });

  test('the control API sets what query_sm answers: POST /state', async () => {
    const id = await submit();
    const post = (body: unknown) =>
      fetch(`http://127.0.0.1:${sim.controlPort}/state`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    assert.equal((await post({ messageId: id, state: 'LOST' })).status, 400);
    assert.equal((await post({ messageId: 'NOPE', state: 'DELIVRD' })).status, 404);
    assert.equal((await session.query(id, source))?.stateName, 'ENROUTE', 'a refused control changes nothing');
    const ok = await post({ messageId: id, state: 'EXPIRED' });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { messageId: id, state: 'EXPIRED' });
    assert.equal((await session.query(id, source))?.stateName, 'EXPIRED');
  });

  test('an id too long for SMPP is refused locally, not sent', async () => {
    const before = sim.stats().queries;
    await assert.rejects(session.query('x'.repeat(65), source), (e: unknown) => e instanceof SmppError && e.reason === 'invalid_message');
    assert.equal(sim.stats().queries, before);
  });
});

describe('query_sm without a session', () => {
  test('a session not started rejects, not attempted', async () => {
    const session = new EsmeSession(
      { host: '127.0.0.1', port: 1, systemId: 'motcua', password: 'x', systemType: '', bind: 'transceiver', window: 5, tps: 0 },
      { providerName: 'sim', sink: { receipt: async () => {}, inbound: async () => {} }, logger },
    );
    await assert.rejects(session.query('1', source), (e: unknown) => e instanceof SmppError && !e.attempted);
  });
});
