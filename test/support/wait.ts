/**
 * The tests' (and benchmarks') waiting helpers, one definition each: `sleep`, `freePort` and `waitFor`.
 * (`withTimeout` lives in src/lib/async.ts, shared with the product.)
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP port free on 127.0.0.1 right now (the OS picks it; a later listen may still race). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A child process a wait watches: waiting fails as soon as it exits, and shows its output. */
export interface Watched {
  readonly name: string;
  readonly child: ChildProcess;
  output(): string;
}

export interface WaitOptions {
  /** Give up after this long (default 60 s); with `progress`, after this long without progress. */
  timeoutMs?: number;
  /** Poll interval (default 50 ms). */
  everyMs?: number;
  /** Fail at once when one of these exits; their output tails go into the failure message. */
  processes?: readonly Watched[];
  /** A counter: while it changes, the deadline moves on (an idle timeout rather than a total one). */
  progress?: () => number;
}

const running = (p: Watched) => p.child.exitCode === null && p.child.signalCode === null;

/**
 * Polls `check` until it returns a value other than undefined, null or false, and resolves with it.
 * Fails (assertion error) when a watched process exits or the deadline passes.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions = {},
): Promise<T> {
  const { timeoutMs = 60_000, everyMs = 50, processes = [], progress } = options;
  let deadline = Date.now() + timeoutMs;
  let last = progress?.();
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    for (const p of processes) if (!running(p)) assert.fail(`${p.name} exited while waiting for ${what}\n${p.output().slice(-5000)}`);
    if (progress) {
      const now = progress();
      if (now !== last) {
        last = now;
        deadline = Date.now() + timeoutMs;
      }
    }
    if (Date.now() > deadline)
      assert.fail(`timed out waiting for ${what}\n${processes.map((p) => `--- ${p.name}\n${p.output().slice(-5000)}`).join('\n')}`);
    await sleep(everyMs);
  }
}
