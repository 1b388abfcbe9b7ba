/**
 * The one test-database factory, shared by the tests (harness.ts) and the benchmarks (bench/support.ts):
 * a fresh SQLite file in a temporary directory, or a fresh PostgreSQL database created on the server at
 * MOTCUA_PG_URL and dropped (forced) afterwards — or, with `server: 'private'`, on a cluster of its own
 * (private-postgres.ts) that the caller may kill and restart, stopped and removed afterwards. No storage
 * is mocked.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parseDatabaseUrl } from '../../src/platform/config/config.js';
import { openDatabase, type Db } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.js';
import { sleep } from './wait.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** The dialect the test suite runs on: MOTCUA_TEST_DB=postgres, SQLite otherwise. */
export const TEST_DB: DatabaseKind = process.env.MOTCUA_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
export const PG_URL = process.env.MOTCUA_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly kind: DatabaseKind;
  readonly url: string;
  /** The PostgreSQL cluster of this database alone (`server: 'private'`), else null. */
  readonly cluster: PrivatePostgres | null;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Default: TEST_DB. */
  kind?: DatabaseKind;
  /** Names the temporary directory / database (`motcua_<prefix>_…`); default `test`. */
  prefix?: string;
  /** PostgreSQL only: `private` starts a cluster for this database alone (to kill, restart or freeze); default `shared`. */
  server?: 'shared' | 'private';
}

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const kind = options.kind ?? TEST_DB;
  const prefix = options.prefix ?? 'test';
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `motcua-${prefix}-`));
    return {
      kind,
      url: `file:${join(dir, `${prefix}.db`)}`,
      cluster: null,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `motcua_${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (options.server === 'private') {
    const cluster = await startPrivatePostgres();
    try {
      return { kind, url: await cluster.createDatabase(name), cluster, drop: () => cluster.stop() };
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    cluster: null,
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        // pg's pool resolves end() before its sockets are gone: wait for them, so the forced drop
        // does not kill a connection this process is still closing.
        for (let i = 0; i < 100; i++) {
          const { rows } = await client.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1', [name]);
          if (Number(rows[0]?.n ?? 0) === 0) break;
          await sleep(20);
        }
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** `url` whose sessions are named `name` (PostgreSQL `application_name`), so a test can tell when a killed process's sessions are gone. */
export function withSessionName(database: TestDatabase, url: string, name: string): string {
  if (database.kind !== 'postgres') return url;
  const named = new URL(url);
  named.searchParams.set('application_name', name);
  return named.toString();
}

/**
 * After a SIGKILL, PostgreSQL still finishes (and commits) a statement the process had already sent: the
 * server notices the closed connection only when it reads the next command. What was in flight at the
 * kill is known once every session named `name` has ended. (A SQLite write is in the WAL or not when the
 * process dies: nothing to wait for.)
 */
export async function sessionsEnded(database: TestDatabase, name: string, timeoutMs = 300_000): Promise<void> {
  if (database.kind !== 'postgres') return;
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query<{ n: string }>('select count(*) as n from pg_stat_activity where application_name = $1', [name]);
      if (Number(rows[0]?.n ?? 0) === 0) return;
      if (Date.now() > deadline) throw new Error(`the sessions named ${name} did not end within ${timeoutMs} ms`);
      await sleep(5);
    }
  } finally {
    await client.end();
  }
}

/** A fresh test database with every migration applied, open (a pool of two); close `db`, then drop `database`. */
export async function migratedTestDatabase(): Promise<{ database: TestDatabase; db: Db }> {
  const database = await createTestDatabase();
  const db = openDatabase(parseDatabaseUrl(database.url, 2));
  await migrateToLatest(db);
  return { database, db };
}
