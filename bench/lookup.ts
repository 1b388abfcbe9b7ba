/**
 * `npm run bench -- lookup`: MO look-ups through the JSON webhook with BENCH 1,000,000 dossiers stored.
 * The app runs in a child process (bench/lookup-server.ts) so autocannon has its own event loop; each
 * request is a different sender asking for a random existing code (one in ten unknown). Compared with
 * a bare Fastify route in the same run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { createBenchDatabase, log, mb, resourceFigures, round, type BenchDb, type ResourceFigures, type Usage } from './support.js';

export interface LookupOptions {
  dossiers: number;
  connections: number;
  duration: number;
  warmup: number;
}

export interface LookupFigures extends ResourceFigures {
  db: BenchDb;
  dossiers: number;
  insertS: number;
  lookupsPerS: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  bareReqPerS: number;
  ratioToBare: number;
  inboundStored: number;
  /** RSS of the app process when it started, and once the dossiers were stored */
  rssStartMb: number;
  rssDossiersMb: number;
  goalMet: boolean | null;
}

export const LOOKUP_GOAL = { lookupsPerS: 1_500, p99Ms: 15 };

function next<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve(message as T);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`lookup server exited (${code}) before "${type}"`)));
  });
}

function cannon(port: number, token: string, options: LookupOptions, duration: number): Promise<autocannon.Result> {
  let n = 0;
  return autocannon({
    url: `http://127.0.0.1:${port}/api/v1/inbound/sms`,
    method: 'POST',
    connections: options.connections,
    duration,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          n++;
          const unknown = n % 10 === 0;
          const code = unknown ? `000.00.88.H34-X${n}` : `000.00.88.H34-${String(1 + ((n * 7919) % options.dossiers)).padStart(7, '0')}`;
          const from = `09${String(10_000_000 + (n % 90_000_000)).slice(-8)}`;
          return {
            ...request,
            body: JSON.stringify({ from, to: '8083', text: `mckh ${code.toLowerCase()}`, messageId: `bench-${process.pid}-${n}` }),
          };
        },
      },
    ],
  });
}

export async function benchLookup(kind: BenchDb, options: LookupOptions): Promise<LookupFigures> {
  const database = await createBenchDatabase(kind);
  const child = fork(new URL('./lookup-server.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_DATABASE_URL: database.url, BENCH_DOSSIERS: String(options.dossiers) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    log(`lookup ${kind}: inserting ${options.dossiers} dossiers`);
    const ready = await next<{
      port: number;
      barePort: number;
      token: string;
      insertS: number;
      rssAtStart: number;
      rssAfterDossiers: number;
    }>(child, 'ready');
    const usage = async () => {
      const answer = next<{ usage: Usage }>(child, 'usage');
      child.send({ cmd: 'usage' });
      return (await answer).usage;
    };
    log(`lookup ${kind}: ${options.dossiers} dossiers in ${round(ready.insertS, 1)} s; warm-up ${options.warmup} s`);
    if (options.warmup > 0) {
      await cannon(ready.barePort, ready.token, options, options.warmup);
      await cannon(ready.port, ready.token, options, options.warmup);
    }
    const bare = await cannon(ready.barePort, ready.token, options, options.duration);
    const beforeApp = await usage();
    const app = await cannon(ready.port, ready.token, options, options.duration);
    const afterApp = await usage();
    const stopped = next<{ inbound: number }>(child, 'stopped');
    child.send({ cmd: 'stop' });
    const { inbound } = await stopped;
    const lookupsPerS = app['2xx'] / app.duration;
    const bareReqPerS = bare['2xx'] / bare.duration;
    return {
      db: kind,
      dossiers: options.dossiers,
      insertS: round(ready.insertS, 1),
      lookupsPerS: round(lookupsPerS, 0),
      p50Ms: app.latency.p50,
      p99Ms: app.latency.p99,
      errors: app.errors,
      non2xx: app.non2xx,
      bareReqPerS: round(bareReqPerS, 0),
      ratioToBare: round(lookupsPerS / bareReqPerS, 3),
      inboundStored: inbound,
      ...resourceFigures(beforeApp, afterApp, app['2xx']),
      rssStartMb: mb(ready.rssAtStart),
      rssDossiersMb: mb(ready.rssAfterDossiers),
      goalMet: kind === 'sqlite' ? lookupsPerS >= LOOKUP_GOAL.lookupsPerS && app.latency.p99 < LOOKUP_GOAL.p99Ms && app.non2xx === 0 : null,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await database.drop();
  }
}
