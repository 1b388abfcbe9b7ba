/**
 * SmppProvider (src/providers/adapters/smpp.provider.ts) against the SMSC simulator on an ephemeral
 * port: how a notice becomes submit_sm PDUs (parts, UDH, TON/NPI, encodings), how rejections become
 * ProviderErrors, and parseSmppUrl. The session underneath is tested in test/lib/smpp/session/.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../../src/platform/metrics.js';
import { ProviderError, type OutgoingMessage } from '../../../src/providers/provider.js';
import { SmppProvider, parseSmppUrl, type SmppOptions } from '../../../src/providers/adapters/smpp.provider.js';
import { STATUS } from '../../../src/lib/smpp/pdu.js';
import { receiptIdCandidates } from '../../../src/lib/smpp/receipt.js';
import { startSmscSimulator, type SmscSimulatorOptions, type SubmittedMessage } from '../../../src/lib/smpp/simulator/smsc-simulator.js';
import { encodeUcs2 } from '../../../src/lib/smpp/udh.js';
import { withTimeout } from '../../../src/lib/async.js';
import { RecordingSink, TIMING, WAIT_MS, cleanups, logger, until } from '../../support/smpp.js';

describe('SmppProvider', () => {
  const message = (overrides: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
    id: 1,
    kind: 'result_ready',
    channel: 'sms',
    to: '+84912345678',
    from: 'MotcuaSMS',
    body: 'MotcuaSMS: Ho so 000.00.15.H34-210312-0001 da co ket qua.',
    encoding: 'gsm7',
    segments: 1,
    carrier: 'vinaphone',
    ...overrides,
  });

  async function startProvider(simOptions: SmscSimulatorOptions = {}, url = 'smpp://motcua:secret@127.0.0.1:1?window=5') {
    const sim = await startSmscSimulator({ systemId: 'motcua', password: 'secret', receiptDelayMs: null, enquireLinkMs: 0, ...simOptions });
    const options: SmppOptions = { ...parseSmppUrl(url), port: sim.port };
    const sink = new RecordingSink();
    const provider = new SmppProvider('viettel', options, {
      sink,
      logger,
      metrics: createMetrics({ defaultMetrics: false }),
      timing: TIMING,
    });
    cleanups.push(async () => {
      await provider.close();
      await sim.close();
    });
    provider.start();
    await withTimeout(provider.session.whenBound(), WAIT_MS, 'the provider to bind');
    return { sim, provider, sink };
  }

  const udhOf = (s: SubmittedMessage) => s.udh?.toString('hex') ?? null;

  test('a long folded notice: GSM parts with UDH, partIds for every part, brandname TON 5 NPI 0, destination TON 1 NPI 1', async () => {
    const { sim, provider } = await startProvider();
    const body =
      'MotcuaSMS: Ho so 000.00.15.H34-210312-0001 cua ong/ba Nguyen Van A da co ket qua. Moi ong/ba den Bo phan Mot cua UBND huyen Dong Anh de nhan ket qua tu ngay 15/03/2021. Phi: 50.000d {le phi} [A|B] ~ ^ \\ €.';
    const outcome = await provider.send(message({ body, segments: 2 }));
    assert.equal(outcome.status, 'sent');
    assert.deepEqual(
      outcome.partIds,
      sim.submitted.map((s) => s.messageId),
    );
    assert.equal(outcome.providerMessageId, sim.submitted[0]!.messageId);
    assert.equal(sim.submitted.length, 2);
    const reference = sim.submitted[0]!.udh![3]!;
    sim.submitted.forEach((s, i) => {
      assert.equal(udhOf(s), `050003${reference.toString(16).padStart(2, '0')}020${i + 1}`);
      assert.equal(s.esmClass, 0x40);
      assert.equal(s.dataCoding, 0);
      assert.equal(s.registeredDelivery, 1);
      assert.deepEqual(s.source, { ton: 5, npi: 0, addr: 'MotcuaSMS' });
      assert.deepEqual(s.destination, { ton: 1, npi: 1, addr: '84912345678' });
    });
    assert.equal(sim.submitted.map((s) => s.text).join(''), body);
  });

  test('a Unicode notice goes as UCS-2 and decodes back', async () => {
    const { sim, provider } = await startProvider();
    const body =
      'MotcuaSMS: Hồ sơ 000.00.15.H34-210312-0001 của ông/bà Nguyễn Văn A đã có kết quả. Mời ông/bà đến Bộ phận Một cửa để nhận.';
    const outcome = await provider.send(message({ body, encoding: 'ucs2', segments: 2 }));
    assert.equal(outcome.partIds?.length, 2);
    assert.ok(sim.submitted.every((s) => s.dataCoding === 8 && s.esmClass === 0x40));
    assert.equal(sim.submitted.map((s) => s.text).join(''), body);
    assert.deepEqual(Buffer.concat(sim.submitted.map((s) => encodeUcs2(s.text))), encodeUcs2(body));
  });

  test('a single short message has no UDH and one part id', async () => {
    const { sim, provider } = await startProvider();
    const outcome = await provider.send(message());
    assert.deepEqual(outcome.partIds, [sim.submitted[0]!.messageId]);
    assert.equal(sim.submitted[0]!.udh, null);
    assert.equal(sim.submitted[0]!.esmClass, 0);
  });

  test('a look-up reply comes from the short code (TON 0 NPI 1 by default)', async () => {
    const { sim, provider } = await startProvider();
    await provider.send(message({ kind: 'lookup_reply', from: '8083', body: 'Ho so 0101701234: da co ket qua' }));
    assert.deepEqual(sim.submitted[0]!.source, { ton: 0, npi: 1, addr: '8083' });
  });

  test('empty message_id: sent, with a null id and no part ids', async () => {
    const { provider } = await startProvider({ emptyMessageId: true });
    assert.deepEqual(await provider.send(message()), { status: 'sent', providerMessageId: null, partIds: [] });
  });

  test('permanent and retryable rejections become ProviderErrors from send()', async () => {
    const { sim, provider } = await startProvider({ faults: { rejectPercent: 100, rejectStatus: STATUS.ESME_RINVDSTADR } });
    await assert.rejects(
      provider.send(message()),
      (e: unknown) => e instanceof ProviderError && !e.retryable && e.reason === 'invalid_destination',
    );
    sim.setFaults({ rejectStatus: STATUS.ESME_RSUBMITFAIL });
    await assert.rejects(
      provider.send(message()),
      (e: unknown) => e instanceof ProviderError && e.retryable && e.reason === 'submit_failed',
    );
    await assert.rejects(
      provider.send(message({ to: 'not a number' })),
      (e: unknown) => e instanceof ProviderError && !e.retryable && e.reason === 'invalid_destination',
    );
    await assert.rejects(
      provider.send(message({ body: '' })),
      (e: unknown) => e instanceof ProviderError && !e.retryable && e.reason === 'empty_message',
    );
  });

  test('a gsm7 body with a non-GSM character still goes, as UCS-2', async () => {
    const { sim, provider } = await startProvider();
    await provider.send(message({ body: 'Hồ sơ' }));
    assert.equal(sim.submitted[0]!.dataCoding, 8);
    assert.equal(sim.submitted[0]!.text, 'Hồ sơ');
  });

  test('receipts and MOs arriving on the provider session reach its sink', async () => {
    const { sim, provider, sink } = await startProvider({ receiptDelayMs: 10 });
    const outcome = await provider.send(message());
    await sim.injectMo({ from: '84912345678', to: '8083', text: 'MCKH 0101701234' });
    await until(sink.events, ['change'], () => sink.receipts.length === 1 && sink.inbounds.length === 1, 'receipt and MO');
    assert.equal(sink.receipts[0]!.provider, 'viettel');
    assert.ok(receiptIdCandidates(sink.receipts[0]!.providerMessageId).includes(outcome.providerMessageId!.toLowerCase()));
  });
});

describe('parseSmppUrl', () => {
  test('everything given', () => {
    assert.deepEqual(
      parseSmppUrl(
        'smpp://motcua:p%40ss@smsc.example.vn:2776?bind=tx_rx&window=50&tps=30&source=UBNDHuyen&shortCode=8085&systemType=VMA&enquireLinkSeconds=15&shortCodeTon=3&shortCodeNpi=0',
      ),
      {
        host: 'smsc.example.vn',
        port: 2776,
        systemId: 'motcua',
        password: 'p@ss',
        systemType: 'VMA',
        bind: 'tx_rx',
        window: 50,
        tps: 30,
        source: 'UBNDHuyen',
        shortCode: '8085',
        shortCodeTon: 3,
        shortCodeNpi: 0,
        enquireLinkSeconds: 15,
      },
    );
  });

  test('defaults', () => {
    assert.deepEqual(parseSmppUrl('smpp://motcua:secret@10.0.0.5'), {
      host: '10.0.0.5',
      port: 2775,
      systemId: 'motcua',
      password: 'secret',
      systemType: '',
      bind: 'transceiver',
      window: 100,
      tps: 0,
      source: 'MotcuaSMS',
      shortCode: '8083',
      shortCodeTon: 0,
      shortCodeNpi: 1,
      enquireLinkSeconds: 30,
    });
  });

  const bad: Array<[string, RegExp]> = [
    ['not a url', /not a URL/],
    ['http://a:b@host', /smpp:\/\//],
    ['smpp://host:2775', /system_id/],
    ['smpp://abcdefghijklmnop:x@host', /longer than 15/],
    ['smpp://a:123456789@host', /password/],
    ['smpp://a:b@host?bind=receiver', /bind=receiver/],
    ['smpp://a:b@host?window=0', /window=0/],
    ['smpp://a:b@host?window=ten', /window=ten/],
    ['smpp://a:b@host?tps=-1', /tps=-1/],
    ['smpp://a:b@host?enquireLinkSeconds=0', /enquireLinkSeconds/],
    ['smpp://a:b@host?source=MotcuaSMSHuyen', /11 characters/],
    ['smpp://a:b@host?shortCode=80A3', /shortCode/],
    ['smpp://a:b@host?windw=10', /unknown parameter "windw"/],
    ['smpp://a:b@host/path', /path/],
  ];
  for (const [input, message] of bad) test(`rejects ${input}`, () => assert.throws(() => parseSmppUrl(input), { message }));
});
