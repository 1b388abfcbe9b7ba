import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { pino } from 'pino';
import { ConfigError } from '../../../src/platform/config/config.js';
import { createMetrics } from '../../../src/platform/metrics.js';
import {
  EsmsProvider,
  esmsCallbackUrl,
  parseEsmsOptions,
  parseEsmsReceipt,
  type EsmsOptions,
} from '../../../src/providers/adapters/esms.provider.js';
import { callbackTokenMatches } from '../../../src/providers/adapters/http.shared.js';
import { HttpSmsProvider, parseHttpSmsOptions, type HttpSmsOptions } from '../../../src/providers/adapters/http.provider.js';
import { ProviderError, type DeliveryReceipt, type OutgoingMessage } from '../../../src/providers/provider.js';
import {
  SpeedSmsProvider,
  parseSpeedSmsOptions,
  parseSpeedSmsReceipt,
  speedSmsCallbackUrl,
  type SpeedSmsOptions,
} from '../../../src/providers/adapters/speedsms.provider.js';

const logger = pino({ level: 'silent' });
const metrics = createMetrics({ defaultMetrics: false });

const VIETNAMESE =
  'TB: Hồ sơ của quý ông/bà (MS: 000.00.18.H32-240501-0001) đã được giải quyết xong. Mời ông/bà đến Bộ phận Một cửa UBND phường Lộc Thọ để nhận kết quả.';

const message = (overrides: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  id: 4711,
  kind: 'result_ready',
  channel: 'sms',
  to: '+84912345678',
  from: 'UBND-KHANHHOA',
  body: VIETNAMESE,
  encoding: 'ucs2',
  segments: 3,
  carrier: 'vinaphone',
  ...overrides,
});

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly remotePort: number | undefined;
}

/** A real HTTP server on an ephemeral port that answers with whatever the test sets and records what it got. */
class Aggregator {
  private server!: Server;
  requests: Recorded[] = [];
  answer: (res: ServerResponse, request: Recorded) => void = (res) => res.end();
  private held: ServerResponse[] = [];
  /** Server-side sockets by the client's port, to see what the client does with its connections. */
  readonly sockets = new Map<number, Socket>();

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const recorded = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          remotePort: req.socket.remotePort,
        };
        this.requests.push(recorded);
        this.answer(res, recorded);
      });
    });
    this.server.on('connection', (socket: Socket) => this.sockets.set(socket.remotePort!, socket));
    // long enough that a pause on a busy machine cannot close an idle keep-alive connection under a test
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get base(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  json(status: number, body: unknown): void {
    this.answer = (res) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  }

  raw(status: number, body: string, contentType = 'text/html'): void {
    this.answer = (res) => res.writeHead(status, { 'content-type': contentType }).end(body);
  }

  /** Never answers, until the test ends. */
  hang(): void {
    this.answer = (res) => this.held.push(res);
  }

  reset(): void {
    this.requests = [];
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

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/send`;
}

const server = new Aggregator();
before(() => server.start());
after(() => server.stop());
beforeEach(() => server.reset());

// ─── eSMS ──────────────────────────────────────────────────────────────────

describe('eSMS preset', () => {
  const ESMS_PATH = '/MainService.svc/json/SendMultipleMessage_V4_post_json/';
  const options = (overrides: Partial<EsmsOptions> = {}): EsmsOptions => ({
    ...parseEsmsOptions({
      apiKey: 'A1B2C3',
      secretKey: 'S3CR3T',
      url: `${server.base}${ESMS_PATH}`,
      callbackUrl: 'https://motcua.khanhhoa.gov.vn/receipts/esms/tok3n',
      requestIdPrefix: 'kh-',
    }),
    ...overrides,
  });
  let esms: EsmsProvider;
  before(() => {
    esms = new EsmsProvider('esms', options(), logger, metrics);
  });
  after(() => esms.close());

  test('posts the documented JSON and reads SMSID from CodeResult 100', async () => {
    server.json(200, { CodeResult: '100', CountRegenerate: 0, SMSID: 'd533459ee42b2b9525ba9eabf6a8156' });
    const outcome = await esms.send(message());
    assert.deepEqual(outcome, { status: 'sent', providerMessageId: 'd533459ee42b2b9525ba9eabf6a8156' });

    const [request] = server.requests;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.url, ESMS_PATH);
    assert.equal(request?.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request!.body), {
      ApiKey: 'A1B2C3',
      Content: VIETNAMESE,
      Phone: '0912345678',
      SecretKey: 'S3CR3T',
      Brandname: 'UBND-KHANHHOA',
      SmsType: '2',
      IsUnicode: '1',
      Sandbox: '0',
      RequestId: 'kh-4711',
      CallbackUrl: 'https://motcua.khanhhoa.gov.vn/receipts/esms/tok3n',
    });
  });

  test('a folded (GSM) text goes with IsUnicode 0; no callback URL sends no CallbackUrl; sandbox is 1', async () => {
    const plain = new EsmsProvider('esms-plain', options({ callbackUrl: null, sandbox: true }), logger, metrics);
    try {
      server.json(200, { CodeResult: '100', CountRegenerate: 0, SMSID: 'abc' });
      await plain.send(message({ body: 'TB: Ho so cua quy ong/ba da co ket qua.', encoding: 'gsm7', segments: 1 }));
      const sent = JSON.parse(server.requests[0]!.body) as Record<string, unknown>;
      assert.equal(sent.IsUnicode, '0');
      assert.equal(sent.Content, 'TB: Ho so cua quy ong/ba da co ket qua.');
      assert.equal(sent.Sandbox, '1');
      assert.equal('CallbackUrl' in sent, false);
    } finally {
      await plain.close();
    }
  });

  test('RequestId 124 (duplicate): an earlier attempt of this message got through', async () => {
    server.json(200, { CodeResult: '124', CountRegenerate: 0, ErrorMessage: 'Request exist 1', SendStatus: '5' });
    assert.deepEqual(await esms.send(message()), { status: 'sent', providerMessageId: null });
  });

  const codes: [code: string, errorMessage: string, retryable: boolean, reason: string][] = [
    ['99', 'Phone is blocked', false, 'recipient_blocked'],
    ['101', 'Authorize Failed', false, 'provider_auth'],
    ['102', 'No price list', false, 'provider_account'],
    ['103', 'Balance not enough', true, 'provider_balance'],
    ['104', 'Brand name code is not exist', false, 'brandname_invalid'],
    ['108', 'Phone number is not correct', false, 'invalid_recipient'],
    ['118', 'SmsType is not valid', false, 'provider_bad_request'],
    ['119', 'Brandname QC min 20 numbers', false, 'provider_bad_request'],
    ['131', 'Max 422 characters', false, 'message_too_long'],
    ['132', 'No permission 8755', false, 'provider_bad_request'],
    ['140', 'IP is not whitelisted', false, 'provider_auth'],
    ['146', 'Sai template Brandname CSKH', false, 'template_not_registered'],
    ['177', 'The Network Viettel have not registry.', false, 'carrier_not_registered'],
    ['555', 'a code nobody documented', false, 'provider_rejected'],
  ];
  for (const [code, errorMessage, retryable, reason] of codes) {
    test(`CodeResult ${code} → ${retryable ? 'retryable' : 'permanent'} ${reason}`, async () => {
      server.json(200, { CodeResult: code, CountRegenerate: 0, ErrorMessage: errorMessage });
      assert.deepEqual(await failure(esms.send(message())), { retryable, reason });
    });
  }

  test('the bare {"error": "Invalid request"} answer fails the message', async () => {
    server.json(200, { error: 'Invalid request' });
    assert.deepEqual(await failure(esms.send(message())), { retryable: false, reason: 'provider_rejected' });
  });

  const transport: [label: string, arrange: () => void, retryable: boolean, reason: string][] = [
    ['HTTP 500', () => server.raw(500, 'Internal Server Error'), true, 'provider_unavailable'],
    ['HTTP 503', () => server.raw(503, 'Service Unavailable'), true, 'provider_unavailable'],
    ['HTTP 429', () => server.raw(429, 'Too Many Requests'), true, 'provider_rate_limited'],
    ['HTTP 401', () => server.raw(401, 'Unauthorized'), false, 'provider_auth'],
    ['HTTP 403', () => server.raw(403, 'Forbidden'), false, 'provider_auth'],
    ['HTTP 400 with a page', () => server.raw(400, '<html>Bad Request</html>'), false, 'provider_rejected'],
    [
      'HTTP 200 with malformed JSON',
      () => server.raw(200, '{"CodeResult":"100","SMSID":', 'application/json'),
      true,
      'provider_bad_response',
    ],
    ['HTTP 200 with an HTML error page', () => server.raw(200, '<html><body>IIS error</body></html>'), true, 'provider_bad_response'],
  ];
  for (const [label, arrange, retryable, reason] of transport) {
    test(`${label} → ${retryable ? 'retryable' : 'permanent'} ${reason}`, async () => {
      arrange();
      assert.deepEqual(await failure(esms.send(message())), { retryable, reason });
    });
  }

  test('no answer within the timeout → retryable provider_timeout', async () => {
    const impatient = new EsmsProvider('esms-slow', options({ timeoutMs: 300 }), logger, metrics);
    try {
      server.hang();
      assert.deepEqual(await failure(impatient.send(message())), { retryable: true, reason: 'provider_timeout' });
      assert.equal(server.requests.length, 1, 'the request did arrive');
    } finally {
      await impatient.close();
    }
  });

  test('nothing listening → retryable provider_unreachable', async () => {
    const down = new EsmsProvider('esms-down', options({ url: await closedPortUrl() }), logger, metrics);
    try {
      assert.deepEqual(await failure(down.send(message())), { retryable: true, reason: 'provider_unreachable' });
    } finally {
      await down.close();
    }
  });

  test('keeps its connection open after a send, and close() closes it', async () => {
    const pooled = new EsmsProvider('esms-pooled', options(), logger, metrics);
    server.json(200, { CodeResult: '100', SMSID: 'x' });
    await pooled.send(message());
    const socket = server.sockets.get(server.requests[0]!.remotePort!);
    assert.ok(socket && !socket.destroyed, 'the connection stays open for the next send');
    const closed = once(socket, 'close');
    await pooled.close();
    await closed;
  });
});

describe('parseEsmsReceipt', () => {
  const query = (qs: string) => Object.fromEntries(new URLSearchParams(qs));
  const rows: [label: string, qs: string, expected: DeliveryReceipt | null][] = [
    [
      'the documented customer-care sample: finished, both failed',
      'SMSID=dc712784-9c5f-4c69-b9a8-ea69d56adc9a87&SendFailed=2&SendStatus=5&SendSuccess=0&TotalPrice=0.0000&TotalReceiver=2&TotalSent=2&RequestId=&TypeId=2&telcoid=1&phonenumber=0901888484&switchsmsid=',
      {
        provider: 'esms',
        providerMessageId: 'dc712784-9c5f-4c69-b9a8-ea69d56adc9a87',
        status: 'failed',
        providerStatus: 'SendStatus=5',
        errorCode: null,
        at: null,
      },
    ],
    [
      'finished and delivered',
      'SMSID=849fe08c19294b02857cf91687021a50250&SendFailed=0&SendStatus=5&SendSuccess=1&TotalPrice=470.0000&TotalReceiver=1&TotalSent=1&RequestId=kh-4711&TypeId=2&telcoid=3&phonenumber=0912345678',
      {
        provider: 'esms',
        providerMessageId: '849fe08c19294b02857cf91687021a50250',
        status: 'delivered',
        providerStatus: 'SendStatus=5',
        errorCode: null,
        at: null,
      },
    ],
    [
      'rejected',
      'SMSID=aa11&SendFailed=1&SendStatus=4&SendSuccess=0&TotalReceiver=1&TotalSent=0&RequestId=kh-4712&TypeId=2',
      { provider: 'esms', providerMessageId: 'aa11', status: 'failed', providerStatus: 'SendStatus=4', errorCode: null, at: null },
    ],
    [
      'sent to the carrier, awaiting its report',
      'SMSID=bb22&SendFailed=0&SendStatus=7&SendSuccess=0&TotalReceiver=1&TotalSent=1&TypeId=2',
      { provider: 'esms', providerMessageId: 'bb22', status: 'sent', providerStatus: 'SendStatus=7', errorCode: null, at: null },
    ],
    [
      'awaiting approval',
      'SMSID=cc33&SendFailed=0&SendStatus=1&SendSuccess=0',
      { provider: 'esms', providerMessageId: 'cc33', status: 'sent', providerStatus: 'SendStatus=1', errorCode: null, at: null },
    ],
    ['no SMSID', 'SendFailed=0&SendStatus=5&SendSuccess=1', null],
    ['an empty SMSID', 'SMSID=&SendStatus=5&SendSuccess=1', null],
  ];
  for (const [label, qs, expected] of rows) {
    test(label, () => assert.deepEqual(parseEsmsReceipt('esms', query(qs)), expected));
  }

  test('a repeated field counts once (the first)', () => {
    assert.equal(parseEsmsReceipt('esms', { SMSID: ['dd44', 'ee55'], SendStatus: '5', SendSuccess: '1' })?.providerMessageId, 'dd44');
  });
});

// ─── SpeedSMS ──────────────────────────────────────────────────────────────

describe('SpeedSMS preset', () => {
  const options = (overrides: Partial<SpeedSmsOptions> = {}): SpeedSmsOptions => ({
    ...parseSpeedSmsOptions({ accessToken: 'L5CSaUvyf9gW38qz7HPnCZLUjASwft-J', url: `${server.base}/index.php/sms/send` }),
    ...overrides,
  });
  let speed: SpeedSmsProvider;
  before(() => {
    speed = new SpeedSmsProvider('speedsms', options(), logger, metrics);
  });
  after(() => speed.close());

  test('posts the documented JSON with basic auth token:x and reads data.tranId', async () => {
    server.json(200, { status: 'success', code: '00', data: { tranId: 123456, totalSMS: 3, totalPrice: 750, invalidPhone: [] } });
    assert.deepEqual(await speed.send(message()), { status: 'sent', providerMessageId: '123456' });

    const [request] = server.requests;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.url, '/index.php/sms/send');
    assert.equal(request?.headers.authorization, `Basic ${Buffer.from('L5CSaUvyf9gW38qz7HPnCZLUjASwft-J:x').toString('base64')}`);
    assert.equal(request?.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request!.body), { to: ['84912345678'], content: VIETNAMESE, sms_type: 3, sender: 'UBND-KHANHHOA' });
  });

  const codes: [code: string, errorMessage: string, retryable: boolean, reason: string][] = [
    ['007', 'IP locked', false, 'provider_auth'],
    ['008', 'Account blocked', false, 'provider_auth'],
    ['009', 'Account not allow to call the API', false, 'provider_auth'],
    ['101', 'Invalid or missing parameters', false, 'provider_bad_request'],
    ['105', 'Phone number invalid', false, 'invalid_recipient'],
    ['110', 'Not support sms content encoding', false, 'unsupported_encoding'],
    ['113', 'Sms content too long', false, 'message_too_long'],
    ['300', 'Your account balance not enough to send sms', true, 'provider_balance'],
    ['500', 'Internal error, please try again', true, 'provider_error'],
  ];
  for (const [code, errorMessage, retryable, reason] of codes) {
    test(`code ${code} → ${retryable ? 'retryable' : 'permanent'} ${reason}`, async () => {
      server.json(200, { status: 'error', code, message: errorMessage, invalidPhone: [] });
      assert.deepEqual(await failure(speed.send(message())), { retryable, reason });
    });
  }

  test('its documented rate-limit answer → retryable provider_rate_limited', async () => {
    server.json(429, { name: 'Too Many Requests', message: 'Rate limit exceeded.', code: 0, status: 429 });
    assert.deepEqual(await failure(speed.send(message())), { retryable: true, reason: 'provider_rate_limited' });
  });

  test('a wrong token (HTTP 401) → permanent provider_auth', async () => {
    server.json(401, { name: 'Unauthorized', message: 'Your request was made with invalid credentials.', code: 0, status: 401 });
    assert.deepEqual(await failure(speed.send(message())), { retryable: false, reason: 'provider_auth' });
  });
});

describe('parseSpeedSmsReceipt', () => {
  const rows: [label: string, body: unknown, expected: DeliveryReceipt | null][] = [
    [
      'delivered',
      { type: 'report', tranId: 123456, phone: '84912345678', status: 0 },
      { provider: 'speedsms', providerMessageId: '123456', status: 'delivered', providerStatus: 'status=0', errorCode: null, at: null },
    ],
    [
      'a temporary failure SpeedSMS keeps retrying',
      { type: 'report', tranId: 123456, phone: '84912345678', status: 3 },
      { provider: 'speedsms', providerMessageId: '123456', status: 'sent', providerStatus: 'status=3', errorCode: '3', at: null },
    ],
    [
      'the last temporary code',
      { type: 'report', tranId: '123456', phone: '84912345678', status: '63' },
      { provider: 'speedsms', providerMessageId: '123456', status: 'sent', providerStatus: 'status=63', errorCode: '63', at: null },
    ],
    [
      'failed from 64 on',
      { type: 'report', tranId: 123456, phone: '84912345678', status: 64 },
      { provider: 'speedsms', providerMessageId: '123456', status: 'failed', providerStatus: 'status=64', errorCode: '64', at: null },
    ],
    [
      'failed, a high code',
      { type: 'report', tranId: 987, phone: '84912345678', status: 255 },
      { provider: 'speedsms', providerMessageId: '987', status: 'failed', providerStatus: 'status=255', errorCode: '255', at: null },
    ],
    ['an incoming SMS, not a report', { type: 'sms', phone: '84912345678', content: 'MCKH 123', sms_type: 1 }, null],
    ['no tranId', { type: 'report', phone: '84912345678', status: 0 }, null],
    ['a status that is not a number', { type: 'report', tranId: 1, status: 'ok' }, null],
    ['null', null, null],
    ['a list', [{ type: 'report', tranId: 1, status: 0 }], null],
    ['a string', 'type=report', null],
  ];
  for (const [label, body, expected] of rows) {
    test(label, () => assert.deepEqual(parseSpeedSmsReceipt('speedsms', body), expected));
  }
});

describe('callback URLs and their secrets', () => {
  test('the secret goes in the path, after the public base without its trailing slash', () => {
    assert.equal(esmsCallbackUrl('https://motcua.khanhhoa.gov.vn/', 's3cr3t_-x'), 'https://motcua.khanhhoa.gov.vn/receipts/esms/s3cr3t_-x');
    assert.equal(
      speedSmsCallbackUrl('https://motcua.khanhhoa.gov.vn/app', 's3cr3t'),
      'https://motcua.khanhhoa.gov.vn/app/receipts/speedsms/s3cr3t',
    );
  });

  test('an empty secret is refused', () => {
    assert.throws(() => esmsCallbackUrl('https://motcua.khanhhoa.gov.vn', ''), ConfigError);
  });

  const checks: [presented: string | null | undefined, expected: boolean][] = [
    ['s3cr3t-token', true],
    ['s3cr3t-tokem', false],
    ['s3cr3t', false],
    ['s3cr3t-token-and-more', false],
    ['', false],
    [null, false],
    [undefined, false],
  ];
  for (const [presented, expected] of checks) {
    test(`verify ${JSON.stringify(presented) ?? 'undefined'} → ${expected}`, () => {
      assert.equal(callbackTokenMatches('s3cr3t-token', presented), expected);
    });
  }

  test('an empty configured secret matches nothing', () => {
    assert.equal(callbackTokenMatches('', ''), false);
  });
});

// ─── the generic adapter ───────────────────────────────────────────────────

describe('generic adapter, form mode', () => {
  const config = (overrides: Record<string, unknown> = {}) => ({
    url: `${server.base}/api/send.php`,
    method: 'POST',
    format: 'form',
    headers: { 'x-client': 'motcua' },
    auth: { type: 'bearer', token: 'tok-123' },
    body: {
      user: 'ubnd',
      msisdn: '{to_msisdn}',
      local: '{to_local}',
      e164: '{to}',
      message: '{text}',
      sender: '{from}',
      unicode: '{unicode}',
      ref: 'mc-{id}',
      dlr: '{callbackUrl}',
      priority: 1,
    },
    response: {
      successPath: 'result.ok',
      successValues: ['true'],
      messageIdPath: 'result.id',
      errorCodePath: 'error.code',
      errorMessagePath: 'error.text',
    },
    errorCodes: {
      E_QUOTA: { outcome: 'retryable', reason: 'provider_balance' },
      E_NUMBER: { outcome: 'permanent', reason: 'invalid_recipient' },
    },
    timeoutMs: 5000,
    callbackUrl: 'https://motcua.example.vn/receipts/generic/abc',
    ...overrides,
  });

  test('posts url-encoded fields with the placeholders filled and the Vietnamese intact', async () => {
    const provider = new HttpSmsProvider('generic', parseHttpSmsOptions(config()), logger, metrics);
    try {
      server.json(200, { result: { ok: true, id: 'G-77' } });
      assert.deepEqual(await provider.send(message()), { status: 'sent', providerMessageId: 'G-77' });
      const [request] = server.requests;
      assert.equal(request?.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(request?.headers.authorization, 'Bearer tok-123');
      assert.equal(request?.headers['x-client'], 'motcua');
      assert.deepEqual(Object.fromEntries(new URLSearchParams(request!.body)), {
        user: 'ubnd',
        msisdn: '84912345678',
        local: '0912345678',
        e164: '+84912345678',
        message: VIETNAMESE,
        sender: 'UBND-KHANHHOA',
        unicode: '1',
        ref: 'mc-4711',
        dlr: 'https://motcua.example.vn/receipts/generic/abc',
        priority: '1',
      });
    } finally {
      await provider.close();
    }
  });

  test('GET puts the fields in the query string, after the URL’s own', async () => {
    const provider = new HttpSmsProvider(
      'generic-get',
      parseHttpSmsOptions(config({ method: 'GET', url: `${server.base}/send?account=7` })),
      logger,
      metrics,
    );
    try {
      server.json(200, { result: { ok: 'true', id: 9 } });
      assert.deepEqual(await provider.send(message()), { status: 'sent', providerMessageId: '9' });
      const [request] = server.requests;
      assert.equal(request?.method, 'GET');
      assert.equal(request?.body, '');
      const query = new URL(request!.url, server.base).searchParams;
      assert.equal(query.get('account'), '7');
      assert.equal(query.get('message'), VIETNAMESE);
      assert.equal(query.get('msisdn'), '84912345678');
    } finally {
      await provider.close();
    }
  });

  const answers: [label: string, status: number, body: unknown, retryable: boolean, reason: string][] = [
    [
      'a code from its table, retryable',
      200,
      { result: { ok: false }, error: { code: 'E_QUOTA', text: 'quota' } },
      true,
      'provider_balance',
    ],
    [
      'a code from its table, permanent',
      200,
      { result: { ok: false }, error: { code: 'E_NUMBER', text: 'bad number' } },
      false,
      'invalid_recipient',
    ],
    ['a 400 whose JSON code is in the table', 400, { error: { code: 'E_NUMBER' } }, false, 'invalid_recipient'],
    ['a success flag on a 4xx is not success', 422, { result: { ok: true, id: 'x' } }, false, 'provider_rejected'],
    ['no code at all', 200, { result: { ok: false } }, false, 'provider_rejected'],
  ];
  for (const [label, status, body, retryable, reason] of answers) {
    test(`${label} → ${retryable ? 'retryable' : 'permanent'} ${reason}`, async () => {
      const provider = new HttpSmsProvider('generic', parseHttpSmsOptions(config()), logger, metrics);
      try {
        server.json(status, body);
        assert.deepEqual(await failure(provider.send(message())), { retryable, reason });
      } finally {
        await provider.close();
      }
    });
  }

  test('JSON mode sends nested values as written and typed', async () => {
    const provider = new HttpSmsProvider(
      'generic-json',
      parseHttpSmsOptions(
        config({
          format: 'json',
          auth: { type: 'basic', username: 'u', password: 'p' },
          body: { messages: [{ to: '{to}', text: '{text}', flash: false, ttl: 60 }] },
        }),
      ),
      logger,
      metrics,
    );
    try {
      server.json(201, { result: { ok: true, id: 'J1' } });
      await provider.send(message());
      const [request] = server.requests;
      assert.equal(request?.headers.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
      assert.deepEqual(JSON.parse(request!.body), { messages: [{ to: '+84912345678', text: VIETNAMESE, flash: false, ttl: 60 }] });
    } finally {
      await provider.close();
    }
  });
  test('a configured Content-Type replaces ours whatever its case', async () => {
    const provider = new HttpSmsProvider(
      'generic-ct',
      parseHttpSmsOptions(config({ format: 'json', headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: { to: '{to}' } })),
      logger,
      metrics,
    );
    try {
      server.json(200, { result: { ok: true, id: 'C1' } });
      await provider.send(message());
      assert.equal(server.requests[0]?.headers['content-type'], 'application/json; charset=utf-8');
    } finally {
      await provider.close();
    }
  });
});

describe('parseHttpSmsOptions', () => {
  const valid = {
    url: 'https://sms.example.vn/send',
    format: 'json',
    body: { to: '{to}', text: '{text}' },
    response: { successPath: 'ok', successValues: [true] },
  };

  test('fills the defaults', () => {
    const expected: HttpSmsOptions = {
      url: 'https://sms.example.vn/send',
      method: 'POST',
      format: 'json',
      headers: {},
      auth: null,
      body: { to: '{to}', text: '{text}' },
      response: { successPath: 'ok', successValues: ['true'], messageIdPath: null, errorCodePath: null, errorMessagePath: null },
      errorCodes: {},
      timeoutMs: 10_000,
      callbackUrl: null,
    };
    assert.deepEqual(parseHttpSmsOptions(valid), expected);
  });

  const bad: [label: string, raw: unknown, message: RegExp][] = [
    ['not an object', 'https://sms.example.vn', /^http must be an object$/],
    ['no url', { ...valid, url: undefined }, /http\.url must be a non-empty string/],
    ['a relative url', { ...valid, url: '/send' }, /http\.url must be an absolute URL/],
    ['an ftp url', { ...valid, url: 'ftp://sms.example.vn' }, /http\.url must be an http or https URL/],
    ['a misspelt key', { ...valid, timeout: 5 }, /http\.timeout is not a known option/],
    ['an unknown method', { ...valid, method: 'PUT' }, /http\.method must be one of "GET", "POST"/],
    ['GET with JSON', { ...valid, method: 'GET' }, /http\.format must be "form" with method GET/],
    ['no format', { ...valid, format: undefined }, /http\.format must be one of "json", "form"/],
    ['an unknown placeholder', { ...valid, body: { to: '{phone}' } }, /http\.body\.to uses unknown placeholder \{phone\}/],
    [
      'a nested unknown placeholder',
      { ...valid, body: { list: [{ to: '{msisdn}' }] } },
      /http\.body\.list\.0\.to uses unknown placeholder \{msisdn\}/,
    ],
    [
      'a nested field in form mode',
      { ...valid, format: 'form', body: { to: ['{to}'] } },
      /http\.body\.to must be a string, number or boolean in form format/,
    ],
    ['an empty body', { ...valid, body: {} }, /http\.body must have at least one field/],
    [
      'no success values',
      { ...valid, response: { successPath: 'ok', successValues: [] } },
      /http\.response\.successValues must be a non-empty list/,
    ],
    [
      'a bad error rule',
      { ...valid, errorCodes: { E1: { outcome: 'maybe', reason: 'x' } } },
      /http\.errorCodes\.E1\.outcome must be one of/,
    ],
    [
      'an error rule without reason',
      { ...valid, errorCodes: { E1: { outcome: 'permanent' } } },
      /http\.errorCodes\.E1\.reason must be a non-empty string/,
    ],
    ['an unknown auth type', { ...valid, auth: { type: 'digest' } }, /http\.auth\.type must be one of "basic", "bearer"/],
    ['a bearer without token', { ...valid, auth: { type: 'bearer' } }, /http\.auth\.token must be a non-empty string/],
    ['a timeout too small', { ...valid, timeoutMs: 5 }, /http\.timeoutMs must be an integer from 100 to 120000/],
    ['a header that is not text', { ...valid, headers: { 'x-a': 1 } }, /http\.headers\.x-a must be a string/],
  ];
  for (const [label, raw, messagePattern] of bad) {
    test(`rejects ${label}`, () => {
      assert.throws(
        () => parseHttpSmsOptions(raw),
        (error: unknown) => error instanceof ConfigError && messagePattern.test(error.message),
      );
    });
  }

  test('the presets name their own fields', () => {
    assert.throws(() => parseEsmsOptions({ secretKey: 's' }), /esms\.apiKey must be a non-empty string/);
    assert.throws(() => parseEsmsOptions({ apiKey: 'a', secretKey: 's', sandbox: 'yes' }), /esms\.sandbox must be true or false/);
    assert.throws(() => parseSpeedSmsOptions({ accessToken: 't', smsType: 7 }), /speedsms\.smsType must be an integer from 2 to 5/);
    assert.throws(() => parseSpeedSmsOptions({ accessToken: 't', brandname: 'X' }), /speedsms\.brandname is not a known option/);
  });
});
