import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { loadConfig } from '../../../src/platform/config/config.js';
import { createContext } from '../../../src/main/context.js';
import { createMetrics } from '../../../src/platform/metrics.js';
import { createTestDatabase, TEST_DB } from '../../support/harness.js';

test('migrations are not cut short by the request statement limit (a 1 ms statement_timeout still migrates a new database)', async () => {
  const database = await createTestDatabase();
  try {
    const base = { LOG_LEVEL: 'silent', MOTCUA_DISPATCHER: 'false', MOTCUA_SCHEDULER: 'false' };
    const config = loadConfig({ ...base, DATABASE_URL: database.url, MOTCUA_DB_STATEMENT_TIMEOUT_MS: '1' });
    if (TEST_DB === 'postgres') assert.equal(config.database.timeouts.statementMs, 1);
    const options = { logger: pino({ level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }) };
    await (await createContext(config, options)).close();
    // Read the result back without the limit (any statement may hit 1 ms).
    const ctx = await createContext(loadConfig({ ...base, DATABASE_URL: database.url }), options);
    try {
      const tables = await ctx.db.kysely.introspection.getTables();
      assert.ok(
        tables.some((t) => t.name === 'dossiers'),
        'the schema exists',
      );
    } finally {
      await ctx.close();
    }
  } finally {
    await database.drop();
  }
});
