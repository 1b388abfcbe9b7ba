/**
 * Soak (issue 12): `npm run bench -- soak --minutes=N [--db=…] [--rate=20]`. Steady load — dossiers
 * received and moved to result_ready at `rate` per second, each one SMS — through the real HTTP API
 * (app.inject: the error handler's real statuses), the dispatcher and the SMPP provider to the
 * simulator, with faults on a schedule repeating every minute:
 *   0:15 every connection dropped · 0:25–0:35 50 % ESME_RTHROTTLED · 0:45–0:50 answers 1.5 s late ·
 *   0:55 (PostgreSQL) the database server crashes and comes back: SIGKILL to the postmaster of a private
 *   cluster (never the shared server), then `pg_ctl start` (crash recovery) — harsher than
 *   `pg_ctl restart -m fast`, whose backends end their sessions politely (57P01) before it stops.
 * A request answered 503 is retried after its Retry-After, as the one-stop software does (intake and
 * events are idempotent). Then the load stops and the outbox is given up to 90 s to drain (a row whose
 * `sent` update died with the server waits for its lease, 60 s). Figures: messages created, delivered,
 * duplicated (the simulator's per-message submit log) against the responses the SMSC really lost,
 * lost (acknowledged events without their SMS, or finished messages the SMSC never accepted), stuck
 * (still pending or sending), 503s and outage episodes, RSS and load average over time, and p50/p99
 * from the event to the first submit_sm.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/main/app.js';
import { startSmscSimulator, type SubmittedMessage } from '../src/lib/smpp/simulator/smsc-simulator.js';
import {
  ADMIN_TOKEN,
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
  /** [minute, 1-minute load average] samples. */
  load: Array<[number, number]>;
  faults: { drops: number; throttled: number; bindsReplaced: number; slowSmsc: number; dbRestarts: number; receiptsRetried: number };
  /** Requests answered 503 (retried after Retry-After), outage episodes the app saw, other non-2xx answers. */
  outages: { answers503: number; episodes: number; otherErrors: number; restartS: number[] };
}

const CODE_PREFIX = '000.00.77.H34-SOAK-';
/** Requests under way at once (the one-stop software's connections). */
const IN_FLIGHT = 8;
const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Work {
  readonly n: number;
  readonly code: string;
  step: 'intake' | 'event';
  notBefore: number;
}

export async function benchSoak(kind: BenchDb, options: SoakOptions): Promise<SoakFigures> {
  // PostgreSQL on a cluster of the benchmark's own: it is crashed once a minute.
  const database = await createBenchDatabase(kind, kind === 'postgres' ? 'private' : 'shared');
  const dir = mkdtempSync(join(tmpdir(), 'motcua-soak-'));
  // Receipts answered with a temporary error (the database was down) or lost with a dropped connection
  // are sent again after 1 s, as an SMSC does: without it such messages stay `sent`, though none is lost.
  const sim = await startSmscSimulator({
    systemId: 'motcua',
    password: 'soak',
    receiptDelayMs: 200,
    receiptRetryMs: 1_000,
    enquireLinkMs: 0,
  });
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
    const app = await buildApp(ctx);
    await app.ready();
    try {
      await seedReference(ctx);
      ctx.providers.start();
      ctx.dispatcher.start();
      let episodes = 0;
      ctx.db.health.onChange((up) => {
        if (!up) episodes++;
      });

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
      const minute = () => round(elapsedS() / 60, 2);
      const endS = options.minutes * 60;
      const rss: Array<[number, number]> = [];
      const load: Array<[number, number]> = [];
      const sample = () => {
        rss.push([minute(), round(process.memoryUsage().rss / 2 ** 20, 1)]);
        load.push([minute(), round(loadavg()[0]!, 2)]);
      };
      const sampler = setInterval(sample, 10_000);

      const cluster = database.cluster;
      const restartS: number[] = [];
      let restarting: Promise<void> | null = null;
      const restartDatabase = async () => {
        if (!cluster) return;
        const at = performance.now();
        await cluster.killPostmaster();
        await cluster.start();
        restartS.push(round((performance.now() - at) / 1000, 2));
        log(`soak ${kind}: ${round(elapsedS(), 0)} s: database killed (SIGKILL to the postmaster) and started in ${restartS.at(-1)} s`);
      };
      let faultPhase = '';
      let lastRestartMinute = -1;
      const faults = setInterval(() => {
        const second = Math.floor(elapsedS()) % 60;
        const minuteNo = Math.floor(elapsedS() / 60);
        const phase = second >= 25 && second < 35 ? 'throttle' : second >= 45 && second < 50 ? 'slow' : 'calm';
        if (second === 55 && cluster && !restarting && lastRestartMinute !== minuteNo) {
          lastRestartMinute = minuteNo;
          restarting = restartDatabase().finally(() => {
            restarting = null;
          });
        }
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

      // The one-stop software: each dossier is received, then moved to result_ready; a 503 is retried
      // after its Retry-After, anything else that is not 2xx is counted as an error (there must be none).
      const answers = { ok: 0, unavailable: 0, other: new Map<string, number>() };
      const acknowledged = new Set<string>();
      const queue: Work[] = [];
      let inFlight = 0;
      const request = async (work: Work) => {
        const now = performance.now();
        if (work.step === 'event') eventAt.set(work.code, now);
        const res =
          work.step === 'intake'
            ? await app.inject({
                method: 'POST',
                url: '/api/v1/dossiers',
                headers,
                payload: {
                  receiptCode: work.code,
                  agencyCode: AGENCY,
                  procedureCode: PROCEDURE,
                  applicant: { name: 'Lê Văn Bền', phone: phoneFor(work.n) },
                },
              })
            : await app.inject({
                method: 'POST',
                url: `/api/v1/dossiers/${work.code}/events`,
                headers,
                payload: { type: 'result_ready', eventId: `${work.code}-r` },
              });
        if (res.statusCode === 503) {
          answers.unavailable++;
          const retryAfterS = Number(res.headers['retry-after'] ?? 5) || 5;
          work.notBefore = performance.now() + retryAfterS * 1000;
          queue.push(work);
          return;
        }
        if (res.statusCode >= 300) {
          let code = '';
          try {
            code = String(res.json()?.code ?? '');
          } catch {
            /* not JSON */
          }
          const key = `${res.statusCode} ${code}`;
          answers.other.set(key, (answers.other.get(key) ?? 0) + 1);
          if (answers.other.get(key) === 1) log(`soak ${kind}: ${work.step} ${work.code}: ${res.statusCode} ${res.body.slice(0, 300)}`);
          return;
        }
        answers.ok++;
        if (work.step === 'intake') {
          work.step = 'event';
          work.notBefore = 0;
          queue.unshift(work);
        } else acknowledged.add(work.code);
      };
      const pump = () => {
        const now = performance.now();
        for (let i = 0; i < queue.length && inFlight < IN_FLIGHT; ) {
          const work = queue[i]!;
          if (work.notBefore > now) {
            i++;
            continue;
          }
          queue.splice(i, 1);
          inFlight++;
          void request(work)
            .catch((error: unknown) => {
              const key = `thrown ${(error as Error).message.slice(0, 80)}`;
              answers.other.set(key, (answers.other.get(key) ?? 0) + 1);
            })
            .finally(() => {
              inFlight--;
            });
        }
      };

      let created = 0;
      const intervalMs = 1000 / options.rate;
      log(`soak ${kind}: ${options.minutes} min at ${options.rate} dossiers/s`);
      while (elapsedS() < endS) {
        const due = Math.floor((elapsedS() * 1000) / intervalMs);
        while (created < due) {
          created++;
          queue.push({ n: created, code: `${CODE_PREFIX}${String(created).padStart(7, '0')}`, step: 'intake', notBefore: 0 });
        }
        pump();
        await sleep(Math.max(5, intervalMs / 4));
      }
      clearInterval(faults);
      await restarting;
      sim.setFaults({ throttlePercent: 0, delayMs: 0 });
      // The requests still waiting for their retry are finished before the drain is measured.
      while (queue.length > 0 || inFlight > 0) {
        pump();
        await sleep(20);
      }
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
      await sleep(3_000); // the last receipts (and those sent again after 1 s)
      clearInterval(sampler);
      sample();
      const usageAfter = usageNow();

      const rows = await ctx.db.kysely
        .selectFrom('notifications')
        .innerJoin('dossiers', 'dossiers.id', 'notifications.dossier_id')
        .select(['notifications.status', 'notifications.body', 'dossiers.receipt_code'])
        .where('notifications.channel', '=', 'sms')
        .execute();
      const accepted = new Set(sim.submitted.map((m) => m.text));
      const by = (status: string) => rows.filter((r) => r.status === status).length;
      const stuck = by('pending') + by('sending');
      const withSms = new Set(rows.map((r) => r.receipt_code));
      const neverSent = rows.filter((r) => r.status !== 'pending' && r.status !== 'sending' && !accepted.has(r.body ?? '')).length;
      const withoutSms = [...acknowledged].filter((code) => !withSms.has(code)).length;
      const session = (
        ctx.providers as unknown as { members: Array<{ member: { provider: { session?: { stats(): Record<string, number> } } } }> }
      ).members[0]?.member.provider.session?.stats();
      const stats = sim.stats();
      latencies.sort((a, b) => a - b);
      if (answers.other.size > 0) log(`soak ${kind}: other answers: ${JSON.stringify(Object.fromEntries(answers.other))}`);
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
        lost: neverSent + withoutSms,
        stuck,
        drainS: round(drainS, 1),
        p50EventToSubmitMs: round(percentile(latencies, 50), 0),
        p99EventToSubmitMs: round(percentile(latencies, 99), 0),
        rssMb: rss,
        load,
        ...resourceFigures(usageBefore, usageAfter, rows.length),
        faults: {
          drops: stats.drops,
          throttled: stats.throttled,
          bindsReplaced: session?.bindsReplaced ?? 0,
          slowSmsc: session?.slowSmsc ?? 0,
          dbRestarts: restartS.length,
          receiptsRetried: stats.receiptsRetried,
        },
        outages: {
          answers503: answers.unavailable,
          episodes,
          otherErrors: [...answers.other.values()].reduce((a, b) => a + b, 0),
          restartS,
        },
      };
    } finally {
      await app.close();
      await ctx.close();
    }
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
    await database.drop();
  }
}
