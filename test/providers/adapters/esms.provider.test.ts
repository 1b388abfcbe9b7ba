/** The eSMS preset of the HTTP adapter: requests, answers, failures, and its receipt parser. */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { EsmsProvider, parseEsmsOptions, parseEsmsReceipt, type EsmsOptions } from '../../../src/providers/adapters/esms.provider.js';
import type { DeliveryReceipt } from '../../../src/providers/provider.js';
import { logger, metrics, VIETNAMESE, message, Aggregator, failure, closedPortUrl } from '../../support/sms-aggregator.js';

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
