/**
 * Real `motcua worker` processes for the crash tests (the dispatcher's and Zalo's): started with a clean
 * environment (cli-process.ts), named on PostgreSQL so a test can tell when a killed worker's sessions are
 * gone, killed at the end of the file whatever happened; and the sandbox's journal, the per-message log of
 * what the "SMSC" accepted.
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { Db } from '../../src/platform/db/database.js';
import { cleanEnv, startCli, type CliProcess } from './cli-process.js';
import { TEST_DB, type TestDatabase } from './database.js';
import { ADMIN_TOKEN } from './harness.js';
import { waitFor, type WaitOptions } from './wait.js';

const started = new Set<CliProcess>();

after(async () => {
  for (const worker of started) {
    if (worker.alive()) worker.child.kill('SIGKILL');
    await worker.exited;
  }
});

/** A worker's environment: the test database, a short lease (a killed worker's rows come back within
 *  seconds), a fast poll, no scheduler, the sandbox's journal; `extra` last. */
export function workerEnv(database: TestDatabase, journal: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cleanEnv({
    DATABASE_URL: database.url,
    MOTCUA_ADMIN_TOKEN: ADMIN_TOKEN,
    MOTCUA_SANDBOX_DELAY_MS: '200',
    MOTCUA_SANDBOX_JOURNAL: journal,
    MOTCUA_DISPATCH_LEASE_SECONDS: '2',
    MOTCUA_DISPATCH_POLL_MS: '50',
    MOTCUA_SCHEDULER: 'false',
    LOG_LEVEL: 'warn',
    ...extra,
  });
}

function applicationName(workerName: string): string {
  return `motcua-test-${workerName.replace(/\W+/g, '-')}`;
}

/** `motcua worker`; on PostgreSQL its sessions carry its name (see sessionsGone). */
export function startWorker(name: string, env: NodeJS.ProcessEnv): CliProcess {
  if (TEST_DB === 'postgres') {
    const url = new URL(env.DATABASE_URL!);
    url.searchParams.set('application_name', applicationName(name));
    env = { ...env, DATABASE_URL: url.toString() };
  }
  const worker = startCli(name, ['worker'], env);
  started.add(worker);
  return worker;
}

/**
 * After a SIGKILL, PostgreSQL still finishes (and commits) a statement the worker had already sent:
 * the server notices the closed connection only when it reads the next command. What was in flight
 * at the kill is known once every session of the dead worker has ended. (A SQLite write is in the
 * WAL or not when the process dies.)
 */
export async function sessionsGone(db: Db, worker: CliProcess, options: WaitOptions = {}): Promise<void> {
  if (TEST_DB !== 'postgres') return;
  await waitFor(
    `the sessions of ${worker.name} to end`,
    async () => {
      const result = await sql<{ n: number | string }>`
      select count(*) as n from pg_stat_activity where application_name = ${applicationName(worker.name)}`.execute(db.kysely);
      return Number(result.rows[0]!.n) === 0 ? true : undefined;
    },
    options,
  );
}

/** SIGKILL, and the kill is what ended it. */
export async function killWorker(worker: CliProcess): Promise<void> {
  worker.child.kill('SIGKILL');
  assert.equal((await worker.exited).signal, 'SIGKILL');
}

/** SIGTERM, and a clean exit. */
export async function stopWorker(worker: CliProcess): Promise<void> {
  worker.child.kill('SIGTERM');
  const { code, signal } = await worker.exited;
  assert.equal(code, 0, `${worker.name} should shut down cleanly on SIGTERM (signal ${signal})\n${worker.output()}`);
}

/** One line per message the sandbox accepted (MOTCUA_SANDBOX_JOURNAL). */
export interface JournalLine {
  id: number;
  to: string;
  kind: string;
  providerMessageId: string;
}

/** Complete lines only: a line being appended while the test reads is not counted yet. */
export function readJournal(path: string): JournalLine[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const complete = text.slice(0, text.lastIndexOf('\n') + 1);
  return complete
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as JournalLine);
}

/** How often each key occurs. */
export function countBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, number> {
  const counts = new Map<K, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
