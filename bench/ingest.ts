/**
 * `bench ingest`: HTTP ingest throughput of the real app.
 *
 * The server (bench/server.ts) runs in a forked child process, so autocannon — which needs a core of
 * its own at these rates — does not share the app's event loop. Each autocannon connection loops over
 * one dossier's life: intake, step "Thẩm định hồ sơ", step "Trình lãnh đạo phê duyệt", result_ready
 * (each event with an eventId, as an integration would send it); the last one creates a result_ready
 * SMS that the dispatcher, running in the server process as in `motcua serve`, delivers through the
 * sandbox while the load continues. `setupRequest` makes a fresh receipt code per dossier.
 *
 * "events/s" counts every successful write request — the intake and the three events — i.e. it equals
 * 2xx requests per second; "dossiers/s" is a quarter of it. The same request sequence (same bodies,
 * same connections, same duration) is replayed against a bare Fastify catch-all POST route returning
 * {ok:true} in the same child process, and the ratio is app requests/s ÷ bare requests/s.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import type { ChildMessage, ParentMessage } from './server.js';
import {
  AGENCY,
  PROCEDURE,
  createBenchDatabase,
  log,
  phoneFor,
  resourceFigures,
  round,
  type BenchDb,
  type ResourceFigures,
} from './support.js';

export interface IngestOptions {
  connections: number;
  duration: number;
  warmup: number;
  dispatcher: 'on' | 'off' | 'both';
}

export interface IngestFigures extends ResourceFigures {
  db: BenchDb;
  dispatcher: 'on' | 'off';
  connections: number;
  durationS: number;
  requests: number;
  eventsPerS: number;
  dossiersPerS: number;
  p50Ms: number;
  p97_5Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  bareReqPerS: number;
  bareP99Ms: number;
  ratioToBare: number;
  dbDossiers: number;
  dbEvents: number;
  notificationsDelivered: number;
  notificationsLeft: number;
  drainMs: number | null;
  /** Intakes and events per group transaction during the run (null: no grouping, as on PostgreSQL by default). */
  worksPerGroup: number | null;
  /** The goal for this database (INGEST_GOAL). */
  goalMet: boolean;
}

/** Issue 14: ≥ 5,000 events/s on SQLite, ≥ 2,000 on PostgreSQL, p99 < 20 ms; and (earlier) ≥ 0.3 of the bare route. */
export const INGEST_GOAL = { eventsPerS: { sqlite: 5_000, postgres: 2_000 }, p99Ms: 20, ratioToBare: 0.3 };

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));

class ServerProcess {
  private waiting: Array<{ type: ChildMessage['type']; resolve: (m: ChildMessage) => void }> = [];
  private exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: ChildMessage) => {
      const index = this.waiting.findIndex((w) => w.type === message.type);
      if (index >= 0) this.waiting.splice(index, 1)[0]!.resolve(message);
    });
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  static start(databaseUrl: string, dispatcher: 'on' | 'off'): ServerProcess {
    const child = fork(SERVER, [], {
      cwd: ROOT,
      // BENCH_CPU_PROF=<dir>: the server process writes a V8 CPU profile of the app's measured run there.
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, BENCH_DATABASE_URL: databaseUrl, BENCH_DISPATCHER: dispatcher },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new ServerProcess(child);
  }

  next<T extends ChildMessage['type']>(type: T, timeoutMs = 120_000): Promise<Extract<ChildMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bench server: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
      const onExit = () => reject(new Error(`bench server exited while waiting for "${type}"`));
      this.child.once('exit', onExit);
      this.waiting.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          this.child.off('exit', onExit);
          resolve(m as Extract<ChildMessage, { type: T }>);
        },
      });
    });
  }

  ask<T extends ChildMessage['type']>(message: ParentMessage, type: T, timeoutMs?: number): Promise<Extract<ChildMessage, { type: T }>> {
    const answer = this.next(type, timeoutMs);
    this.child.send(message);
    return answer;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      await this.ask({ cmd: 'stop' }, 'stopped', 30_000);
    } catch {
      if (this.child.pid !== undefined) this.child.kill('SIGKILL');
    }
    await this.exited;
  }
}

const RUN = randomBytes(3).toString('hex').toUpperCase();
let sequence = 0;

interface DossierContext {
  code?: string;
}

/** One dossier's life as four requests; autocannon repeats it on every connection. */
function dossierRequests(): autocannon.Request[] {
  const eventRequest = (n: number, body: (code: string) => Record<string, unknown>): autocannon.Request => ({
    method: 'POST',
    setupRequest: (request, context) => {
      const code = (context as DossierContext).code!;
      return { ...request, path: `/api/v1/dossiers/${code}/events`, body: JSON.stringify({ ...body(code), eventId: `${code}-e${n}` }) };
    },
  });
  return [
    {
      method: 'POST',
      path: '/api/v1/dossiers',
      setupRequest: (request, context) => {
        const n = ++sequence;
        const code = `000.00.99.H34-${RUN}-${String(n).padStart(7, '0')}`;
        (context as DossierContext).code = code;
        return {
          ...request,
          body: JSON.stringify({
            receiptCode: code,
            agencyCode: AGENCY,
            procedureCode: PROCEDURE,
            applicant: { name: 'Nguyễn Văn Thử', phone: phoneFor(n) },
            returnMethod: 'counter',
          }),
        };
      },
    },
    eventRequest(1, () => ({ type: 'step', step: 'Thẩm định hồ sơ' })),
    eventRequest(2, () => ({ type: 'step', step: 'Trình lãnh đạo phê duyệt' })),
    eventRequest(3, () => ({ type: 'result_ready' })),
  ];
}

function cannon(port: number, token: string, connections: number, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration,
    pipelining: 1,
    timeout: 10,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests: dossierRequests(),
  });
}

async function runOne(kind: BenchDb, dispatcher: 'on' | 'off', options: IngestOptions): Promise<IngestFigures> {
  const database = await createBenchDatabase(kind);
  let server: ServerProcess | null = null;
  try {
    server = ServerProcess.start(database.url, dispatcher);
    const { port, barePort, token } = await server.next('ready');
    log(`ingest ${kind} (dispatcher ${dispatcher}): app on :${port}, bare Fastify on :${barePort}; warm-up ${options.warmup} s each`);
    if (options.warmup > 0) {
      await cannon(barePort, token, options.connections, options.warmup);
      await cannon(port, token, options.connections, options.warmup);
      if (dispatcher === 'on') await server.ask({ cmd: 'drain', timeoutMs: 60_000 }, 'drained', 70_000);
    }
    const before = await server.ask({ cmd: 'stats' }, 'stats');

    log(`ingest ${kind}: bare route, ${options.connections} connections × ${options.duration} s`);
    const bare = await cannon(barePort, token, options.connections, options.duration);
    log(`ingest ${kind}: app, ${options.connections} connections × ${options.duration} s`);
    const { usage: beforeApp } = await server.ask({ cmd: 'usage', start: true }, 'usage');
    const app = await cannon(port, token, options.connections, options.duration);
    // CPU of the app process while it took the load (its dispatcher sending the SMS included).
    const { usage: afterApp } = await server.ask({ cmd: 'usage' }, 'usage');

    const drained = dispatcher === 'on' ? await server.ask({ cmd: 'drain', timeoutMs: 60_000 }, 'drained', 70_000) : null;
    const after = await server.ask({ cmd: 'stats' }, 'stats');

    const ok = app['2xx'];
    const eventsPerS = ok / app.duration;
    const bareReqPerS = bare['2xx'] / bare.duration;
    const ratioToBare = eventsPerS / bareReqPerS;
    const figures: IngestFigures = {
      db: kind,
      dispatcher,
      connections: options.connections,
      durationS: round(app.duration),
      requests: app.requests.total,
      eventsPerS: round(eventsPerS, 0),
      dossiersPerS: round(eventsPerS / 4, 0),
      p50Ms: app.latency.p50,
      p97_5Ms: app.latency.p97_5,
      p99Ms: app.latency.p99,
      maxMs: app.latency.max,
      errors: app.errors,
      timeouts: app.timeouts,
      non2xx: app.non2xx,
      bareReqPerS: round(bareReqPerS, 0),
      bareP99Ms: bare.latency.p99,
      ratioToBare: round(ratioToBare, 3),
      dbDossiers: after.dossiers - before.dossiers,
      dbEvents: after.events - before.events,
      notificationsDelivered: (after.notifications.delivered ?? 0) - (before.notifications.delivered ?? 0),
      notificationsLeft: (after.notifications.pending ?? 0) + (after.notifications.sending ?? 0),
      drainMs: drained?.ms ?? null,
      worksPerGroup:
        after.groups.count > before.groups.count
          ? round((after.groups.works - before.groups.works) / (after.groups.count - before.groups.count), 1)
          : null,
      ...resourceFigures(beforeApp, afterApp, ok),
      goalMet:
        eventsPerS >= INGEST_GOAL.eventsPerS[kind] &&
        app.latency.p99 < INGEST_GOAL.p99Ms &&
        ratioToBare >= INGEST_GOAL.ratioToBare &&
        app.errors === 0 &&
        app.non2xx === 0,
    };
    return figures;
  } finally {
    await server?.stop();
    await database.drop();
  }
}

export async function benchIngest(kind: BenchDb, options: IngestOptions): Promise<IngestFigures[]> {
  const modes: Array<'on' | 'off'> = options.dispatcher === 'both' ? ['on', 'off'] : [options.dispatcher];
  const results: IngestFigures[] = [];
  for (const mode of modes) results.push(await runOne(kind, mode, options));
  return results;
}
