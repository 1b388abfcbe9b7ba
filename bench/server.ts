/**
 * The server side of `bench ingest`, run in a child process (forked by bench/ingest.ts) so that the
 * load generator does not share its event loop: the real app exactly as `motcua serve` wires it
 * (createContext + buildApp + listen, dispatcher on unless BENCH_DISPATCHER=off, scheduler off), and a
 * bare Fastify instance on another port whose catch-all POST route answers {ok:true} — the ceiling
 * the app is compared with. Talks to the parent over the fork IPC channel, and reports its own CPU time
 * and RSS (the app's; the bare route is not running while the app is measured).
 */
import Fastify from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../src/main/app.js';
import { AGENCY, benchConfig, benchContext, seedReference, sleep, startCpuProfile, usageNow, type Usage } from './support.js';

export type ParentMessage = { cmd: 'stats' } | { cmd: 'usage'; start?: boolean } | { cmd: 'drain'; timeoutMs: number } | { cmd: 'stop' };
export type ChildMessage =
  | { type: 'ready'; port: number; barePort: number; token: string }
  | { type: 'usage'; usage: Usage }
  | {
      type: 'stats';
      dossiers: number;
      events: number;
      notifications: Record<string, number>;
      /** Group transactions of intakes and events so far, and the works they held (SQLite's group commit). */
      groups: { count: number; works: number };
    }
  | { type: 'drained'; ok: boolean; ms: number }
  | { type: 'stopped' };

const url = process.env.BENCH_DATABASE_URL;
if (!url || !process.send) throw new Error('bench/server.ts is started by bench/ingest.ts');
const send = (message: ChildMessage) => process.send!(message);

// Diagnostics: BENCH_SQL_STATS=1 prints the time spent per SQL statement (SQLite) when stopped.
const sqlStats = process.env.BENCH_SQL_STATS ? await import('./sql-stats.js') : null;
sqlStats?.installSqlStats();

// Diagnostics: MOTCUA_INGEST_GROUP_SIZE / MOTCUA_INGEST_GROUP_DELAY_MS reach the app (e.g. grouping on PostgreSQL).
const grouping = Object.fromEntries(
  ['MOTCUA_INGEST_GROUP_SIZE', 'MOTCUA_INGEST_GROUP_DELAY_MS'].flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])),
);
const config = benchConfig(url, { MOTCUA_DISPATCHER: process.env.BENCH_DISPATCHER === 'off' ? 'false' : 'true', ...grouping });
const ctx = await benchContext(config);
await seedReference(ctx);
// Diagnostics: BENCH_PRAGMA="pragma …" is run on the app's connection (SQLite) before the load.
if (process.env.BENCH_PRAGMA) await sql.raw(process.env.BENCH_PRAGMA).execute(ctx.db.kysely);
const { token } = await ctx.tokens.create({ role: 'agency', agencyCode: AGENCY, label: 'bench' });

const app = await buildApp(ctx);
if (config.dispatcher.enabled) ctx.dispatcher.start();
await app.listen({ port: 0, host: '127.0.0.1' });

const bare = Fastify({ logger: false, bodyLimit: config.bodyLimitBytes });
bare.post('/*', async () => ({ ok: true }));
await bare.listen({ port: 0, host: '127.0.0.1' });

const portOf = (server: typeof bare.server) => {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
};

async function stats(): Promise<ChildMessage> {
  const db = ctx.db.kysely;
  const dossiers = await db
    .selectFrom('dossiers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const events = await db
    .selectFrom('dossier_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const byStatus = await db
    .selectFrom('notifications')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  const histogram = (await ctx.metrics.ingestGroupSize.get()).values;
  const total = (name: string) => histogram.filter((v) => v.metricName === name).reduce((sum, v) => sum + v.value, 0);
  return {
    type: 'stats',
    groups: { count: total('motcua_ingest_group_size_count'), works: total('motcua_ingest_group_size_sum') },
    dossiers: dossiers.n,
    events: events.n,
    notifications: Object.fromEntries(byStatus.map((r) => [r.status, r.n])),
  };
}

/** Waits until the dispatcher has nothing left to send (or the timeout passes). */
async function drain(timeoutMs: number): Promise<ChildMessage> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const left = await sql<{ n: number }>`select count(*) as n from notifications where status in ('pending', 'sending')`.execute(
      ctx.db.kysely,
    );
    if ((left.rows[0]?.n ?? 0) === 0) return { type: 'drained', ok: true, ms: Date.now() - started };
    await sleep(50);
  }
  return { type: 'drained', ok: false, ms: Date.now() - started };
}

let stopProfile: () => Promise<void> = async () => undefined;

process.on('message', (message: ParentMessage) => {
  void (async () => {
    if (message.cmd === 'stats') send(await stats());
    else if (message.cmd === 'usage') {
      // The measured run starts (statements counted and CPU profiled from here) or ends.
      if (message.start) {
        sqlStats?.resetSqlStats();
        stopProfile = await startCpuProfile(`ingest-${process.env.BENCH_DISPATCHER === 'off' ? 'off' : 'on'}`);
      } else {
        await stopProfile();
      }
      send({ type: 'usage', usage: usageNow() });
    } else if (message.cmd === 'drain') send(await drain(message.timeoutMs));
    else if (message.cmd === 'stop') {
      await bare.close();
      await app.close();
      await ctx.close();
      if (sqlStats)
        process.stderr.write(`SQL statements by total time (server process, the app's measured run):\n${sqlStats.sqlStatsReport()}\n`);
      send({ type: 'stopped' });
      process.disconnect();
    }
  })().catch((error: unknown) => {
    process.stderr.write(`bench server: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
});

send({ type: 'ready', port: portOf(app.server), barePort: portOf(bare.server), token });
