import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, sql, type DatabaseConnection, type Driver } from 'kysely';
import type { DatabaseConfig } from '../config/config.js';
import type { Database } from './schema.js';

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
  close(): Promise<void>;
}

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

/** SQLite transactions start with BEGIN IMMEDIATE: a deferred transaction that reads and then writes
 *  fails with SQLITE_BUSY_SNAPSHOT when another process (a worker on the same file) wrote in between,
 *  and the busy timeout does not help there. */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

/** better-sqlite3 compiles a statement on every prepare(); Kysely prepares per query, so keep them. */
function withStatementCache(database: SQLite.Database) {
  const statements = new Map<string, SQLite.Statement>();
  return {
    prepare(text: string) {
      let statement = statements.get(text);
      if (!statement) {
        statement = database.prepare(text);
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

export function openDatabase(config: DatabaseConfig): Db {
  if (config.dialect === 'sqlite') {
    if (config.path !== ':memory:') mkdirSync(dirname(config.path), { recursive: true });
    const database = new SQLite(config.path);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 10000');
    const stopCheckpointer = config.path === ':memory:' ? null : startCheckpointer(database, config.path);
    const kysely = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }) });
    return {
      kysely,
      dialect: 'sqlite',
      afterCommit: runNow,
      close: async () => {
        await stopCheckpointer?.();
        await kysely.destroy();
      },
    };
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === PG_INT8 || oid === PG_NUMERIC
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client whose connection breaks (server restart, admin kill) emits 'error' on the pool;
  // pg drops that client by itself, and without a listener the event would crash the process.
  pool.on('error', () => undefined);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { kysely, dialect: 'postgres', afterCommit: runNow, close: () => kysely.destroy() };
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
