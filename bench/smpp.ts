/**
 * `npm run bench -- smpp`: the product over SMPP 3.4 against the in-process SMSC simulator
 * (src/lib/smpp/simulator/smsc-simulator.ts), configured as production is — a providers file (MOTCUA_CONFIG_FILE)
 * with one provider of type smpp (transceiver, window 100) and the sandbox for email.
 *
 * (a) notifications — N dossiers are moved to result_ready through the services (untimed), so N SMS
 *     wait in the outbox. The binds are opened, then the dispatcher is started and the clock runs until
 *     every message is `sent` or `delivered` in the database: messages/s through submit_sm. Receipts
 *     come back on the bind while it runs (simulator delay RECEIPT_DELAY_MS) and are written as they
 *     come, as in production. Afterwards (untimed) the bench waits for the receipts to be matched, and
 *     reads duplicates (submit_sm accepted − parts expected) and the most submit_sm outstanding at once.
 *
 * (b) MO → look-up → reply — M dossiers are bulk-inserted (one INSERT … SELECT, as bench/lookup does).
 *     With the dispatcher running, the simulator injects K MOs `MCKH <code>` from K distinct senders,
 *     INFLIGHT at a time (injectMo resolves on the ESME's deliver_sm_resp, which the ESME writes after
 *     the MO and its reply row are committed). Clock: from the first MO to the K-th reply submit_sm
 *     received at the simulator (a reply is matched to its MO by destination; later parts are ignored).
 *     Per message: MO → deliver_sm_resp ("ack", the look-up) and MO → reply submit_sm (end to end).
 *     A warm-up of W MOs (other senders) goes first, untimed.
 *
 * (c) the same loop through Kannel 1.4.5 (bearerbox + smsbox, separate tx and rx binds to a second
 *     simulator), with an sms-service that answers every MO with a static text — no HTTP, no database:
 *     what a bare SMS gateway does with the same traffic. Same injection, same warm-up, same matching.
 *     Run once per database pass, right after (b), so both see the same machine load.
 *
 * Everything runs in this process except Kannel: the simulator shares the event loop with the app in
 * (a) and (b) (its cost is in our figures), while in (c) bearerbox and smsbox have their own processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type { Db } from '../src/platform/db/database.js';
import type { AppContext } from '../src/main/context.js';
import { startSmscSimulator, type SmscSimulator, type SubmittedMessage } from '../src/lib/smpp/simulator/smsc-simulator.js';
import {
  ADMIN,
  AGENCY,
  PROCEDURE,
  benchConfig,
  benchContext,
  bulkInsertDossiers,
  createBenchDatabase,
  log,
  phoneFor,
  round,
  resourceFigures,
  seedReference,
  startCpuProfile,
  usageNow,
  type BenchDb,
  type ResourceFigures,
} from './support.js';
import { freePort, waitFor } from '../test/support/wait.js';

export interface SmppBenchOptions {
  /** (a) result_ready messages in the outbox */
  messages: number;
  /** (b) dossiers stored */
  dossiers: number;
  /** (b), (c) MOs timed */
  mos: number;
  /** (b), (c) MOs injected before the timed ones */
  warmup: number;
  /** (b), (c) MOs injected and not yet acknowledged (deliver_sm_resp) at once */
  inflight: number;
  /** MOTCUA_DISPATCH_CONCURRENCY (null = the production default) */
  concurrency: number | null;
  /** MOTCUA_DISPATCH_BATCH (null = the production default) */
  batch: number | null;
  /** submit_sm window of the SMPP provider (and Kannel's max-pending-submits) */
  window: number;
}

/** CPU and RSS: this process, the SMSC simulator (in process) included. */
export interface SmppNotifyFigures extends ResourceFigures {
  db: BenchDb;
  messages: number;
  parts: number;
  window: number;
  batchSize: number;
  concurrency: number;
  setupS: number;
  bindMs: number;
  sendS: number;
  messagesPerS: number;
  submitsPerS: number;
  sent: number;
  failed: number;
  left: number;
  /** messages delivered by a receipt once the bench had waited for them (untimed) */
  deliveredAtEnd: number;
  /** … of them, delivered while the clock ran */
  deliveredInTime: number;
  receiptWaitS: number;
  submits: number;
  duplicates: number;
  /** the simulator's count: submit_sm read and not yet answered on one connection (it answers at once) */
  maxOutstanding: number;
  /** the ESME's count: submit_sm written and not yet answered (≤ window) */
  esmeMaxOutstanding: number;
  throttled: number;
  /** ≥ 2,000 messages/s and every message sent, no duplicates */
  goalMet: boolean;
}

export interface MoFigures {
  via: 'motcua' | 'kannel';
  db: BenchDb | null;
  mos: number;
  inflight: number;
  seconds: number;
  lookupsPerS: number;
  replies: number;
  nacked: number;
  ackP50Ms: number;
  ackP99Ms: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  submits: number;
  /** the simulator's accepted submit_sm not matched to an MO (extra parts, receipts' siblings, duplicates) */
  unmatchedSubmits: number;
  /** set when (c) did not run */
  skipped: string | null;
}

/** CPU and RSS: this process, the SMSC simulator (in process) included. */
export interface SmppMoFigures extends MoFigures, ResourceFigures {
  dossiers: number;
  insertS: number;
  concurrency: number;
  batchSize: number;
  found: number;
  /** (c) of the same pass, for the ratio */
  kannelLookupsPerS: number | null;
  ratioToKannel: number | null;
  /** ≥ 1,000 look-ups/s, every MO answered */
  goalMet: boolean;
  /** ≥ 2× Kannel's static answer (null: Kannel skipped) */
  ratioGoalMet: boolean | null;
}

export const SMPP_GOAL = { messagesPerS: 2_000, lookupsPerS: 1_000, ratioToKannel: 2 };

export const RECEIPT_DELAY_MS = 20;
const SYSTEM_ID = 'motcua';
const PASSWORD = 'bench123';
const SHORT_CODE = '8083';
const BEARERBOX = '/usr/sbin/bearerbox';
const SMSBOX = '/usr/sbin/smsbox';
/** Kannel's answer: about the length of our look-up reply, one GSM segment. */
const KANNEL_TEXT =
  'Ho so dang duoc giai quyet, hen tra ket qua ngay 28/11/2026. Tra cuu: soan MCKH <ma ho so> gui 8083. Phi 1000d/tin. Cam on quy khach.';

const seconds = (startedNs: bigint) => Number(process.hrtime.bigint() - startedNs) / 1e9;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** A valid Viettel number in the international digits an SMSC writes (84…), distinct per n. */
const msisdn = (n: number) => `84${phoneFor(n).slice(1)}`;
/** Replies are matched on the national number: Kannel and we may write the destination with or without '+'. */
const matchKey = (addr: string) => addr.replace(/\D/g, '').slice(-9);

interface Rig {
  ctx: AppContext;
  sim: SmscSimulator;
  bindMs: number;
  /** Most submit_sm the ESME had outstanding at once, as it reports it (the window gauge). */
  windowHighWater(): number;
}

/**
 * The simulator answers a submit_sm as soon as it has read it, so its own `maxOutstanding` sees at most
 * what one TCP read brings; the ESME's view of its window comes from the gauge the session sets after
 * each fill (metrics.smppWindowInUse), read here by wrapping `set` — bench instrumentation, nothing more.
 */
function tapWindowGauge(ctx: AppContext): () => number {
  const gauge = ctx.metrics.smppWindowInUse as unknown as { set: (...args: unknown[]) => void };
  const original = gauge.set.bind(gauge);
  let highWater = 0;
  gauge.set = (...args: unknown[]) => {
    const value = args[args.length - 1];
    if (typeof value === 'number' && value > highWater) highWater = value;
    original(...args);
  };
  return () => highWater;
}

/** A fresh database, a simulator, a providers file pointing at it, the context, the binds up. */
async function withRig<T>(
  kind: BenchDb,
  options: SmppBenchOptions,
  env: Record<string, string>,
  work: (rig: Rig) => Promise<T>,
): Promise<T> {
  const database = await createBenchDatabase(kind);
  const dir = mkdtempSync(join(tmpdir(), 'motcua-bench-smpp-'));
  const sim = await startSmscSimulator({ systemId: SYSTEM_ID, password: PASSWORD, receiptDelayMs: RECEIPT_DELAY_MS, enquireLinkMs: 0 });
  try {
    const configFile = join(dir, 'providers.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        providers: [
          {
            name: 'smsc',
            type: 'smpp',
            options: {
              url: `smpp://${SYSTEM_ID}:${PASSWORD}@127.0.0.1:${sim.port}?bind=transceiver&window=${options.window}&shortCode=${SHORT_CODE}`,
            },
          },
          { name: 'mail', type: 'sandbox', channel: 'email' },
        ],
      }),
    );
    const dispatchEnv: Record<string, string> = {};
    if (options.concurrency !== null) dispatchEnv.MOTCUA_DISPATCH_CONCURRENCY = String(options.concurrency);
    if (options.batch !== null) dispatchEnv.MOTCUA_DISPATCH_BATCH = String(options.batch);
    // The operator's choice for the notification path's commits, when the run sets it (README Configuration).
    const syncCommit = process.env.MOTCUA_PG_SYNCHRONOUS_COMMIT_NOTIFICATIONS;
    if (syncCommit) dispatchEnv.MOTCUA_PG_SYNCHRONOUS_COMMIT_NOTIFICATIONS = syncCommit;
    // The dispatcher is started by hand; the flag only tells `serve` not to start it.
    const ctx = await benchContext(
      benchConfig(database.url, { MOTCUA_CONFIG_FILE: configFile, MOTCUA_DISPATCHER: 'false', ...dispatchEnv, ...env }),
    );
    try {
      await seedReference(ctx);
      const windowHighWater = tapWindowGauge(ctx);
      const bindStarted = performance.now();
      ctx.providers.start();
      await waitFor('the transceiver bind at the simulator', () => sim.stats().bound >= 1, { timeoutMs: 10_000, everyMs: 5 });
      const bindMs = performance.now() - bindStarted;
      return await work({ ctx, sim, bindMs, windowHighWater });
    } finally {
      await ctx.close();
    }
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
    await database.drop();
  }
}

async function countByStatus(db: Db): Promise<Record<string, number>> {
  const rows = await db.kysely
    .selectFrom('notifications')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function outstanding(db: Db): Promise<number> {
  const result = await sql<{ n: number }>`select count(*) as n from notifications where status in ('pending', 'sending')`.execute(
    db.kysely,
  );
  return result.rows[0]?.n ?? 0;
}

/** BENCH_CPU_PROF=<dir>: a V8 CPU profile of the timed part only (setup excluded), <dir>/smpp-<label>.cpuprofile. */
async function profiled<T>(label: string, work: () => Promise<T>): Promise<T> {
  const stop = await startCpuProfile(`smpp-${label}`);
  try {
    return await work();
  } finally {
    await stop();
  }
}

// ── (a) notifications → submit_sm ─────────────────────────────────────────

export async function benchSmppNotify(kind: BenchDb, options: SmppBenchOptions): Promise<SmppNotifyFigures> {
  return withRig(kind, options, {}, async ({ ctx, sim, bindMs, windowHighWater }) => {
    const n = options.messages;
    log(`smpp/notify ${kind}: creating ${n} dossiers at result_ready through the services`);
    const setupStarted = process.hrtime.bigint();
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = ++next;
        const receiptCode = `000.00.98.H34-SMP-${String(i).padStart(7, '0')}`;
        await ctx.dossiers.intake(ADMIN, {
          receiptCode,
          agencyCode: AGENCY,
          procedureCode: PROCEDURE,
          applicant: { name: 'Trần Thị Thử', phone: phoneFor(i) },
        });
        await ctx.dossiers.applyEvent(ADMIN, receiptCode, { type: 'result_ready', eventId: `${receiptCode}-r` });
      }
    };
    await Promise.all(Array.from({ length: kind === 'postgres' ? 16 : 4 }, worker));
    const setupS = seconds(setupStarted);
    const waiting = await outstanding(ctx.db);
    if (waiting !== n) throw new Error(`expected ${n} messages waiting, found ${waiting}`);
    const partsRow = await sql<{
      parts: number;
    }>`select coalesce(sum(segments), 0) as parts from notifications where channel = 'sms'`.execute(ctx.db.kysely);
    const parts = partsRow.rows[0]?.parts ?? 0;

    // The simulator's own counter tells when the last submit_sm arrived; the database is read only after that.
    const before = sim.stats().accepted;
    log(
      `smpp/notify ${kind}: dispatching ${n} messages (${parts} parts) over SMPP, batch ${ctx.dispatcher.sizing.batchSize} × concurrency ${ctx.dispatcher.sizing.concurrency}, window ${options.window}`,
    );
    const usageBefore = usageNow();
    const sendS = await profiled(`notify-${kind}`, async () => {
      const started = process.hrtime.bigint();
      ctx.dispatcher.start();
      await waitFor('every part at the simulator', () => sim.stats().accepted - before >= parts, {
        progress: () => sim.stats().accepted,
        timeoutMs: 30_000,
        everyMs: 5,
      });
      await waitFor('every message sent', async () => (await outstanding(ctx.db)) === 0, { timeoutMs: 30_000, everyMs: 2 });
      return seconds(started);
    });
    const usageAfter = usageNow();
    const inTime = await countByStatus(ctx.db);

    log(`smpp/notify ${kind}: sent in ${round(sendS, 3)} s; waiting for the receipts (untimed)`);
    const receiptStarted = process.hrtime.bigint();
    let delivered = inTime.delivered ?? 0;
    await waitFor(
      'the receipts',
      async () => {
        delivered = (await countByStatus(ctx.db)).delivered ?? 0;
        return delivered >= n;
      },
      { progress: () => delivered, timeoutMs: 5_000, everyMs: 50 },
    ).catch((error: Error) => log(`smpp/notify ${kind}: ${error.message} (${delivered} of ${n} delivered)`));
    const receiptWaitS = seconds(receiptStarted);
    await ctx.dispatcher.stop();

    const byStatus = await countByStatus(ctx.db);
    const stats = sim.stats();
    const sent = (inTime.sent ?? 0) + (inTime.delivered ?? 0);
    const submits = stats.accepted - before;
    const messagesPerS = sent / sendS;
    return {
      db: kind,
      messages: n,
      parts,
      window: options.window,
      batchSize: ctx.dispatcher.sizing.batchSize,
      concurrency: ctx.dispatcher.sizing.concurrency,
      setupS: round(setupS, 1),
      bindMs: round(bindMs, 1),
      sendS: round(sendS, 3),
      messagesPerS: round(messagesPerS, 0),
      submitsPerS: round(submits / sendS, 0),
      sent,
      failed: byStatus.failed ?? 0,
      left: (byStatus.pending ?? 0) + (byStatus.sending ?? 0),
      deliveredAtEnd: byStatus.delivered ?? 0,
      deliveredInTime: inTime.delivered ?? 0,
      receiptWaitS: round(receiptWaitS, 2),
      submits,
      duplicates: submits - parts,
      maxOutstanding: stats.maxOutstanding,
      esmeMaxOutstanding: windowHighWater(),
      throttled: stats.throttled,
      goalMet: messagesPerS >= SMPP_GOAL.messagesPerS && sent === n && submits === parts,
      ...resourceFigures(usageBefore, usageAfter, sent),
    };
  });
}

// ── MO injection, shared by (b) and (c) ───────────────────────────────────

interface InjectResult {
  seconds: number;
  replies: number;
  nacked: number;
  ackMs: number[];
  endToEndMs: number[];
  unmatched: number;
}

/**
 * Injects `count` MOs from senders first…first+count-1, `inflight` unacknowledged at a time, and waits
 * for a reply submit_sm to each. The clock runs from the first injection to the last reply matched.
 */
async function injectMos(
  sim: SmscSimulator,
  first: number,
  count: number,
  inflight: number,
  textFor: (i: number) => string,
  label: string,
): Promise<InjectResult> {
  const sentAt = new Map<string, number>();
  const ackMs: number[] = [];
  const endToEndMs: number[] = [];
  let replies = 0;
  let unmatched = 0;
  let nacked = 0;
  let lastReplyAt = 0;
  const onSubmit = (message: SubmittedMessage) => {
    const key = matchKey(message.destination.addr);
    const t0 = sentAt.get(key);
    if (t0 === undefined) {
      unmatched++;
      return;
    }
    sentAt.delete(key);
    lastReplyAt = performance.now();
    endToEndMs.push(lastReplyAt - t0);
    replies++;
  };
  sim.events.on('submit', onSubmit);
  try {
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < count) {
        const i = first + next++;
        const from = msisdn(i);
        const t0 = performance.now();
        sentAt.set(matchKey(from), t0);
        const statuses = await sim.injectMo({ from, to: SHORT_CODE, text: textFor(i) });
        ackMs.push(performance.now() - t0);
        if (statuses.some((s) => s !== 0)) nacked++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(inflight, count) }, worker));
    await waitFor(`${label}: a reply to each of ${count} MOs`, () => replies >= count, {
      progress: () => replies,
      timeoutMs: 15_000,
      everyMs: 5,
    }).catch((error: Error) => log(`${error.message} (${replies} replies)`));
    return { seconds: ((replies > 0 ? lastReplyAt : performance.now()) - started) / 1000, replies, nacked, ackMs, endToEndMs, unmatched };
  } finally {
    sim.events.off('submit', onSubmit);
  }
}

function moFigures(
  via: 'motcua' | 'kannel',
  db: BenchDb | null,
  options: SmppBenchOptions,
  result: InjectResult,
  submits: number,
): MoFigures {
  const ack = [...result.ackMs].sort((a, b) => a - b);
  const e2e = [...result.endToEndMs].sort((a, b) => a - b);
  return {
    via,
    db,
    mos: options.mos,
    inflight: options.inflight,
    seconds: round(result.seconds, 3),
    lookupsPerS: round(result.replies / result.seconds, 0),
    replies: result.replies,
    nacked: result.nacked,
    ackP50Ms: round(percentile(ack, 0.5), 2),
    ackP99Ms: round(percentile(ack, 0.99), 2),
    p50Ms: round(percentile(e2e, 0.5), 2),
    p99Ms: round(percentile(e2e, 0.99), 2),
    maxMs: round(e2e[e2e.length - 1] ?? Number.NaN, 1),
    submits,
    unmatchedSubmits: result.unmatched,
    skipped: null,
  };
}

// ── (b) MO → look-up → reply over SMPP ─────────────────────────────────────

const CODE_PREFIX = '000.00.88.H34-';
const codeFor = (i: number, total: number) => `${CODE_PREFIX}${String(1 + ((i * 7919) % total)).padStart(7, '0')}`;

/** Senders: (b) from 3,000,000, (c) from 5,000,000; the warm-up takes the first W of each range. */
const MOTCUA_SENDERS = 3_000_000;
const KANNEL_SENDERS = 5_000_000;

export async function benchSmppMo(kind: BenchDb, options: SmppBenchOptions): Promise<SmppMoFigures> {
  return withRig(kind, options, {}, async ({ ctx, sim }) => {
    log(`smpp/mo ${kind}: inserting ${options.dossiers} dossiers`);
    const insertStarted = process.hrtime.bigint();
    await bulkInsertDossiers(ctx, options.dossiers);
    const insertS = seconds(insertStarted);
    ctx.dispatcher.start();
    const text = (i: number) => `MCKH ${codeFor(i, options.dossiers)}`;
    if (options.warmup > 0) {
      log(`smpp/mo ${kind}: warm-up, ${options.warmup} MOs`);
      const warm = await injectMos(sim, MOTCUA_SENDERS, options.warmup, options.inflight, text, `smpp/mo ${kind} warm-up`);
      if (warm.replies < options.warmup) throw new Error(`warm-up: ${warm.replies} replies to ${options.warmup} MOs`);
    }
    const before = sim.stats().accepted;
    log(`smpp/mo ${kind}: ${options.mos} MOs, ${options.inflight} in flight`);
    const usageBefore = usageNow();
    const result = await profiled(`mo-${kind}`, () =>
      injectMos(sim, MOTCUA_SENDERS + options.warmup, options.mos, options.inflight, text, `smpp/mo ${kind}`),
    );
    const usageAfter = usageNow();
    const submits = sim.stats().accepted - before;
    await ctx.dispatcher.stop();
    const outcomes = await ctx.db.kysely
      .selectFrom('inbound_messages')
      .select(['outcome', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('outcome')
      .execute();
    const found = outcomes.find((o) => o.outcome === 'found')?.n ?? 0;
    const figures = moFigures('motcua', kind, options, result, submits);
    return {
      ...figures,
      dossiers: options.dossiers,
      insertS: round(insertS, 2),
      concurrency: ctx.dispatcher.sizing.concurrency,
      batchSize: ctx.dispatcher.sizing.batchSize,
      found,
      kannelLookupsPerS: null,
      ratioToKannel: null,
      goalMet: figures.lookupsPerS >= SMPP_GOAL.lookupsPerS && result.replies === options.mos && result.nacked === 0,
      ratioGoalMet: null,
      ...resourceFigures(usageBefore, usageAfter, result.replies),
    };
  });
}

/** Fills in the ratio to the Kannel run of the same pass. */
export function withKannelRatio(mo: SmppMoFigures, kannel: MoFigures | null): SmppMoFigures {
  if (!kannel || kannel.skipped !== null || kannel.lookupsPerS <= 0) return mo;
  const ratio = mo.lookupsPerS / kannel.lookupsPerS;
  return { ...mo, kannelLookupsPerS: kannel.lookupsPerS, ratioToKannel: round(ratio, 2), ratioGoalMet: ratio >= SMPP_GOAL.ratioToKannel };
}

// ── (c) the same loop through Kannel ──────────────────────────────────────

function kannelConf(dir: string, ports: { admin: number; smsbox: number; sendsms: number; sim: number }, window: number): string {
  const smsc = (portKey: 'port' | 'receive-port') => `group = smsc
smsc = smpp
smsc-id = sim
host = 127.0.0.1
${portKey} = ${ports.sim}
smsc-username = kannel
smsc-password = kpass
system-type = VMA
transceiver-mode = false
msg-id-type = 0x03
max-pending-submits = ${window}
reconnect-delay = 1
`;
  return `group = core
admin-port = ${ports.admin}
admin-password = adminpass
smsbox-port = ${ports.smsbox}
box-allow-ip = 127.0.0.1
log-file = "${dir}/bearerbox.log"
log-level = 2
dlr-storage = internal

${smsc('port')}
${smsc('receive-port')}
group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${ports.smsbox}
sendsms-port = ${ports.sendsms}
log-file = "${dir}/smsbox.log"
log-level = 2

group = sms-service
keyword = default
catch-all = true
text = "${KANNEL_TEXT}"
max-messages = 1
`;
}

const boxes = new Set<ChildProcess>();
let exitHookInstalled = false;
/** The boxes die with the bench, however it ends. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const box of boxes) if (box.exitCode === null) box.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const box of boxes) if (box.exitCode === null) box.kill('SIGKILL');
      process.exit(130);
    });
  }
}

export function kannelMissing(): string | null {
  return existsSync(BEARERBOX) && existsSync(SMSBOX) ? null : `Kannel is not installed (${BEARERBOX}, ${SMSBOX}; apt-get install kannel)`;
}

export async function benchKannel(db: BenchDb, options: SmppBenchOptions): Promise<MoFigures> {
  const missing = kannelMissing();
  const skipped = (reason: string): MoFigures => ({
    via: 'kannel',
    db,
    mos: options.mos,
    inflight: options.inflight,
    seconds: 0,
    lookupsPerS: 0,
    replies: 0,
    nacked: 0,
    ackP50Ms: Number.NaN,
    ackP99Ms: Number.NaN,
    p50Ms: Number.NaN,
    p99Ms: Number.NaN,
    maxMs: Number.NaN,
    submits: 0,
    unmatchedSubmits: 0,
    skipped: reason,
  });
  if (missing) return skipped(missing);
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), 'motcua-bench-kannel-'));
  const sim = await startSmscSimulator({ systemId: 'kannel', password: 'kpass', receiptDelayMs: RECEIPT_DELAY_MS, enquireLinkMs: 0 });
  const started: ChildProcess[] = [];
  try {
    const ports = { admin: await freePort(), smsbox: await freePort(), sendsms: await freePort(), sim: sim.port };
    const conf = join(dir, 'kannel.conf');
    writeFileSync(conf, kannelConf(dir, ports, options.window));
    const start = (binary: string) => {
      const box = spawn(binary, [conf], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      box.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
      box.on('exit', (code, signal) => {
        boxes.delete(box);
        if (code !== null && code !== 0) log(`kannel: ${binary} exited ${code}: ${stderr.slice(-1000)}`);
        else if (signal !== null && signal !== 'SIGTERM' && signal !== 'SIGKILL') log(`kannel: ${binary} killed by ${signal}`);
      });
      boxes.add(box);
      started.push(box);
      return box;
    };
    log(`smpp/kannel: starting bearerbox + smsbox (${dir})`);
    start(BEARERBOX);
    await waitFor('bearerbox to bind tx and rx at the simulator', () => sim.stats().bound >= 2, { timeoutMs: 20_000, everyMs: 20 });
    start(SMSBOX);
    const text = (i: number) => `MCKH ${codeFor(i, 10_000)}`;
    // The warm-up also waits for smsbox to connect: bearerbox holds the MOs until it does.
    const warmup = Math.max(1, options.warmup);
    log(`smpp/kannel: warm-up, ${warmup} MOs`);
    const warm = await injectMos(sim, KANNEL_SENDERS, warmup, options.inflight, text, 'smpp/kannel warm-up');
    if (warm.replies < warmup) throw new Error(`warm-up: ${warm.replies} replies to ${warmup} MOs (see ${dir}/bearerbox.log)`);
    const before = sim.stats().accepted;
    log(`smpp/kannel: ${options.mos} MOs, ${options.inflight} in flight`);
    const result = await injectMos(sim, KANNEL_SENDERS + warmup, options.mos, options.inflight, text, 'smpp/kannel');
    const submits = sim.stats().accepted - before;
    return moFigures('kannel', db, options, result, submits);
  } catch (error) {
    const logs = ['bearerbox.log', 'smsbox.log']
      .map((file) => join(dir, file))
      .filter((file) => existsSync(file))
      .map((file) => `${file}: ${readFileSync(file, 'utf8').slice(-1500)}`);
    if (logs.length > 0) log(`smpp/kannel failed; logs:\n${logs.join('\n')}`);
    throw error;
  } finally {
    // smsbox first (bearerbox waits for it), then bearerbox; SIGKILL whatever is still up after 5 s.
    for (const box of [...started].reverse()) {
      if (box.exitCode !== null || box.signalCode !== null) continue;
      box.kill('SIGTERM');
      const exited = new Promise<void>((resolve) => box.once('exit', () => resolve()));
      const timer = setTimeout(() => box.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
