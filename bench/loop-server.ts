/**
 * The product side of `bench loop`, in its own process (forked by bench/loop.ts): wired as `motcua serve`
 * wires it (createContext, dispatcher on, scheduler off), its SMPP provider bound to the load driver
 * (../shared/bench/loop-smsc.cjs) exactly as to a carrier, `BENCH_DOSSIERS` dossiers stored. Reports its
 * own CPU time and RSS, and the MO→reply latency from its rows, over the fork IPC channel.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { benchConfig, benchContext, bulkInsertDossiers, seedReference, sleep, usageNow, type Usage } from './support.js';

export type LoopParentMessage = { cmd: 'usage' } | { cmd: 'figures'; expected: number } | { cmd: 'stop' };
export type LoopChildMessage =
  | { type: 'ready'; rssBytes: number; rssAfterDossiersBytes: number }
  | { type: 'usage'; usage: Usage }
  | {
      type: 'figures';
      mos: number;
      replies: number;
      unsent: number;
      p50Ms: number;
      p99Ms: number;
    }
  | { type: 'stopped' };

const url = process.env.BENCH_DATABASE_URL;
const port = Number(process.env.BENCH_SMPP_PORT);
if (!url || !process.send || !port) throw new Error('bench/loop-server.ts is started by bench/loop.ts');
const send = (message: LoopChildMessage) => process.send!(message);
const window = Number(process.env.BENCH_SMPP_WINDOW ?? 100);
const bind = process.env.BENCH_SMPP_BIND ?? 'tx_rx';

const dir = mkdtempSync(join(tmpdir(), 'motcua-bench-loop-'));
const configFile = join(dir, 'providers.json');
writeFileSync(
  configFile,
  JSON.stringify({
    providers: [
      {
        name: 'carrier',
        type: 'smpp',
        options: { url: `smpp://bench:bench@127.0.0.1:${port}?bind=${bind}&window=${window}&shortCode=8083` },
      },
    ],
  }),
);
const rssAtStart = process.memoryUsage().rss;
// The operator's choice for the notification path's commits, when the run sets it (README Configuration).
const syncCommit = process.env.MOTCUA_PG_SYNCHRONOUS_COMMIT_NOTIFICATIONS;
const config = benchConfig(url, {
  MOTCUA_CONFIG_FILE: configFile,
  MOTCUA_DISPATCHER: 'true',
  ...(syncCommit ? { MOTCUA_PG_SYNCHRONOUS_COMMIT_NOTIFICATIONS: syncCommit } : {}),
});
const ctx = await benchContext(config);
await seedReference(ctx);
await bulkInsertDossiers(ctx, Number(process.env.BENCH_DOSSIERS ?? 10_000));
ctx.providers.start();
ctx.dispatcher.start();

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function figures(): Promise<LoopChildMessage> {
  // The driver counts a reply when its submit_sm arrives; the `sent` rows commit right after.
  for (let i = 0; i < 100; i++) {
    const left = await sql<{ n: number }>`select count(*) as n from notifications where status in ('pending', 'sending')`.execute(
      ctx.db.kysely,
    );
    if ((left.rows[0]?.n ?? 0) === 0) break;
    await sleep(50);
  }
  const rows = await sql<{ received_at: number; sent_at: number | null; status: string }>`
    select i.received_at, m.sent_at, m.status
      from inbound_messages i join notifications m on m.id = i.reply_notification_id`.execute(ctx.db.kysely);
  const latencies = rows.rows
    .filter((r) => r.sent_at !== null)
    .map((r) => Number(r.sent_at) - r.received_at)
    .sort((a, b) => a - b);
  const mos = await sql<{ n: number }>`select count(*) as n from inbound_messages`.execute(ctx.db.kysely);
  return {
    type: 'figures',
    mos: mos.rows[0]?.n ?? 0,
    replies: rows.rows.length,
    unsent: rows.rows.filter((r) => r.status !== 'sent' && r.status !== 'delivered').length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

process.on('message', (message: LoopParentMessage) => {
  void (async () => {
    if (message.cmd === 'usage') {
      send({ type: 'usage', usage: usageNow() });
    } else if (message.cmd === 'figures') send(await figures());
    else if (message.cmd === 'stop') {
      await ctx.close();
      rmSync(dir, { recursive: true, force: true });
      send({ type: 'stopped' });
      process.disconnect();
      process.exit(0);
    }
  })().catch((error: unknown) => {
    process.stderr.write(`bench loop server: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
});

send({ type: 'ready', rssBytes: rssAtStart, rssAfterDossiersBytes: process.memoryUsage().rss });
