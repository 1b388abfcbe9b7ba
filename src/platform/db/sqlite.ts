import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';
import type { DatabaseConfig } from '../config/config.js';
import { controlOf } from './control.js';
import { DatabaseOpenError } from './failure.js';
import type { DbHealth } from './health.js';
import type { Database } from './schema.js';

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

/** Opens a SQLite file (or `:memory:`) behind Kysely, with its checkpointer; `close` stops both. */
export function openSqliteKysely(
  config: Extract<DatabaseConfig, { dialect: 'sqlite' }>,
  target: string,
  health: DbHealth,
  mustExist: boolean,
): { readonly kysely: Kysely<Database>; close(): Promise<void> } {
  const database = openSqlite(config, target, mustExist);
  const stopCheckpointer = config.path === ':memory:' ? null : startCheckpointer(database, config.path);
  const kysely = new Kysely<Database>({ dialect: sqliteDialect(database, health) });
  return {
    kysely,
    close: async () => {
      await stopCheckpointer?.();
      await kysely.destroy();
    },
  };
}
