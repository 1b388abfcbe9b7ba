/**
 * Real `motcua` processes for fault tests (`node --import tsx src/main/cli.ts …`), as the crash-recovery
 * test starts its workers: a clean environment (nothing of the runner's MOTCUA_* leaks in), the output
 * kept for assertions, and HTTP with a deadline (free ports and waits: wait.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /** stderr alone */
  errors(): string;
  alive(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('MOTCUA_') || key.startsWith('NODE_TEST') || key === 'DATABASE_URL' || key === 'LOG_LEVEL' || key === 'PORT')
      delete env[key];
  }
  return { ...env, ...extra };
}

export function startCli(name: string, args: readonly string[], env: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/cli.ts', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8');
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8');
    err += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    child,
    exited,
    output: () => log,
    errors: () => err,
    alive,
    async stop(graceMs = 15_000) {
      if (alive()) child.kill('SIGTERM');
      const timer = setTimeout(() => alive() && child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Runs a command to its end (for `check`, `--help` …); generous: a loaded machine takes long to start tsx. */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 240_000) {
  const process = startCli(args.join(' '), args, env);
  const timer = setTimeout(() => process.child.kill('SIGKILL'), timeoutMs);
  const { code } = await process.exited;
  clearTimeout(timer);
  return { code, output: process.output(), stderr: process.errors() };
}

export interface Answer {
  readonly status: number;
  readonly ms: number;
  readonly body: string;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read the answers' JSON loosely
  json<T = any>(): T;
}

/** One HTTP request that gives up after `timeoutMs` (status 0: no answer at all); `body` is sent as JSON, `rawBody` as is. */
export async function http(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; rawBody?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : init.rawBody !== undefined ? { body: init.rawBody } : {}),
      signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
    });
    const body = await res.text();
    return { status: res.status, ms: performance.now() - started, body, headers: res.headers, json: () => JSON.parse(body) };
  } catch (error) {
    return {
      status: 0,
      ms: performance.now() - started,
      body: String((error as Error).message),
      headers: new Headers(),
      json: () => {
        throw error;
      },
    };
  }
}
