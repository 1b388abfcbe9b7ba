/** The SpeedSMS preset of the HTTP adapter: requests, answers, failures, and its receipt parser. */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeliveryReceipt } from '../../../src/providers/provider.js';
import {
  SpeedSmsProvider,
  parseSpeedSmsOptions,
  parseSpeedSmsReceipt,
  type SpeedSmsOptions,
} from '../../../src/providers/adapters/speedsms.provider.js';
import { logger, metrics, VIETNAMESE, message, Aggregator, failure } from '../../support/sms-aggregator.js';

const server = new Aggregator();
before(() => server.start());
after(() => server.stop());
beforeEach(() => server.reset());

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
