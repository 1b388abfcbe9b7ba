/**
 * The server side of `bench lookup`, forked by bench/lookup.ts: the real app (dispatcher on, so every
 * reply is also sent through the sandbox) over a database holding BENCH_DOSSIERS dossiers, plus a bare
 * Fastify POST route on another port. Reports its ports and a gateway token over IPC.
 */
import Fastify from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../src/http/app.js';
import { createToken } from '../src/auth/token.service.js';
import { AGENCY, PROCEDURE, benchConfig, benchContext, seedReference } from './support.js';

const url = process.env.BENCH_DATABASE_URL;
const total = Number(process.env.BENCH_DOSSIERS ?? '1000000');
if (!url || !process.send) throw new Error('bench/lookup-server.ts is started by bench/lookup.ts');

// Guards off: the benchmark's senders are few compared with real traffic; their cost is still paid (the counting query runs).
const config = benchConfig(url, { MOTCUA_LOOKUP_RATE_LIMIT: '0', MOTCUA_LOOKUP_UNKNOWN_LIMIT: '1000000' });
const ctx = await benchContext(config);
await seedReference(ctx);
const started = Date.now();
const pgsql = ctx.db.dialect === 'postgres';
const pad = (expr: string) => (pgsql ? `lpad((${expr})::text, 7, '0')` : `printf('%07d', ${expr})`);
const now = Date.now();
const select = `select '000.00.88.H34-' || ${pad('i')}, '000.00.88.H34-' || ${pad('i')}, '${AGENCY}', '${PROCEDURE}', 'Lê Văn Thử',
  '098' || ${pad('i')}, '+8498' || ${pad('i')}, 'viettel', null, null, 'counter',
  case when i % 5 = 0 then 'result_ready' else 'in_progress' end, 'Thẩm định hồ sơ',
  ${now} - 86400000 * 3, ${now} + 86400000 * (i % 9 - 3), null, null, null, 'bench', 1, ${now}, ${now}`;
const columns = `receipt_code, receipt_key, agency_code, procedure_code, applicant_name, phone_input, phone_e164, phone_carrier,
  phone_problem, email, return_method, state, step, received_at, due_at, paused_at, finished_at, returned_at, intake_hash,
  event_count, created_at, updated_at`;
await sql
  .raw(
    pgsql
      ? `insert into dossiers (${columns}) ${select} from generate_series(1, ${total}) as s(i)`
      : `insert into dossiers (${columns}) with recursive s(i) as (select 1 union all select i + 1 from s where i < ${total}) ${select} from s`,
  )
  .execute(ctx.db.kysely);
await sql.raw('analyze').execute(ctx.db.kysely);
const insertS = (Date.now() - started) / 1000;
const { token } = await createToken(ctx.db, { role: 'gateway', label: 'bench' }, ctx.clock.now());

const app = await buildApp(ctx);
ctx.dispatcher.start();
await app.listen({ port: 0, host: '127.0.0.1' });
const bare = Fastify({ logger: false });
bare.post('/*', async () => ({ outcome: 'found', reply: 'ok', duplicate: false }));
await bare.listen({ port: 0, host: '127.0.0.1' });
const portOf = (server: typeof bare | typeof app) => (server.server.address() as { port: number }).port;
process.send({ type: 'ready', port: portOf(app), barePort: portOf(bare), token, insertS });

process.on('message', async (message: { cmd: string }) => {
  if (message.cmd !== 'stop') return;
  const counts = await ctx.db.kysely.selectFrom('inbound_messages').select((eb) => [eb.fn.countAll<number>().as('n')]).executeTakeFirstOrThrow();
  await app.close();
  await bare.close();
  await ctx.close();
  process.send!({ type: 'stopped', inbound: Number(counts.n) }, () => process.exit(0));
});
