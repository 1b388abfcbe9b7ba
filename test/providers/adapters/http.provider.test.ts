/** The generic HTTP adapter (form and JSON modes, its options) and the callback URLs with their secrets. */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/platform/config/config.js';
import { esmsCallbackUrl, parseEsmsOptions } from '../../../src/providers/adapters/esms.provider.js';
import { callbackTokenMatches } from '../../../src/providers/adapters/http.shared.js';
import { HttpSmsProvider, parseHttpSmsOptions, type HttpSmsOptions } from '../../../src/providers/adapters/http.provider.js';
import { parseSpeedSmsOptions, speedSmsCallbackUrl } from '../../../src/providers/adapters/speedsms.provider.js';
import { logger, metrics, VIETNAMESE, message, Aggregator, failure } from '../../support/sms-aggregator.js';

const server = new Aggregator();
before(() => server.start());
after(() => server.stop());
beforeEach(() => server.reset());

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
