import { randomBytes } from 'node:crypto';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { DatabaseConfig } from '../config/config.js';
import type { Database } from './schema.js';
import { DatabaseOpenError, isDbFailure } from './failure.js';
import { DbHealth } from './health.js';
import { openPostgres } from './postgres.js';
import { openSqliteKysely } from './sqlite.js';

export type Dialect = 'sqlite' | 'postgres';

/** A Kysely executor (the database or an open transaction) plus which engine it talks to. */
export interface DbHandle {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  /** Runs `effect` once the open transaction commits (never when it rolls back); outside a
   *  transaction, at once. For in-process signals that must not run before the data is visible. */
  afterCommit(effect: () => void): void;
  /** PostgreSQL: `off` when the operator lets the notification path commit without waiting for the WAL
   *  flush (MOTCUA_PG_SYNCHRONOUS_COMMIT_NOTIFICATIONS); see `transaction`'s `notificationPath`. */
  readonly notificationSynchronousCommit?: 'on' | 'off';
}

export interface Db extends DbHandle {
  /** Outages seen by this process's statements (logged once per episode; readiness reads it). */
  readonly health: DbHealth;
  close(): Promise<void>;
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

/** Opens the database (nothing is migrated here). Throws DatabaseOpenError when a SQLite file cannot be
 *  opened (`mustExist`: nor created). PostgreSQL connects on the first statement. */
export function openDatabase(config: DatabaseConfig, options: { readonly mustExist?: boolean } = {}): Db {
  const target = databaseTarget(config);
  const health = new DbHealth(target);
  if (config.dialect === 'sqlite') {
    const { kysely, close } = openSqliteKysely(config, target, health, options.mustExist === true);
    return { kysely, dialect: 'sqlite', health, afterCommit: runNow, close };
  }
  const kysely = openPostgres(config, health);
  return {
    kysely,
    dialect: 'postgres',
    health,
    afterCommit: runNow,
    notificationSynchronousCommit: config.notificationSynchronousCommit ?? 'on',
    close: () => kysely.destroy(),
  };
}

function runNow(effect: () => void): void {
  effect();
}

export interface TransactionOptions {
  /**
   * A transaction of the notification path (sent and failed updates, delivery receipts): on PostgreSQL
   * with MOTCUA_PG_SYNCHRONOUS_COMMIT_NOTIFICATIONS=off it runs `SET LOCAL synchronous_commit = off`,
   * so its commit does not wait for the WAL flush (a server crash can lose its last ~0.6 s: a sent
   * update lost means that message is sent again). Never for MOs, intake or events.
   */
  readonly notificationPath?: boolean;
}

const ASYNC_COMMIT = CompiledQuery.raw('set local synchronous_commit = off');

export async function transaction<T>(db: DbHandle, work: (tx: DbHandle) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const effects: Array<() => void> = [];
  const relaxed = options.notificationPath === true && db.dialect === 'postgres' && db.notificationSynchronousCommit === 'off';
  const result = await db.kysely.transaction().execute(async (trx) => {
    if (relaxed) await trx.executeQuery(ASYNC_COMMIT);
    return work({
      kysely: trx,
      dialect: db.dialect,
      afterCommit: (effect) => effects.push(effect),
      ...(db.notificationSynchronousCommit ? { notificationSynchronousCommit: db.notificationSynchronousCommit } : {}),
    });
  });
  for (const effect of effects) db.afterCommit(effect);
  return result;
}

/**
 * Runs `work` in a savepoint of the open transaction `tx`: when it throws, what it wrote is rolled back
 * and its afterCommit effects are dropped, and the transaction goes on. An outage is left to the
 * transaction (the connection may be gone, or SQLite may have rolled everything back already).
 */
export async function savepoint<T>(tx: DbHandle, work: (tx: DbHandle) => Promise<T>): Promise<T> {
  const effects: Array<() => void> = [];
  await sql`savepoint motcua_item`.execute(tx.kysely);
  try {
    const result = await work({ kysely: tx.kysely, dialect: tx.dialect, afterCommit: (effect) => effects.push(effect) });
    await sql`release savepoint motcua_item`.execute(tx.kysely);
    for (const effect of effects) tx.afterCommit(effect);
    return result;
  } catch (error) {
    if (!isDbFailure(error)) {
      await sql`rollback to savepoint motcua_item`.execute(tx.kysely);
      await sql`release savepoint motcua_item`.execute(tx.kysely);
    }
    throw error;
  }
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
