/** The retention periods are settings: defaults, overrides, and a wrong value stops the start naming the variable. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DEFAULT_RETENTION, loadConfig } from '../../../src/platform/config/config.js';

const base = { DATABASE_URL: 'file:./data/never-opened.db' };

describe('retention settings', () => {
  test('defaults: 90 days for dossiers, messages and MOs, 30 for login attempts, a year for audit addresses', () => {
    assert.deepEqual(loadConfig(base).retention, DEFAULT_RETENTION);
    assert.deepEqual(DEFAULT_RETENTION, {
      dossierDays: 90,
      messageDays: 90,
      inboundDays: 90,
      loginAttemptDays: 30,
      auditAddressDays: 365,
      batchSize: 500,
    });
  });

  test('each period is read from its variable', () => {
    const r = loadConfig({
      ...base,
      MOTCUA_RETENTION_DOSSIER_DAYS: '180',
      MOTCUA_RETENTION_MESSAGE_DAYS: '7',
      MOTCUA_RETENTION_INBOUND_DAYS: '30',
      MOTCUA_RETENTION_LOGIN_DAYS: '1',
      MOTCUA_RETENTION_AUDIT_IP_DAYS: '730',
      MOTCUA_RETENTION_BATCH: '50',
    }).retention;
    assert.deepEqual(r, { dossierDays: 180, messageDays: 7, inboundDays: 30, loginAttemptDays: 1, auditAddressDays: 730, batchSize: 50 });
  });

  for (const [name, value] of [
    ['MOTCUA_RETENTION_DOSSIER_DAYS', '6'],
    ['MOTCUA_RETENTION_MESSAGE_DAYS', '-1'],
    ['MOTCUA_RETENTION_INBOUND_DAYS', 'ninety'],
    ['MOTCUA_RETENTION_LOGIN_DAYS', '0'],
    ['MOTCUA_RETENTION_AUDIT_IP_DAYS', '29'],
    ['MOTCUA_RETENTION_DOSSIER_DAYS', '3651'],
    ['MOTCUA_RETENTION_BATCH', '0'],
    ['MOTCUA_RETENTION_MESSAGE_DAYS', '1.5'],
  ] as const) {
    test(`${name}=${value} is refused at start`, () => {
      assert.throws(
        () => loadConfig({ ...base, [name]: value }),
        (error: unknown) => error instanceof ConfigError && error.message.includes(name),
      );
    });
  }
});
