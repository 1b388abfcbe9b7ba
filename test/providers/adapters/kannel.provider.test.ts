import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createMetrics } from '../../../src/platform/metrics.js';
import {
  KannelProvider,
  kannelDlrUrl,
  kannelMessageId,
  parseKannelDlr,
  parseKannelOptions,
  type KannelOptions,
} from '../../../src/providers/adapters/kannel.provider.js';
import { callbackTokenMatches } from '../../../src/providers/adapters/http.shared.js';
import { ProviderError, type DeliveryReceipt, type OutgoingMessage } from '../../../src/providers/provider.js';

const logger = pino({ level: 'silent' });
const metrics = createMetrics({ defaultMetrics: false });

const VIETNAMESE = 'TB: Hồ sơ của quý ông/bà (MS: 000.00.18.H32-240501-0001) đã được giải quyết xong. Mời ông/bà đến nhận kết quả.';
const DLR_BASE = 'https://motcua.khanhhoa.gov.vn/receipts/kannel/s3cr3t';

const message = (overrides: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  id: 4711,
  kind: 'result_ready',
  channel: 'sms',
  to: '+84912345678',
  from: 'UBND-KHANHHOA',
  body: VIETNAMESE,
  encoding: 'ucs2',
  segments: 2,
  carrier: 'vinaphone',
  ...overrides,
});

interface Recorded {
  readonly method: string;
  readonly query: URLSearchParams;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Plays smsbox's sendsms on an ephemeral port: answers what the test sets and records the requests. */
class Smsbox {
  private server!: Server;
  requests: Recorded[] = [];
  private status = 202;
  private answer = '0: Accepted for delivery';
  private held: ServerResponse[] = [];
  private hanging = false;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://smsbox');
        this.requests.push({
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        if (this.hanging) this.held.push(res);
        else res.writeHead(this.status, { 'content-type': 'text/html' }).end(this.answer);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get sendsmsUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/cgi-bin/sendsms`;
  }

  answers(status: number, body: string): void {
    this.status = status;
    this.answer = body;
  }

  hang(): void {
    this.hanging = true;
  }

  reset(): void {
    this.requests = [];
    this.answers(202, '0: Accepted for delivery');
    this.hanging = false;
    for (const res of this.held.splice(0)) res.destroy();
  }

  async stop(): Promise<void> {
    this.reset();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function failure(promise: Promise<unknown>): Promise<{ retryable: boolean; reason: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProviderError, `a ProviderError, got ${String(error)}`);
    return { retryable: error.retryable, reason: error.reason };
  }
  assert.fail('the send should have failed');
}

const smsbox = new Smsbox();
before(() => smsbox.start());
after(() => smsbox.stop());
beforeEach(() => smsbox.reset());

const options = (overrides: Record<string, unknown> = {}): KannelOptions =>
  parseKannelOptions({ url: smsbox.sendsmsUrl, username: 'motcua', password: 'p@ss w0rd', dlrUrl: DLR_BASE, ...overrides });

async function withProvider<T>(overrides: Record<string, unknown>, run: (provider: KannelProvider) => Promise<T>): Promise<T> {
  const provider = new KannelProvider('kannel', options(overrides), logger, metrics);
  try {
    return await run(provider);
  } finally {
    await provider.close();
  }
}

describe('KannelProvider sendsms', () => {
  test('GET: UCS-2 text goes as coding=2 with charset=UTF-8, and the dlr-url carries our id and Kannel escapes', async () => {
    const outcome = await withProvider({}, (kannel) => kannel.send(message()));
    assert.deepEqual(outcome, { status: 'sent', providerMessageId: 'kannel-4711' });

    const [request] = smsbox.requests;
    assert.equal(request?.method, 'GET');
    assert.equal(request?.path, '/cgi-bin/sendsms');
    assert.deepEqual(Object.fromEntries(request!.query), {
      username: 'motcua',
      password: 'p@ss w0rd',
      from: 'UBND-KHANHHOA',
      to: '84912345678',
      coding: '2',
      charset: 'UTF-8',
      text: VIETNAMESE,
      'dlr-mask': '31',
      'dlr-url': `${DLR_BASE}?nid=4711&type=%d&reply=%A&ts=%T&to=%p&fid=%F&kid=%I`,
    });
  });

  test('GET: a folded text goes as coding=0; smsc and the number format are honoured', async () => {
    await withProvider({ smsc: 'vnpt-smpp', numberFormat: 'local' }, (kannel) =>
      kannel.send(message({ body: 'TB: Ho so da co ket qua.', encoding: 'gsm7', segments: 1 })),
    );
    const query = smsbox.requests[0]!.query;
    assert.equal(query.get('coding'), '0');
    assert.equal(query.get('text'), 'TB: Ho so da co ket qua.');
    assert.equal(query.get('smsc'), 'vnpt-smpp');
    assert.equal(query.get('to'), '0912345678');
  });

  test('without a dlrUrl no delivery report is asked for', async () => {
    await withProvider({ dlrUrl: null }, (kannel) => kannel.send(message()));
    const query = smsbox.requests[0]!.query;
    assert.equal(query.has('dlr-url'), false);
    assert.equal(query.has('dlr-mask'), false);
  });

  test('a dlrUrl with its own query string gets ours appended with &', async () => {
    await withProvider({ dlrUrl: 'https://motcua.khanhhoa.gov.vn/dlr?token=abc' }, (kannel) => kannel.send(message()));
    assert.equal(
      smsbox.requests[0]!.query.get('dlr-url'),
      'https://motcua.khanhhoa.gov.vn/dlr?token=abc&nid=4711&type=%d&reply=%A&ts=%T&to=%p&fid=%F&kid=%I',
    );
  });

  test('POST: the UTF-8 text is the body and the parameters are X-Kannel headers', async () => {
    await withProvider({ method: 'POST', dlrMask: 3 }, (kannel) => kannel.send(message()));
    const [request] = smsbox.requests;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.body, VIETNAMESE);
    assert.equal(request?.headers['content-type'], 'text/plain; charset=UTF-8');
    assert.equal(request?.headers['x-kannel-username'], 'motcua');
    assert.equal(request?.headers['x-kannel-password'], 'p@ss w0rd');
    assert.equal(request?.headers['x-kannel-from'], 'UBND-KHANHHOA');
    assert.equal(request?.headers['x-kannel-to'], '84912345678');
    assert.equal(request?.headers['x-kannel-coding'], '2');
    assert.equal(request?.headers['x-kannel-dlr-mask'], '3');
    assert.equal(request?.headers['x-kannel-dlr-url'], `${DLR_BASE}?nid=4711&type=%d&reply=%A&ts=%T&to=%p&fid=%F&kid=%I`);
    assert.equal(request?.query.size, 0, 'nothing in the query string, the password least of all');
  });

  const accepted: [status: number, answer: string][] = [
    [202, '0: Accepted for delivery'],
    [202, '3: Queued for later delivery'],
    [202, 'Sent.'],
  ];
  for (const [status, answer] of accepted) {
    test(`${status} "${answer}" → sent, known by our own id`, async () => {
      smsbox.answers(status, answer);
      assert.deepEqual(await withProvider({}, (kannel) => kannel.send(message({ id: 99 }))), {
        status: 'sent',
        providerMessageId: 'kannel-99',
      });
    });
  }

  const refused: [status: number, answer: string, retryable: boolean, reason: string][] = [
    [403, 'Authorization failed for sendsms', false, 'provider_auth'],
    [403, 'Not routable. Do not try again.', false, 'not_routable'],
    [400, 'Missing receiver number, rejected', false, 'provider_rejected'],
    [400, "Garbage 'to' field, rejected.", false, 'provider_rejected'],
    [503, 'Temporal failure, try again later.', true, 'provider_unavailable'],
    [500, 'Internal error', true, 'provider_unavailable'],
    [200, '<html>a proxy page</html>', true, 'provider_bad_response'],
  ];
  for (const [status, answer, retryable, reason] of refused) {
    test(`${status} "${answer}" → ${retryable ? 'retryable' : 'permanent'} ${reason}`, async () => {
      smsbox.answers(status, answer);
      assert.deepEqual(await failure(withProvider({}, (kannel) => kannel.send(message()))), { retryable, reason });
    });
  }

  test('no answer within the timeout → retryable provider_timeout', async () => {
    smsbox.hang();
    assert.deepEqual(await failure(withProvider({ timeoutMs: 300 }, (kannel) => kannel.send(message()))), {
      retryable: true,
      reason: 'provider_timeout',
    });
  });

  test('smsbox down → retryable provider_unreachable', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    assert.deepEqual(await failure(withProvider({ url: `http://127.0.0.1:${port}/cgi-bin/sendsms` }, (kannel) => kannel.send(message()))), {
      retryable: true,
      reason: 'provider_unreachable',
    });
  });
});

describe('parseKannelDlr', () => {
  /** What Kannel calls after substituting the escapes of our dlr-url. */
  const call = (fields: Record<string, string>) => Object.fromEntries(new URL(`${DLR_BASE}?${new URLSearchParams(fields)}`).searchParams);
  const receipt = (
    status: DeliveryReceipt['status'],
    providerStatus: string,
    errorCode: string | null,
    at: number | null,
  ): DeliveryReceipt => ({
    provider: 'kannel',
    providerMessageId: 'kannel-4711',
    status,
    providerStatus,
    errorCode,
    at,
  });
  const SMPP_DELIVERED =
    'id:0A1B2C3D sub:001 dlvrd:001 submit date:2405011030 done date:2405011031 stat:DELIVRD err:000 text:TB: Ho so cua quy';
  const SMPP_UNDELIVERED =
    'id:0A1B2C3D sub:001 dlvrd:000 submit date:2405011030 done date:2405021030 stat:UNDELIV err:001 text:TB: Ho so cua quy';

  const rows: [label: string, fields: Record<string, string>, expected: DeliveryReceipt | null][] = [
    [
      '1 delivered to the phone',
      { nid: '4711', type: '1', reply: SMPP_DELIVERED, ts: '1714534260', to: '84912345678', fid: '0A1B2C3D', kid: 'c0ffee' },
      receipt('delivered', 'DELIVRD', null, 1714534260000),
    ],
    [
      '2 not delivered to the phone',
      { nid: '4711', type: '2', reply: SMPP_UNDELIVERED, ts: '1714620600' },
      receipt('failed', 'UNDELIV', '001', 1714620600000),
    ],
    ['4 buffered at the SMSC', { nid: '4711', type: '4', reply: 'ACK/', ts: '1714534200' }, receipt('sent', 'type=4', null, 1714534200000)],
    ['8 accepted by the SMSC', { nid: '4711', type: '8', reply: 'ACK/', ts: '1714534200' }, receipt('sent', 'type=8', null, 1714534200000)],
    [
      '16 rejected by the SMSC',
      { nid: '4711', type: '16', reply: 'NACK/0x00000045/Message submit failed', ts: '1714534200' },
      receipt('failed', 'type=16', '0x00000045', 1714534200000),
    ],
    ['a report without reply or time', { nid: '4711', type: '1' }, receipt('delivered', 'type=1', null, null)],
    ['an escape Kannel left unsubstituted', { nid: '4711', type: '2', reply: '', ts: '%T' }, receipt('failed', 'type=2', null, null)],
    ['no notification id', { type: '1' }, null],
    ['a notification id that is not ours', { nid: 'abc', type: '1' }, null],
    ['no type', { nid: '4711' }, null],
    ['a combined type Kannel never sends', { nid: '4711', type: '3' }, null],
    ['an unsubstituted type', { nid: '4711', type: '%d' }, null],
  ];
  for (const [label, fields, expected] of rows) {
    test(label, () => assert.deepEqual(parseKannelDlr('kannel', call(fields)), expected));
  }

  test('the receipt id is the providerMessageId the send returned', () => {
    assert.equal(parseKannelDlr('kannel', call({ nid: '99', type: '1' }))?.providerMessageId, kannelMessageId(99));
  });
});

describe('Kannel options and dlr-url', () => {
  test('defaults', () => {
    assert.deepEqual(parseKannelOptions({ url: 'http://127.0.0.1:13013/cgi-bin/sendsms', username: 'motcua' }), {
      url: 'http://127.0.0.1:13013/cgi-bin/sendsms',
      method: 'GET',
      username: 'motcua',
      password: '',
      smsc: null,
      numberFormat: 'msisdn',
      dlrUrl: null,
      dlrMask: 31,
      timeoutMs: 10_000,
    });
  });

  const bad: [label: string, raw: Record<string, unknown>, message: RegExp][] = [
    ['no url', { username: 'u' }, /kannel\.url must be a non-empty string/],
    ['no username', { url: 'http://127.0.0.1:13013/cgi-bin/sendsms' }, /kannel\.username must be a non-empty string/],
    [
      'a dlr-mask out of range',
      { url: 'http://k/cgi-bin/sendsms', username: 'u', dlrMask: 64 },
      /kannel\.dlrMask must be an integer from 1 to 31/,
    ],
    [
      'an unknown number format',
      { url: 'http://k/cgi-bin/sendsms', username: 'u', numberFormat: 'intl' },
      /kannel\.numberFormat must be one of "e164", "msisdn", "local"/,
    ],
    ['a misspelt key', { url: 'http://k/cgi-bin/sendsms', username: 'u', dlr_url: 'http://x' }, /kannel\.dlr_url is not a known option/],
  ];
  for (const [label, raw, pattern] of bad) {
    test(`rejects ${label}`, () => assert.throws(() => parseKannelOptions(raw), pattern));
  }

  test('the dlr-url base carries the secret in its path, and only that secret verifies', () => {
    assert.equal(kannelDlrUrl('https://motcua.khanhhoa.gov.vn/', 's3cr3t'), DLR_BASE);
    assert.equal(callbackTokenMatches('s3cr3t', 's3cr3t'), true);
    assert.equal(callbackTokenMatches('s3cr3t', 's3cr3T'), false);
    assert.equal(callbackTokenMatches('s3cr3t', undefined), false);
  });
});
