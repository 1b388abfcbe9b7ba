/**
 * The server side of `bench lookup`, forked by bench/lookup.ts: the real app (dispatcher on, so every
 * reply is also sent through the sandbox) over a database holding BENCH_DOSSIERS dossiers, plus a bare
 * Fastify POST route on another port. Reports its ports and a gateway token over IPC, its RSS at start
 * and once the dossiers are stored, and its CPU time and RSS when asked.
 */
import Fastify from 'fastify';
import { buildApp } from '../src/main/app.js';
import { benchConfig, benchContext, bulkInsertDossiers, seedReference, usageNow } from './support.js';

const url = process.env.BENCH_DATABASE_URL;
const total = Number(process.env.BENCH_DOSSIERS ?? '1000000');
if (!url || !process.send) throw new Error('bench/lookup-server.ts is started by bench/lookup.ts');

// Guards off: the benchmark's senders are few compared with real traffic; their cost is still paid (the counting query runs).
const rssAtStart = process.memoryUsage().rss;
const config = benchConfig(url, { MOTCUA_LOOKUP_RATE_LIMIT: '0', MOTCUA_LOOKUP_UNKNOWN_LIMIT: '1000000' });
const ctx = await benchContext(config);
await seedReference(ctx);
const started = Date.now();
await bulkInsertDossiers(ctx, total);
const insertS = (Date.now() - started) / 1000;
const rssAfterDossiers = process.memoryUsage().rss;
const { token } = await ctx.tokens.create({ role: 'gateway', label: 'bench' });

const app = await buildApp(ctx);
ctx.dispatcher.start();
await app.listen({ port: 0, host: '127.0.0.1' });
const bare = Fastify({ logger: false });
bare.post('/*', async () => ({ outcome: 'found', reply: 'ok', duplicate: false }));
await bare.listen({ port: 0, host: '127.0.0.1' });
const portOf = (server: typeof bare | typeof app) => (server.server.address() as { port: number }).port;
process.send({ type: 'ready', port: portOf(app), barePort: portOf(bare), token, insertS, rssAtStart, rssAfterDossiers });

process.on('message', async (message: { cmd: string }) => {
  if (message.cmd === 'usage') process.send!({ type: 'usage', usage: usageNow() });
  if (message.cmd !== 'stop') return;
  const counts = await ctx.db.kysely
    .selectFrom('inbound_messages')
    .select((eb) => [eb.fn.countAll<number>().as('n')])
    .executeTakeFirstOrThrow();
  await app.close();
  await bare.close();
  await ctx.close();
  process.send!({ type: 'stopped', inbound: counts.n }, () => process.exit(0));
});
