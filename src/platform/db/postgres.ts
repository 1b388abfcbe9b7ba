import pg from 'pg';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type { DatabaseConfig } from '../config/config.js';
import { controlOf } from './control.js';
import { DbAcquireTimeoutError } from './failure.js';
import type { DbHealth } from './health.js';
import type { Database } from './schema.js';

const PG_INT8 = 20;
const PG_NUMERIC = 1700;
/** How a hot statement's text begins: `/*hot:<name>*\/ …` (see ./hot/postgres.ts). */
const HOT_MARK = '/*hot:';

/** Waits for a pooled connection at most `ms`; one that arrives later goes back to the pool. */
function acquire(pool: pg.Pool, ms: number, health: DbHealth): Promise<pg.PoolClient> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      const error = new DbAcquireTimeoutError(ms);
      health.failed(error);
      reject(error);
    }, ms);
    pool.connect().then(
      (client) => {
        if (settled) client.release();
        else {
          settled = true;
          clearTimeout(timer);
          resolve(client);
        }
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        health.failed(error);
        reject(error);
      },
    );
  });
}

/**
 * A pooled client as Kysely sees it. Every statement reports to `health`. A client whose connection is
 * lost (socket error, server shutdown, pg's client-side query timeout on a server that stopped answering)
 * is never queried again: its ROLLBACK is skipped (the server ends the transaction with the session; on a
 * frozen server it would wait another timeout) and it is destroyed on release instead of going back to
 * the pool.
 */
function guardClient(client: pg.PoolClient, health: DbHealth): PostgresPoolClient {
  let lost: Error | null = null;
  let inTransaction = false;
  let dirty = false;
  const query = (text: string, parameters: readonly unknown[]) => {
    const control = controlOf(text);
    if (lost) {
      if (control === 'rollback') return Promise.resolve({ command: 'ROLLBACK', rowCount: null, rows: [] });
      return Promise.reject(lost);
    }
    // A hot statement (./hot/postgres.ts) runs as a named prepared statement: parsed once per connection.
    const name = text.startsWith(HOT_MARK) ? text.slice(HOT_MARK.length, text.indexOf('*/')) : null;
    const run = name === null ? client.query(text, parameters as unknown[]) : client.query({ name, text, values: parameters as unknown[] });
    return run.then(
      (result) => {
        let wrote = false;
        if (control === 'begin') inTransaction = true;
        else if (control !== null) {
          wrote = control === 'commit' && dirty;
          inTransaction = false;
        } else if ((result.rowCount ?? 0) > 0 && ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(result.command)) {
          if (inTransaction) dirty = true;
          else wrote = true;
        }
        if (control !== null) dirty = false;
        health.succeeded(wrote);
        return result;
      },
      (error: unknown) => {
        if (control !== null) inTransaction = false;
        if (health.failed(error)?.connectionLost) lost = error as Error;
        throw error;
      },
    );
  };
  return {
    query: ((text: unknown, parameters?: readonly unknown[]) =>
      typeof text === 'string' ? query(text, parameters ?? []) : client.query(text as never)) as unknown as PostgresPoolClient['query'],
    release() {
      inTransaction = false;
      dirty = false;
      client.release(lost ?? undefined);
    },
  };
}

export function openPostgres(config: Extract<DatabaseConfig, { dialect: 'postgres' }>, health: DbHealth): Kysely<Database> {
  const timeouts = config.timeouts;
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    connectionTimeoutMillis: timeouts.connectMs,
    ...(timeouts.statementMs > 0 ? { statement_timeout: timeouts.statementMs } : {}),
    ...(timeouts.queryMs > 0 ? { query_timeout: timeouts.queryMs } : {}),
    // A peer that vanished without a reset (failover, cable) is noticed by TCP keep-alive, not by waiting forever.
    keepAlive: true,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === PG_INT8 || oid === PG_NUMERIC
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client whose connection breaks (server restart, admin kill) emits 'error' on the pool;
  // pg drops that client by itself, and without a listener the event would crash the process.
  pool.on('error', (error) => health.failed(error));
  // pg-pool listens to idle clients only: a client checked out by Kysely whose connection breaks (a
  // failover, a restart, pg_terminate_backend) emitted 'error' with nobody listening, which ended the
  // process. Every client gets a listener for its whole life; its pending query fails on its own.
  pool.on('connect', (client) => client.on('error', (error) => health.failed(error)));
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const guarded: PostgresPool = {
    async connect() {
      const client = await acquire(pool, timeouts.acquireMs, health);
      let wrapper = clients.get(client);
      if (!wrapper) {
        wrapper = guardClient(client, health);
        clients.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: guarded }) });
}
