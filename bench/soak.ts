/**
 * Soak (issue 12): `npm run bench -- soak --minutes=N [--db=…] [--rate=20]`. Steady load — dossiers
 * reaching result_ready at `rate` per second, each one SMS — through the dispatcher and the SMPP
 * provider to the simulator, with faults on a schedule repeating every minute:
 *   0:15 every connection dropped · 0:25–0:35 50 % ESME_RTHROTTLED · 0:45–0:50 answers 1.5 s late.
 * Then the load stops and the outbox is given up to 90 s to drain. Figures: messages created, delivered,
 * duplicated (the simulator's per-message submit log), lost (never accepted by the SMSC yet not waiting),
 * stuck (still pending or sending), RSS over time, and p99 from the event to the first submit_sm.
 */
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSmscSimulator, type SubmittedMessage } from '../src/lib/smpp/simulator/smsc-simulator.js';
import {
  ADMIN,
  AGENCY,
  PROCEDURE,
  benchConfig,
  benchContext,
  createBenchDatabase,
  log,
  phoneFor,
  round,
  seedReference,
  resourceFigures,
  sleep,
  usageNow,
  type BenchDb,
  type ResourceFigures,
} from './support.js';

export interface SoakOptions {
  readonly minutes: number;
  /** Dossiers reaching result_ready per second. */
  readonly rate: number;
}

/** CPU and RSS: this process (the SMSC simulator and the load in process included), per 1,000 messages created. */
export interface SoakFigures extends ResourceFigures {
  db: BenchDb;
  minutes: number;
  rate: number;
  created: number;
  delivered: number;
  sent: number;
  failed: number;
  duplicated: number;
  responsesLost: number;
  lost: number;
  stuck: number;
  drainS: number;
  p50EventToSubmitMs: number;
  p99EventToSubmitMs: number;
  /** [minute, RSS MB] samples. */
  rssMb: Array<[number, number]>;
  faults: { drops: number; throttled: number; bindsReplaced: number; slowSmsc: number };
}

const CODE_PREFIX = '000.00.77.H34-SOAK-';

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function benchSoak(kind: BenchDb, options: SoakOptions): Promise<SoakFigures> {
  const database = await createBenchDatabase(kind);
  const dir = mkdtempSync(join(tmpdir(), 'motcua-soak-'));
  const sim = await startSmscSimulator({ systemId: 'motcua', password: 'soak', receiptDelayMs: 200, enquireLinkMs: 0 });
  try {
    const configFile = join(dir, 'providers.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        providers: [
          { name: 'smsc', type: 'smpp', options: { url: `smpp://motcua:soak@127.0.0.1:${sim.port}?window=20` } },
          { name: 'mail', type: 'sandbox', channel: 'email' },
        ],
      }),
    );
    const ctx = await benchContext(benchConfig(database.url, { MOTCUA_CONFIG_FILE: configFile, MOTCUA_DISPATCHER: 'false' }));
    try {
      await seedReference(ctx);
      ctx.providers.start();
      ctx.dispatcher.start();

      const eventAt = new Map<string, number>();
      const latencies: number[] = [];
      sim.events.on('submit', (record: SubmittedMessage) => {
        const code = /\(MS: ([^)]+)\)/.exec(record.text)?.[1];
        const at = code ? eventAt.get(code) : undefined;
        if (code && at !== undefined) {
          latencies.push(performance.now() - at);
          eventAt.delete(code);
        }
      });

      const started = performance.now();
      const usageBefore = usageNow();
      const elapsedS = () => (performance.now() - started) / 1000;
      const endS = options.minutes * 60;
      const rss: Array<[number, number]> = [];
      const sampler = setInterval(() => rss.push([round(elapsedS() / 60, 2), round(process.memoryUsage().rss / 2 ** 20, 1)]), 10_000);
      let faultPhase = '';
      const faults = setInterval(() => {
        const second = Math.floor(elapsedS()) % 60;
        const phase = second >= 25 && second < 35 ? 'throttle' : second >= 45 && second < 50 ? 'slow' : 'calm';
        if (second === 15 && faultPhase !== 'dropped') {
          sim.dropConnections();
          faultPhase = 'dropped';
          log(`soak ${kind}: ${round(elapsedS(), 0)} s: connections dropped`);
          return;
        }
        if (phase === faultPhase || (faultPhase === 'dropped' && phase === 'calm')) return;
        faultPhase = phase;
        sim.setFaults({ throttlePercent: phase === 'throttle' ? 50 : 0, delayMs: phase === 'slow' ? 1_500 : 0 });
        log(`soak ${kind}: ${round(elapsedS(), 0)} s: ${phase}`);
      }, 250);

      let created = 0;
      const intervalMs = 1000 / options.rate;
      log(`soak ${kind}: ${options.minutes} min at ${options.rate} dossiers/s`);
      while (elapsedS() < endS) {
        const due = Math.floor((elapsedS() * 1000) / intervalMs);
        while (created < due) {
          created++;
          const receiptCode = `${CODE_PREFIX}${String(created).padStart(7, '0')}`;
          await ctx.dossiers.intake(ADMIN, {
            receiptCode,
            agencyCode: AGENCY,
            procedureCode: PROCEDURE,
            applicant: { name: 'Lê Văn Bền', phone: phoneFor(created) },
          });
          eventAt.set(receiptCode, performance.now());
          await ctx.dossiers.applyEvent(ADMIN, receiptCode, { type: 'result_ready', eventId: `${receiptCode}-r` });
        }
        await sleep(Math.max(5, intervalMs / 2));
      }
      clearInterval(faults);
      sim.setFaults({ throttlePercent: 0, delayMs: 0 });
      const drainStarted = performance.now();
      const waiting = async () =>
        (
          await ctx.db.kysely
            .selectFrom('notifications')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('channel', '=', 'sms')
            .where('status', 'in', ['pending', 'sending'])
            .executeTakeFirstOrThrow()
        ).n;
      while ((await waiting()) > 0 && performance.now() - drainStarted < 90_000) await sleep(250);
      const drainS = (performance.now() - drainStarted) / 1000;
      await sleep(2_000); // the last receipts
      clearInterval(sampler);
      const usageAfter = usageNow();
      rss.push([round(elapsedS() / 60, 2), round(process.memoryUsage().rss / 2 ** 20, 1)]);

      const rows = await ctx.db.kysely.selectFrom('notifications').select(['status', 'body']).where('channel', '=', 'sms').execute();
      const accepted = new Set(sim.submitted.map((m) => m.text));
      const by = (status: string) => rows.filter((r) => r.status === status).length;
      const stuck = by('pending') + by('sending');
      const lost = rows.filter((r) => r.status !== 'pending' && r.status !== 'sending' && !accepted.has(r.body ?? '')).length;
      const session = (
        ctx.providers as unknown as { members: Array<{ member: { provider: { session?: { stats(): Record<string, number> } } } }> }
      ).members[0]?.member.provider.session?.stats();
      const stats = sim.stats();
      latencies.sort((a, b) => a - b);
      return {
        db: kind,
        minutes: options.minutes,
        rate: options.rate,
        created: rows.length,
        delivered: by('delivered'),
        sent: by('sent'),
        failed: by('failed'),
        duplicated: stats.duplicates,
        responsesLost: stats.responsesLost,
        lost,
        stuck,
        drainS: round(drainS, 1),
        p50EventToSubmitMs: round(percentile(latencies, 50), 0),
        p99EventToSubmitMs: round(percentile(latencies, 99), 0),
        rssMb: rss,
        ...resourceFigures(usageBefore, usageAfter, rows.length),
        faults: {
          drops: stats.drops,
          throttled: stats.throttled,
          bindsReplaced: session?.bindsReplaced ?? 0,
          slowSmsc: session?.slowSmsc ?? 0,
        },
      };
    } finally {
      await ctx.close();
    }
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
    await database.drop();
  }
}
