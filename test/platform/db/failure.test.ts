/** The one classification of database outages, the episode log, and the loops' backoff (pure, no database). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { DbAcquireTimeoutError, dbFailureOf } from '../../../src/platform/db/failure.js';
import { DbHealth } from '../../../src/platform/db/health.js';
import { backoffMs } from '../../../src/platform/poll-loop.js';
import { createServer } from '../../../src/platform/http/server.js';
import { createMetrics } from '../../../src/platform/metrics.js';

const coded = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('database failures', () => {
  test('PostgreSQL, network and SQLite codes map to an outage kind; the rest is no outage', () => {
    const cases: Array<[Error, string | null]> = [
      [coded('57P01', 'terminating connection due to administrator command'), 'unavailable'],
      [coded('57P02'), 'unavailable'],
      [coded('57P03', 'the database system is starting up'), 'unavailable'],
      [coded('08006'), 'unavailable'],
      [coded('53300', 'too many connections'), 'unavailable'],
      [coded('53100', 'could not extend file: No space left on device'), 'disk_full'],
      [coded('57014', 'canceling statement due to statement timeout'), 'timeout'],
      [coded('ECONNRESET'), 'unavailable'],
      [coded('ECONNREFUSED'), 'unavailable'],
      [coded('EPIPE'), 'unavailable'],
      [coded('ETIMEDOUT'), 'timeout'],
      [new Error('Connection terminated unexpectedly'), 'unavailable'],
      [new Error('timeout exceeded when trying to connect'), 'timeout'],
      [new Error('Query read timeout'), 'timeout'],
      [new DbAcquireTimeoutError(2000), 'timeout'],
      [coded('SQLITE_FULL', 'database or disk is full'), 'disk_full'],
      [coded('SQLITE_IOERR_WRITE'), 'unavailable'],
      [coded('SQLITE_BUSY'), 'busy'],
      [coded('SQLITE_CANTOPEN'), 'unavailable'],
      [coded('SQLITE_CORRUPT', 'database disk image is malformed'), 'corrupt'],
      [coded('SQLITE_NOTADB'), 'corrupt'],
      [coded('23505', 'duplicate key value'), null],
      [coded('SQLITE_CONSTRAINT_UNIQUE'), null],
      [coded('SQLITE_ERROR', 'cannot rollback - no transaction is active'), null],
      [new Error('anything else'), null],
    ];
    for (const [error, kind] of cases)
      assert.equal(dbFailureOf(error)?.kind ?? null, kind, `${(error as { code?: string }).code} ${error.message}`);
    assert.equal(dbFailureOf(coded('57014'))?.connectionLost, false, 'a cancelled statement leaves its session usable');
    assert.equal(dbFailureOf(coded('57P01'))?.connectionLost, true);
    assert.equal(dbFailureOf(new Error('wrapped', { cause: coded('ECONNRESET') }))?.kind, 'unavailable');
  });

  test('an episode is logged once when it starts and once when it ends; a full disk ends with a write only', () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    let now = 0;
    const health = new DbHealth('file:/x.db', () => now);
    health.setLogger(logger);
    for (let i = 0; i < 1000; i++) health.failed(coded('SQLITE_FULL', 'database or disk is full'));
    health.succeeded(false);
    assert.equal(health.current()?.kind, 'disk_full', 'a read does not end a full-disk episode');
    assert.equal(health.current()?.failures, 1000);
    health.succeeded(true);
    assert.equal(health.current(), null);
    assert.deepEqual(
      lines.map((l) => l.msg.split(':')[0]),
      ['database unavailable (SQLITE_FULL)', 'database available again'],
    );

    lines.length = 0;
    health.failed(coded('57P01'));
    now += 200;
    health.succeeded(false);
    assert.ok(health.current(), 'not over while connections are still breaking');
    health.failed(coded('ECONNRESET'));
    now += 1_500;
    health.succeeded(false);
    assert.equal(health.current(), null);
    assert.equal(lines.length, 2, 'one start and one end for connections breaking one after the other');

    health.failed(coded('SQLITE_CORRUPT'));
    now += 60_000;
    health.succeeded(true);
    assert.equal(health.current()?.kind, 'corrupt', 'corruption does not heal by itself');
  });

  test('backoff doubles from the poll interval up to 5 s, with jitter', () => {
    assert.equal(
      backoffMs(1, 500, () => 1),
      500,
    );
    assert.equal(
      backoffMs(2, 500, () => 1),
      1000,
    );
    assert.equal(
      backoffMs(4, 500, () => 1),
      4000,
    );
    assert.equal(
      backoffMs(10, 500, () => 1),
      5000,
    );
    assert.equal(
      backoffMs(10, 500, () => 0),
      2500,
    );
    assert.equal(
      backoffMs(3, 20_000, () => 1),
      20_000,
      'never shorter than the poll interval',
    );
  });

  test('an outage is 503 DATABASE_UNAVAILABLE with Retry-After; a browser on a public page gets a page', async () => {
    const app = await createServer({
      logger: pino({ level: 'silent' }),
      metrics: createMetrics({ defaultMetrics: false }),
      bodyLimitBytes: 1024,
      trustProxy: false,
      authenticate: async () => {
        throw new Error('no tokens here');
      },
    });
    app.get('/api/v1/full', async () => {
      throw coded('SQLITE_FULL', 'database or disk is full');
    });
    app.get('/public', async () => {
      throw coded('57P01');
    });
    app.get('/api/v1/bug', async () => {
      throw new Error('a bug');
    });
    const full = await app.inject({ url: '/api/v1/full' });
    assert.equal(full.statusCode, 503);
    assert.equal(full.headers['retry-after'], '60');
    assert.deepEqual(full.json().error.code, 'DATABASE_UNAVAILABLE');
    assert.deepEqual(full.json().error.details, { reason: 'disk_full' });
    const page = await app.inject({ url: '/public', headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 503);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.match(page.body, /Hệ thống đang bận/);
    assert.equal((await app.inject({ url: '/api/v1/bug' })).statusCode, 500);
    await app.close();
  });
});
