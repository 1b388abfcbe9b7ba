/**
 * A PostgreSQL cluster of the test's own, for tests that kill, terminate or freeze the server: `initdb`
 * into a temporary directory and `pg_ctl` on a free port, run as the `postgres` user when the tests run
 * as root. The shared server at :5432 is never touched. Outside CI a missing `initdb` skips those tests
 * with a message; under CI=true it fails them.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './wait.js';

function findBin(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    for (const version of readdirSync(root).sort().reverse()) {
      const candidate = join(root, version, 'bin', name);
      if (existsSync(candidate)) return candidate;
    }
  }
  return null;
}

const INITDB = findBin('initdb');
const PG_CTL = findBin('pg_ctl');
const SKIP_REASON = 'initdb/pg_ctl not found: install postgresql (apt-get install -y postgresql) to run the PostgreSQL fault tests';

/** The reason every private-cluster test skips, or null when they run. */
export const privatePostgresSkipReason: string | null = (!INITDB || !PG_CTL) && process.env.CI !== 'true' ? SKIP_REASON : null;

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL tool as `postgres` when we are root (the server refuses to run as root). */
const asPostgres = (bin: string, args: string[]): [string, string[]] =>
  asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];

function runAsPostgres(bin: string, args: string[], timeoutMs = 60_000): void {
  const [file, argv] = asPostgres(bin, args);
  const result = spawnSync(file, argv, { encoding: 'utf8', timeout: timeoutMs });
  if (result.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
}

/** The same without blocking the event loop: for a restart while the process under test keeps running. */
function runAsPostgresAsync(bin: string, args: string[], timeoutMs = 60_000): Promise<void> {
  const [file, argv] = asPostgres(bin, args);
  return new Promise((resolve, reject) => {
    execFile(file, argv, { encoding: 'utf8', timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${bin} ${args.join(' ')} failed (${error.code ?? error.signal}): ${stderr}${stdout}`));
      else resolve();
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface PrivatePostgres {
  readonly port: number;
  /** A connection URL to `database` (default `postgres`) on this cluster. */
  url(database?: string): string;
  createDatabase(name: string): Promise<string>;
  /** The postmaster and every process it started (backends, checkpointer …). */
  pids(): number[];
  /** SIGKILL to the postmaster, as a crash would; its children are left to notice (then killed if they linger). */
  killPostmaster(): Promise<void>;
  /** Starts the cluster again after a kill (without blocking the event loop: the app in this process keeps running). */
  start(): Promise<void>;
  /** pg_terminate_backend on every client session (an admin's kill); returns how many. */
  terminateBackends(): Promise<number>;
  /** SIGSTOP to the postmaster and all its children: the server accepts TCP but never answers. */
  freeze(): void;
  thaw(): void;
  /** Stops the cluster (immediate) and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  if (!INITDB || !PG_CTL) throw new Error(`${SKIP_REASON} (CI=true: a missing PostgreSQL is a failure)`);
  const dir = mkdtempSync(join(tmpdir(), 'motcua-pg-'));
  const data = join(dir, 'data');
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  runAsPostgres(INITDB, ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    // fsync only matters when the machine crashes; a killed postmaster loses nothing committed with it off.
    // (synchronous_commit=off would: acknowledged commits still in WAL buffers die with the server.)
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c max_connections=60',
    '-c shared_buffers=16MB',
  ].join(' ');
  const startArgs = ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start'];
  runAsPostgres(PG_CTL, startArgs);
  let frozen = false;
  let stopped = false;

  const postmasterPid = (): number | null => {
    const file = join(data, 'postmaster.pid');
    if (!existsSync(file)) return null;
    const pid = Number(readFileSync(file, 'utf8').split('\n', 1)[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  };
  const children = (pid: number): number[] => {
    const result = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
    return result.stdout
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((n) => Number.isInteger(n) && n > 0);
  };
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const signalAll = (signal: NodeJS.Signals) => {
    const pid = postmasterPid();
    if (!pid) return;
    // The postmaster first on STOP (so it starts no one new), last on CONT.
    const all = signal === 'SIGCONT' ? [...children(pid), pid] : [pid, ...children(pid)];
    for (const p of all) {
      try {
        process.kill(p, signal);
      } catch {
        /* gone already */
      }
    }
  };

  return {
    port,
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      await client.query(`create database ${name}`);
      await client.end();
      return url(name);
    },
    pids() {
      const pid = postmasterPid();
      return pid ? [pid, ...children(pid)] : [];
    },
    async killPostmaster() {
      const pid = postmasterPid();
      if (!pid) throw new Error('the private cluster is not running');
      const orphans = children(pid);
      process.kill(pid, 'SIGKILL');
      const deadline = Date.now() + 5_000;
      while ([pid, ...orphans].some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const p of orphans.filter(alive)) process.kill(p, 'SIGKILL');
      while ([pid, ...orphans].some(alive)) await new Promise((r) => setTimeout(r, 20));
    },
    async start() {
      await runAsPostgresAsync(PG_CTL, startArgs);
    },
    async terminateBackends() {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      const { rows } = await client.query<{ n: string }>(
        `select count(pg_terminate_backend(pid)) as n from pg_stat_activity
          where pid <> pg_backend_pid() and backend_type = 'client backend'`,
      );
      await client.end();
      return Number(rows[0]?.n ?? 0);
    },
    freeze() {
      frozen = true;
      signalAll('SIGSTOP');
    },
    thaw() {
      if (!frozen) return;
      frozen = false;
      signalAll('SIGCONT');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (frozen) {
        frozen = false;
        signalAll('SIGCONT');
      }
      try {
        if (postmasterPid() && alive(postmasterPid()!)) runAsPostgres(PG_CTL, ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']);
      } catch {
        const pid = postmasterPid();
        if (pid) for (const p of [pid, ...children(pid)]) if (alive(p)) process.kill(p, 'SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
