import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  sql,
  type DatabaseConnection,
  type Driver,
  type PostgresPool,
  type PostgresPoolClient,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';
import type { DatabaseConfig } from '../config/config.js';
import type { Database } from './schema.js';
import { DatabaseOpenError, DbAcquireTimeoutError } from './failure.js';
import { DbHealth } from './health.js';

export type Dialect = 'sqlite' | 'postgres';

/** A Kysely executor (the database or an open transaction) plus which engine it talks to. */
export interface DbHandle {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  /** Runs `effect` once the open transaction commits (never when it rolls back); outside a
   *  transaction, at once. For in-process signals that must not run before the data is visible. */
  afterCommit(effect: () => void): void;
}

export interface Db extends DbHandle {
  /** Outages seen by this process's statements (logged once per episode; readiness reads it). */
  readonly health: DbHealth;
  close(): Promise<void>;
}

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

type Control = 'begin' | 'commit' | 'rollback' | null;

function controlOf(text: string): Control {
  const word = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase();
  if (word === 'begin' || word === 'start') return 'begin';
  if (word === 'commit' || word === 'end') return 'commit';
  if (word === 'rollback') return text.toLowerCase().includes(' to ') ? null : 'rollback';
  return null;
}

/**
 * better-sqlite3 behind Kysely: statements are prepared once and kept (better-sqlite3 compiles on every
 * prepare(), Kysely prepares per query), and every statement reports to `health` — a failure of the
 * outage kind (SQLITE_FULL, SQLITE_IOERR*, SQLITE_BUSY, SQLITE_CORRUPT …) starts an episode, a committed
 * write ends a full-disk one.
 */
function guardedSqlite(database: SQLite.Database, health: DbHealth): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  let dirty = false;
  const guard = <T>(work: () => T): T => {
    try {
      return work();
    } catch (error) {
      health.failed(error);
      throw error;
    }
  };
  const wrap = (text: string, statement: SQLite.Statement<unknown[]>): SqliteStatement => {
    const control = controlOf(text);
    return {
      reader: statement.reader,
      all(parameters) {
        const rows = guard(() => statement.all(...(parameters as unknown[])));
        health.succeeded(false);
        return rows;
      },
      iterate(parameters) {
        return guard(() => statement.iterate(...(parameters as unknown[])));
      },
      run(parameters) {
        const result = guard(() => statement.run(...(parameters as unknown[])));
        let wrote = false;
        if (control === 'commit') wrote = dirty;
        else if (control === null && result.changes > 0) {
          if (database.inTransaction) dirty = true;
          else wrote = true;
        }
        if (control !== null) dirty = false;
        health.succeeded(wrote);
        return result;
      },
    };
  };
  return {
    prepare(text: string) {
      let statement = statements.get(text);
      if (!statement) {
        statement = wrap(
          text,
          guard(() => database.prepare<unknown[]>(text)),
        );
        if (statements.size > 500) statements.clear();
        statements.set(text, statement);
      }
      return statement;
    },
    close() {
      database.close();
    },
  };
}

/**
 * SQLite transactions start with BEGIN IMMEDIATE: a deferred transaction that reads and then writes
 * fails with SQLITE_BUSY_SNAPSHOT when another process (a worker on the same file) wrote in between,
 * and the busy timeout does not help there.
 *
 * After SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY or SQLITE_NOMEM (a failed COMMIT included) SQLite may
 * already have rolled the transaction back by itself. Kysely's ROLLBACK then failed with "cannot rollback -
 * no transaction is active", and that error replaced the one that mattered (thousands of those in the
 * log, one SQLITE_FULL): roll back only what is still open.
 */
function sqliteDialect(database: SQLite.Database, health: DbHealth): SqliteDialect {
  class GuardedSqliteDialect extends SqliteDialect {
    override createDriver(): Driver {
      const driver = super.createDriver();
      driver.beginTransaction = async (connection: DatabaseConnection) => {
        await connection.executeQuery(CompiledQuery.raw('begin immediate'));
      };
      const rollback = driver.rollbackTransaction.bind(driver);
      driver.rollbackTransaction = async (connection: DatabaseConnection) => {
        if (database.inTransaction) await rollback(connection);
      };
      return driver;
    }
  }
  return new GuardedSqliteDialect({ database: guardedSqlite(database, health) });
}

const CHECKPOINT_INTERVAL_MS = 50;
/** Pages in the log before a commit checkpoints by itself (SQLite's default is 1000). */
const BACKSTOP_PAGES = 4000;
/** Plain CommonJS run on a worker thread: its own connection, a PASSIVE checkpoint every interval
 *  (it never blocks the writer), closed on any message. */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
let timer = null;
const tick = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* another process is checkpointing */ }
  timer = setTimeout(tick, workerData.intervalMs);
};
timer = setTimeout(tick, workerData.intervalMs);
parentPort.once('message', () => { clearTimeout(timer); db.close(); parentPort.close(); });
`;

/**
 * With WAL and synchronous=NORMAL a commit does not wait for the disk, but the automatic checkpoint
 * (copying the log back into the database file, with two fsyncs) runs inside whichever commit crosses
 * 1000 pages — on the event loop, stalling every request in flight. A worker thread checkpoints
 * instead; the automatic one stays as a backstop at a higher threshold, and back at the default
 * should the worker die.
 */
function startCheckpointer(database: SQLite.Database, path: string): () => Promise<void> {
  database.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  const worker = new Worker(CHECKPOINTER, {
    eval: true,
    execArgv: [],
    workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), path, intervalMs: CHECKPOINT_INTERVAL_MS },
  });
  worker.unref();
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.once('exit', () => {
    if (!stopping && database.open) database.pragma('wal_autocheckpoint = 1000');
  });
  worker.on('error', () => undefined);
  return async () => {
    stopping = true;
    worker.ref(); // wait for it: unref'd, the process could end (or exit 13) before 'exit' arrives
    worker.postMessage('stop');
    await exited;
  };
}

/** "unable to open database file (SQLITE_CANTOPEN)", with what usually causes it. */
function openFailureReason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = ((error as Error).message ?? String(error)).split('\n', 1)[0]!;
  const coded = typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
  if (typeof code !== 'string') return coded;
  if (code.startsWith('SQLITE_CANTOPEN')) return `${coded}: the directory is missing or not writable, or the path is a directory`;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return `${coded}: the file is damaged or is not a MotcuaSMS database`;
  if (code === 'SQLITE_FULL') return `${coded}: the disk is full`;
  if (code.startsWith('SQLITE_READONLY')) return `${coded}: the file or its directory is read-only`;
  return coded;
}

/** Where the database is, for messages: the SQLite URL, or PostgreSQL's host, port and name (never a password). */
export function databaseTarget(config: DatabaseConfig): string {
  if (config.dialect === 'sqlite') return config.url.startsWith('file:') ? config.url : `file:${config.path}`;
  try {
    const url = new URL(config.url);
    return `postgres://${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
  } catch {
    return 'postgres://…';
  }
}

function openSqlite(config: Extract<DatabaseConfig, { dialect: 'sqlite' }>, target: string, mustExist: boolean): SQLite.Database {
  let database: SQLite.Database | null = null;
  try {
    if (config.path !== ':memory:' && !mustExist) mkdirSync(dirname(config.path), { recursive: true });
    database = new SQLite(config.path, { fileMustExist: mustExist });
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    database.pragma(`busy_timeout = ${config.timeouts.sqliteBusyMs}`);
    return database;
  } catch (error) {
    if (database?.open) database.close();
    throw new DatabaseOpenError(target, openFailureReason(error));
  }
}

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
    return client.query(text, parameters as unknown[]).then(
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

function openPostgres(config: Extract<DatabaseConfig, { dialect: 'postgres' }>, health: DbHealth): Kysely<Database> {
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

/** Opens the database (nothing is migrated here). Throws DatabaseOpenError when a SQLite file cannot be
 *  opened (`mustExist`: nor created). PostgreSQL connects on the first statement. */
export function openDatabase(config: DatabaseConfig, options: { readonly mustExist?: boolean } = {}): Db {
  const target = databaseTarget(config);
  const health = new DbHealth(target);
  if (config.dialect === 'sqlite') {
    const database = openSqlite(config, target, options.mustExist === true);
    const stopCheckpointer = config.path === ':memory:' ? null : startCheckpointer(database, config.path);
    const kysely = new Kysely<Database>({ dialect: sqliteDialect(database, health) });
    return {
      kysely,
      dialect: 'sqlite',
      health,
      afterCommit: runNow,
      close: async () => {
        await stopCheckpointer?.();
        await kysely.destroy();
      },
    };
  }
  const kysely = openPostgres(config, health);
  return { kysely, dialect: 'postgres', health, afterCommit: runNow, close: () => kysely.destroy() };
}

function runNow(effect: () => void): void {
  effect();
}

export async function transaction<T>(db: DbHandle, work: (tx: DbHandle) => Promise<T>): Promise<T> {
  const effects: Array<() => void> = [];
  const result = await db.kysely
    .transaction()
    .execute((trx) => work({ kysely: trx, dialect: db.dialect, afterCommit: (effect) => effects.push(effect) }));
  for (const effect of effects) db.afterCommit(effect);
  return result;
}

export async function ping(db: DbHandle): Promise<void> {
  await sql`select 1`.execute(db.kysely);
}

/** What a full-disk episode needs free before it is over: a request's writes are a few KB, a batch's more. */
const PROBE_BYTES = 256 * 1024;

/**
 * A committed write of PROBE_BYTES (incompressible), then cleared: what tells a full disk from a usable
 * one (reads keep working on a full disk, and a one-row write can still fit in the log's slack while a
 * request's writes do not). Readiness runs it only during a full-disk episode.
 */
export async function probeWrite(db: DbHandle, now: number): Promise<void> {
  const payload = randomBytes((PROBE_BYTES * 3) / 4).toString('base64');
  await db.kysely
    .insertInto('health_probe')
    .values({ name: 'readiness', checked_at: now, payload })
    .onConflict((oc) => oc.column('name').doUpdateSet({ checked_at: now, payload }))
    .execute();
  await db.kysely.updateTable('health_probe').set({ payload: null }).where('name', '=', 'readiness').execute();
}

export interface DatabaseCheck {
  readonly target: string;
  /** What was checked, in words. */
  readonly checked: string;
  /** Empty when the database is sound. */
  readonly problems: readonly string[];
}

/**
 * `motcua check`. SQLite: PRAGMA quick_check (every page, every record's format, index entries in order;
 * O(size) but no full index cross-check). PostgreSQL, which has no such pragma: the connection, then a
 * full read of every table of the schema (`select count(*)`), which fails on a page the server cannot read.
 */
export async function checkDatabase(db: Db): Promise<DatabaseCheck> {
  const target = db.health.target;
  const problems: string[] = [];
  const failed = (what: string, error: unknown) => {
    const code = (error as { code?: unknown }).code;
    const message = ((error as Error).message ?? String(error)).split('\n', 1)[0];
    problems.push(`${what}: ${message}${typeof code === 'string' && !message?.includes(code) ? ` (${code})` : ''}`);
  };
  if (db.dialect === 'sqlite') {
    try {
      const { rows } = await sql<{ quick_check: string }>`pragma quick_check`.execute(db.kysely);
      for (const row of rows) if (row.quick_check !== 'ok') problems.push(row.quick_check);
    } catch (error) {
      failed('PRAGMA quick_check', error);
    }
    return { target, checked: 'PRAGMA quick_check', problems };
  }
  let tables: string[] = [];
  try {
    await ping(db);
    const { rows } = await sql<{ name: string }>`
      select table_name as name from information_schema.tables
       where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db.kysely);
    tables = rows.map((r) => r.name);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = ((error as Error).message ?? String(error)).split('\n', 1)[0]!;
    throw new DatabaseOpenError(target, typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message);
  }
  for (const table of tables) {
    try {
      await sql`select count(*) from ${sql.table(table)}`.execute(db.kysely);
    } catch (error) {
      failed(`table ${table}`, error);
    }
  }
  return { target, checked: `connection and a full read of ${tables.length} tables`, problems };
}
