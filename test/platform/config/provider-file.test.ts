import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProviderFile, shortFormProviders } from '../../../src/platform/config/provider-file.js';
import { ConfigError, loadConfig } from '../../../src/platform/config/config.js';

describe('providers file', () => {
  test('entries get their defaults: channel by kind, priority 1, weight 100, no carrier limit, no rate limit', () => {
    const file = parseProviderFile(
      JSON.stringify({
        publicBaseUrl: 'https://sms.tinh.gov.vn/',
        providers: [
          { name: 'viettel', type: 'smpp', priority: 1, weight: 70, carriers: ['viettel'], tps: 50, options: { url: 'smpp://a:b@h:1' } },
          { name: 'mail', type: 'email', options: { host: 'smtp' } },
          { name: 'sandbox-email', type: 'sandbox', channel: 'email' },
        ],
      }),
      'p.json',
    );
    assert.equal(file.publicBaseUrl, 'https://sms.tinh.gov.vn');
    assert.deepEqual(
      file.providers!.map((p) => [p.name, p.type, p.channel, p.priority, p.weight, p.carriers, p.tps, p.receiptSecret]),
      [
        ['viettel', 'smpp', 'sms', 1, 70, ['viettel'], 50, null],
        ['mail', 'email', 'email', 1, 100, null, 0, null],
        ['sandbox-email', 'sandbox', 'email', 1, 100, null, 0, null],
      ],
    );
  });

  const refused: [string, unknown, RegExp][] = [
    ['not JSON', '{providers:', /p\.json is not valid JSON/],
    ['unknown kind', { providers: [{ name: 'x', type: 'pigeon' }] }, /p\.json: \/providers\/0\/type/],
    ['unknown field', { providers: [{ name: 'x', type: 'smpp', prio: 1 }] }, /\/providers\/0\/prio/],
    ['bad name', { providers: [{ name: 'Viettel SMSC', type: 'smpp' }] }, /\/providers\/0\/name/],
    ['unknown carrier', { providers: [{ name: 'x', type: 'smpp', carriers: ['beeline'] }] }, /\/providers\/0\/carriers\/0/],
    [
      'name twice',
      {
        providers: [
          { name: 'x', type: 'smpp' },
          { name: 'x', type: 'esms' },
        ],
      },
      /"x" is used twice/,
    ],
    ['email as sms', { providers: [{ name: 'm', type: 'email', channel: 'sms' }] }, /is email and cannot carry sms/],
    ['smpp as email', { providers: [{ name: 's', type: 'smpp', channel: 'email' }] }, /carries SMS only/],
    ['short receipt secret', { providers: [{ name: 'k', type: 'kannel', receiptSecret: 'short' }] }, /receiptSecret/],
    ['no providers', { providers: [] }, /\/providers/],
    ['bad public URL', { publicBaseUrl: 'sms.tinh.gov.vn' }, /publicBaseUrl/],
  ];
  for (const [what, json, message] of refused) {
    test(`refused: ${what}`, () => {
      assert.throws(() => parseProviderFile(typeof json === 'string' ? json : JSON.stringify(json), 'p.json'), message);
    });
  }

  test('the env short form', () => {
    assert.deepEqual(
      (shortFormProviders('sandbox', null) as { name: string; channel: string }[]).map((p) => [p.name, p.channel]),
      [
        ['sandbox', 'sms'],
        ['sandbox-email', 'email'],
      ],
    );
    const smpp = shortFormProviders('smpp', 'smpp://a:b@h:2775');
    assert.ok(Array.isArray(smpp) && smpp[0]!.options.url === 'smpp://a:b@h:2775');
    assert.match(shortFormProviders('smpp', null) as string, /needs MOTCUA_SMPP_URL/);
    assert.match(shortFormProviders('esms', null) as string, /needs its settings in the config file/);
    assert.match(shortFormProviders('carrier-pigeon', null) as string, /must be one of sandbox, smpp/);
  });

  test('loadConfig reads the file once and fails fast with what to set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'motcua-config-'));
    try {
      const path = join(dir, 'providers.json');
      writeFileSync(path, JSON.stringify({ providers: [{ name: 'k', type: 'kannel', options: {} }] }));
      const config = loadConfig({ MOTCUA_CONFIG_FILE: path, PORT: '4000' });
      assert.equal(config.sms.providers[0]!.name, 'k');
      assert.equal(config.sms.provider, 'kannel');
      assert.equal(config.sms.publicBaseUrl, 'http://localhost:4000');
      assert.ok(Object.isFrozen(config.sms.providers[0]));
      writeFileSync(path, '{"providers": [{"name": "k"}]}');
      assert.throws(
        () => loadConfig({ MOTCUA_CONFIG_FILE: path }),
        (e: unknown) => e instanceof ConfigError && /MOTCUA_CONFIG_FILE: .*providers\/0/.test((e as Error).message),
      );
      assert.throws(() => loadConfig({ MOTCUA_CONFIG_FILE: join(dir, 'missing.json') }), /cannot be read/);
      assert.throws(() => loadConfig({ MOTCUA_SMS_PROVIDER: 'smpp' }), /MOTCUA_SMPP_URL/);
      assert.equal(loadConfig({}).sms.provider, 'sandbox');
      assert.equal(loadConfig({ MOTCUA_PUBLIC_URL: 'https://sms.tinh.gov.vn/' }).sms.publicBaseUrl, 'https://sms.tinh.gov.vn');
      assert.throws(() => loadConfig({ MOTCUA_PUBLIC_URL: 'sms.tinh.gov.vn' }), /MOTCUA_PUBLIC_URL/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
