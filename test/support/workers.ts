/**
 * Real `motcua worker` processes for the crash tests (the dispatcher's and Zalo's): started with a clean
 * environment (cli-process.ts), named on PostgreSQL so a test can tell when a killed worker's sessions are
 * gone, killed at the end of the file whatever happened; and the sandbox's journal, the per-message log of
 * what the "SMSC" accepted.
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { cleanEnv, startCli, type CliProcess } from './cli-process.js';
import { sessionsEnded, withSessionName, type TestDatabase } from './database.js';
import { ADMIN_TOKEN } from './harness.js';

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
export function startWorker(name: string, env: NodeJS.ProcessEnv, database: TestDatabase): CliProcess {
  const worker = startCli(name, ['worker'], { ...env, DATABASE_URL: withSessionName(database, env.DATABASE_URL!, applicationName(name)) });
  started.add(worker);
  return worker;
}

/** What was in flight at a worker's kill is known once every session of it has ended (database.ts). */
export const sessionsGone = (database: TestDatabase, worker: CliProcess, timeoutMs?: number): Promise<void> =>
  sessionsEnded(database, applicationName(worker.name), timeoutMs);

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
