/**
 * `npm run bench -- loop`: the look-up loop as a carrier drives it. The load driver
 * (`../shared/bench/loop-smsc.cjs`, an SMPP server in its own process) pushes N deliver_sm
 * "MCKH <code>" with at most W unanswered and counts the replies; the product runs in another process
 * (bench/loop-server.ts) bound to it through its SMPP provider. On the same driver, in the same run:
 * Kannel 1.4.5 (`kannel-loop.sh`: bearerbox + smsbox, static reply, stores nothing) and a do-nothing
 * ESME (`bare-esme.cjs`, the ceiling of the driver and the machine).
 * Needs the npm package smpp@0.5.1 under ~/.cache/motcua-bench-smpp (installed on first use, as the
 * drivers' README says) and, for the Kannel figure, `apt-get install kannel`.
 */
import { execFileSync, fork, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoopChildMessage, LoopParentMessage } from './loop-server.js';
import { createBenchDatabase, log, mb, resourceFigures, sleep, type BenchDb } from './support.js';
import { freePort } from '../test/support/wait.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVER = fileURLToPath(new URL('./loop-server.ts', import.meta.url));
export const DRIVERS = process.env.BENCH_LOOP_DRIVERS ?? join(ROOT, '..', 'shared', 'bench');
const SMPP_MODULES = process.env.SMPP_MODULES ?? join(homedir(), '.cache', 'motcua-bench-smpp', 'node_modules');

export interface LoopOptions {
  readonly mos: number;
  readonly inflight: number;
  readonly dossiers: number;
  readonly text: string;
}

export interface LoopFigures {
  readonly who: string;
  readonly db: BenchDb | null;
  readonly msgsPerS: number | null;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly cpuSPer1000: number | null;
  readonly rssStartMb: number | null;
  readonly rssDossiersMb: number | null;
  readonly rssAfterMb: number | null;
  readonly replies: number | null;
  readonly unsent: number | null;
  readonly note: string | null;
}

export const LOOP_GOAL = { ratioToKannel: 1, p99Ms: 50 };

function ensureSmppModule(): void {
  if (existsSync(join(SMPP_MODULES, 'smpp'))) return;
  log(`installing smpp@0.5.1 under ${SMPP_MODULES} for the load driver`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', join(SMPP_MODULES, '..'), 'smpp@0.5.1'], { stdio: 'ignore' });
}

/** Starts the driver; resolves with its replies/s once every reply arrived (rejects on its timeout). */
function startDriver(port: number, options: LoopOptions): { done: Promise<number>; kill(): void } {
  const child = spawn(
    process.execPath,
    [join(DRIVERS, 'loop-smsc.cjs'), String(port), String(options.mos), String(options.inflight), options.text],
    {
      env: { ...process.env, NODE_PATH: SMPP_MODULES, LOOP_START_DELAY_MS: process.env.LOOP_START_DELAY_MS ?? '1500' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const done = new Promise<number>((resolve, reject) => {
    child.on('exit', () => {
      const match = /loop_msgs_per_s ([0-9.]+)/.exec(out);
      if (match) resolve(Number(match[1]));
      else reject(new Error(`driver: ${out.trim() || 'exited without a figure'}`));
    });
  });
  return { done, kill: () => child.kill('SIGKILL') };
}

export async function benchLoopProduct(kind: BenchDb, options: LoopOptions): Promise<LoopFigures> {
  ensureSmppModule();
  const database = await createBenchDatabase(kind);
  const port = await freePort();
  const driver = startDriver(port, options);
  const server = fork(SERVER, [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
    env: { ...process.env, BENCH_DATABASE_URL: database.url, BENCH_SMPP_PORT: String(port), BENCH_DOSSIERS: String(options.dossiers) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T extends LoopChildMessage['type']>(type: T) =>
    new Promise<Extract<LoopChildMessage, { type: T }>>((resolve, reject) => {
      const onMessage = (message: LoopChildMessage) => {
        if (message.type !== type) return;
        server.off('message', onMessage);
        resolve(message as Extract<LoopChildMessage, { type: T }>);
      };
      server.on('message', onMessage);
      server.once('exit', (code) => reject(new Error(`loop server exited (${code})`)));
    });
  const ask = <T extends LoopChildMessage['type']>(message: LoopParentMessage, type: T) => {
    const reply = next(type);
    server.send(message);
    return reply;
  };
  try {
    const ready = await next('ready');
    const before = await ask({ cmd: 'usage' }, 'usage');
    log(`loop ${kind}: ${options.mos} MOs, ${options.inflight} in flight`);
    const msgsPerS = await driver.done;
    const afterRun = await ask({ cmd: 'usage' }, 'usage');
    const figures = await ask({ cmd: 'figures', expected: options.mos }, 'figures');
    await ask({ cmd: 'stop' }, 'stopped');
    // Let it exit by itself (a CPU profile is written at exit).
    await Promise.race([new Promise((resolve) => server.once('exit', resolve)), sleep(10_000)]);
    const resources = resourceFigures(before.usage, afterRun.usage, options.mos);
    return {
      who: 'MotcuaSMS',
      db: kind,
      msgsPerS,
      p50Ms: figures.p50Ms,
      p99Ms: figures.p99Ms,
      cpuSPer1000: resources.cpuSPer1000,
      rssStartMb: mb(ready.rssBytes),
      rssDossiersMb: mb(ready.rssAfterDossiersBytes),
      rssAfterMb: resources.rssAfterMb,
      replies: figures.replies,
      unsent: figures.unsent,
      note: figures.mos === options.mos ? null : `${figures.mos} MOs stored`,
    };
  } finally {
    driver.kill();
    if (server.exitCode === null) server.kill('SIGKILL');
    await database.drop();
  }
}

const peer = (who: string, msgsPerS: number | null, note: string | null): LoopFigures => ({
  who,
  db: null,
  msgsPerS,
  p50Ms: null,
  p99Ms: null,
  cpuSPer1000: null,
  rssStartMb: null,
  rssDossiersMb: null,
  rssAfterMb: null,
  replies: null,
  unsent: null,
  note,
});

/** Kannel on the same driver (the drivers' own script). */
export async function benchLoopKannel(options: LoopOptions): Promise<LoopFigures> {
  if (!existsSync('/usr/sbin/bearerbox')) return peer('Kannel 1.4.5', null, 'not installed (apt-get install kannel)');
  ensureSmppModule();
  const out = await new Promise<string>((resolve) => {
    const child = spawn('bash', [join(DRIVERS, 'kannel-loop.sh'), String(options.mos), String(options.inflight)], {
      env: { ...process.env, SMPP_MODULES },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.on('exit', () => resolve(text));
  });
  const match = /kannel_loop_msgs_per_s ([0-9.]+)/.exec(out);
  return peer('Kannel 1.4.5 (static reply)', match ? Number(match[1]) : null, match ? null : out.trim().slice(0, 200));
}

/** The ceiling: an ESME that answers every MO at once and stores nothing. */
export async function benchLoopBare(options: LoopOptions): Promise<LoopFigures> {
  ensureSmppModule();
  const port = await freePort();
  const driver = startDriver(port, options);
  await sleep(300);
  const esme = spawn(process.execPath, [join(DRIVERS, 'bare-esme.cjs'), String(port)], {
    env: { ...process.env, NODE_PATH: SMPP_MODULES },
    stdio: 'ignore',
  });
  try {
    return peer('bare ESME (ceiling)', await driver.done, null);
  } catch (error) {
    return peer('bare ESME (ceiling)', null, (error as Error).message);
  } finally {
    esme.kill('SIGKILL');
    driver.kill();
  }
}
