/**
 * Benchmarks (not tests): `npm run bench -- ingest|notify|lookup|smpp|soak|all [--db=sqlite|postgres|both]`.
 *
 *   ingest   HTTP ingest through the real app in a child process, driven by autocannon
 *            (intake + 3 events per dossier), compared with a bare Fastify route — see bench/ingest.ts
 *   lookup   MO look-ups through the webhook with 1,000,000 dossiers stored — see bench/lookup.ts
 *   notify   (a) result_ready messages delivered through the sandbox, end to end;
 *            (b) the 17:30 apology batch over 1,000,000 dossiers — see bench/notify.ts
 *   zalo     result_ready notifications through the Zalo simulator (`motcua zalo-sim`, its own process), 30% falling
 *            back to SMS; CPU s per 1,000 and RSS of the product's process — see bench/zalo.ts
 *   smpp     (a) result_ready messages → submit_sm to the SMSC simulator (window 100), receipts back;
 *            (b) MO deliver_sm → look-up → reply submit_sm over the same bind;
 *            (c) the same MO loop through Kannel (bearerbox + smsbox, static reply) — see bench/smpp.ts
 *   soak     steady load over SMPP with faults on a schedule (drops, throttling, a slow SMSC): created,
 *            delivered, duplicated, lost, stuck, RSS over time, p99 event→submit — see bench/soak.ts
 *            (not part of `all`; --minutes=10 --rate=20)
 *
 *   loop     the look-up loop over SMPP from a separate driver process (../shared/bench/loop-smsc.cjs),
 *            the product in its own process; Kannel and a bare ESME on the same driver — see bench/loop.ts
 *
 * Options: --connections=20 --duration=10 --warmup=3 --dispatcher=on|off|both (ingest; default on)
 *          --messages=20000 --dossiers=1000000 --due=20000 (notify; --messages also smpp (a))
 *          --mos=5000 --mo-warmup=500 --mo-inflight=32 --mo-dossiers=10000 --smpp-window=100
 *          --loop-mos=20000 --loop-inflight=500 --loop-dossiers=10000 --loop-text="MCKH 000.00.88.H34-0000001" (loop)
 *          --smpp-concurrency=<MOTCUA_DISPATCH_CONCURRENCY> --smpp-batch=<MOTCUA_DISPATCH_BATCH> (smpp; default: production's)
 * Every database is created fresh and dropped afterwards (PostgreSQL at MOTCUA_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres). Prints tables, then one JSON line with every figure.
 * Progress goes to stderr. The machine's load average is recorded: on a shared box the figures move.
 * Every table also gives the product process's CPU seconds per 1,000 operations (steadier than a rate on
 * a shared machine) and its RSS before and after the measured part (bench/support.ts, resourceFigures):
 * ingest, lookup and loop read them from the app's own child process; the others run the app in the
 * bench process, with the in-process SMPP simulator counted in (zalo runs its simulator apart and reports its CPU).
 *
 * Diagnostics of the ingest server process: BENCH_CPU_PROF=<dir> (V8 CPU profile), BENCH_SQL_STATS=1
 * (time per SQL statement, SQLite), BENCH_PRAGMA="pragma …" (run on the app's SQLite connection first),
 * MOTCUA_INGEST_GROUP_SIZE / MOTCUA_INGEST_GROUP_DELAY_MS (the app's group commit of intakes and events).
 * BENCH_CPU_PROF and BENCH_SQL_STATS work for zalo too, over its measured part (the bench's own process).
 */
import { parseArgs } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { benchIngest, INGEST_GOAL, type IngestFigures } from './ingest.js';
import { APOLOGY_GOAL, DELIVERY_GOAL, benchApology, benchDelivery, type ApologyFigures, type DeliveryFigures } from './notify.js';
import { LOOKUP_GOAL, benchLookup, type LookupFigures } from './lookup.js';
import {
  RECEIPT_DELAY_MS,
  SMPP_GOAL,
  benchKannel,
  benchSmppMo,
  benchSmppNotify,
  withKannelRatio,
  type MoFigures,
  type SmppMoFigures,
  type SmppNotifyFigures,
} from './smpp.js';
import { LOOP_GOAL, benchLoopBare, benchLoopKannel, benchLoopProduct, type LoopFigures } from './loop.js';
import { benchSoak, type SoakFigures } from './soak.js';
import { log, printTable, resourceColumns, type BenchDb, type Row } from './support.js';
import { ZALO_GOAL, benchZalo, type ZaloFigures } from './zalo.js';

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: {
    db: { type: 'string', default: 'both' },
    connections: { type: 'string', default: '20' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    dispatcher: { type: 'string', default: 'on' },
    messages: { type: 'string', default: '20000' },
    dossiers: { type: 'string', default: '1000000' },
    due: { type: 'string', default: '20000' },
    mos: { type: 'string', default: '5000' },
    'mo-warmup': { type: 'string', default: '500' },
    'mo-inflight': { type: 'string', default: '32' },
    'mo-dossiers': { type: 'string', default: '10000' },
    'smpp-window': { type: 'string', default: '100' },
    'smpp-concurrency': { type: 'string' },
    'smpp-batch': { type: 'string' },
    'loop-mos': { type: 'string', default: '20000' },
    'loop-inflight': { type: 'string', default: '500' },
    'loop-dossiers': { type: 'string', default: '10000' },
    'loop-text': { type: 'string', default: 'MCKH 000.00.88.H34-0000001' },
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '20' },
  },
});

function integer(name: string, raw: string | undefined, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min} (got "${raw}")`);
  return value;
}

const what = positionals[0] ?? 'all';
if (!['ingest', 'notify', 'lookup', 'smpp', 'loop', 'zalo', 'soak', 'all'].includes(what) || positionals.length > 1)
  throw new Error('usage: npm run bench -- ingest|notify|lookup|smpp|loop|zalo|soak|all [--db=sqlite|postgres|both]');
if (!['sqlite', 'postgres', 'both'].includes(values.db!)) throw new Error('--db must be sqlite, postgres or both');
if (!['on', 'off', 'both'].includes(values.dispatcher!)) throw new Error('--dispatcher must be on, off or both');
const databases: BenchDb[] = values.db === 'both' ? ['sqlite', 'postgres'] : [values.db as BenchDb];
const ingestOptions = {
  connections: integer('connections', values.connections, 1),
  duration: integer('duration', values.duration, 1),
  warmup: integer('warmup', values.warmup, 0),
  dispatcher: values.dispatcher as 'on' | 'off' | 'both',
};
const notifyOptions = {
  messages: integer('messages', values.messages, 1),
  dossiers: integer('dossiers', values.dossiers, 1),
  due: integer('due', values.due, 1),
};
const smppOptions = {
  messages: notifyOptions.messages,
  dossiers: integer('mo-dossiers', values['mo-dossiers'], 1),
  mos: integer('mos', values.mos, 1),
  warmup: integer('mo-warmup', values['mo-warmup'], 0),
  inflight: integer('mo-inflight', values['mo-inflight'], 1),
  window: integer('smpp-window', values['smpp-window'], 1),
  concurrency: values['smpp-concurrency'] === undefined ? null : integer('smpp-concurrency', values['smpp-concurrency'], 1),
  batch: values['smpp-batch'] === undefined ? null : integer('smpp-batch', values['smpp-batch'], 1),
};
const loopOptions = {
  mos: integer('loop-mos', values['loop-mos'], 1),
  inflight: integer('loop-inflight', values['loop-inflight'], 1),
  dossiers: integer('loop-dossiers', values['loop-dossiers'], 2),
  text: values['loop-text']!,
};
if (notifyOptions.due + 210_000 > notifyOptions.dossiers)
  throw new Error('--dossiers must exceed --due by at least 210000 (the other open dossiers)');

const yesNo = (v: boolean) => (v ? 'yes' : 'NO');
const report: {
  machine: Record<string, unknown>;
  ingest: IngestFigures[];
  delivery: DeliveryFigures[];
  apology: ApologyFigures[];
  lookup: LookupFigures[];
  smppNotify: SmppNotifyFigures[];
  smppMo: SmppMoFigures[];
  smppKannel: MoFigures[];
  loop: LoopFigures[];
  zalo: ZaloFigures[];
  soak: SoakFigures[];
  errors: string[];
} = {
  machine: {
    node: process.version,
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    loadAvgBefore: loadavg().map((v) => Math.round(v * 100) / 100),
  },
  ingest: [],
  delivery: [],
  apology: [],
  lookup: [],
  smppNotify: [],
  smppMo: [],
  smppKannel: [],
  loop: [],
  zalo: [],
  soak: [],
  errors: [],
};

async function attempt(label: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const message = `${label}: ${(error as Error).message}`;
    report.errors.push(message);
    log(`FAILED ${message}`);
  }
}

const soakOptions = { minutes: integer('minutes', values.minutes, 1), rate: integer('rate', values.rate, 1) };

for (const db of databases) {
  if (what === 'loop' || what === 'all')
    await attempt(`loop ${db}`, async () => void report.loop.push(await benchLoopProduct(db, loopOptions)));
  if (what === 'soak') await attempt(`soak ${db}`, async () => void report.soak.push(await benchSoak(db, soakOptions)));
  if (what === 'ingest' || what === 'all')
    await attempt(`ingest ${db}`, async () => void report.ingest.push(...(await benchIngest(db, ingestOptions))));
  if (what === 'notify' || what === 'all') {
    await attempt(`delivery ${db}`, async () => void report.delivery.push(await benchDelivery(db, notifyOptions)));
    await attempt(`apology ${db}`, async () => void report.apology.push(await benchApology(db, notifyOptions)));
  }
  if (what === 'lookup' || what === 'all') {
    const lookupOptions = {
      dossiers: notifyOptions.dossiers,
      connections: ingestOptions.connections,
      duration: ingestOptions.duration,
      warmup: ingestOptions.warmup,
    };
    await attempt(`lookup ${db}`, async () => void report.lookup.push(await benchLookup(db, lookupOptions)));
  }
  if (what === 'zalo' || what === 'all')
    await attempt(`zalo ${db}`, async () => void report.zalo.push(await benchZalo(db, { messages: notifyOptions.messages })));
  if (what === 'smpp' || what === 'all') {
    await attempt(`smpp notify ${db}`, async () => void report.smppNotify.push(await benchSmppNotify(db, smppOptions)));
    let mo: SmppMoFigures | null = null;
    await attempt(`smpp mo ${db}`, async () => {
      mo = await benchSmppMo(db, smppOptions);
    });
    // Kannel right after (b), so both see the same machine load; its figure does not depend on the database.
    let kannel: MoFigures | null = null;
    await attempt(`smpp kannel (after ${db})`, async () => {
      kannel = await benchKannel(db, smppOptions);
      report.smppKannel.push(kannel);
    });
    if (mo) report.smppMo.push(withKannelRatio(mo, kannel));
  }
}

if (what === 'loop' || what === 'all') {
  await attempt('loop kannel', async () => void report.loop.push(await benchLoopKannel(loopOptions)));
  await attempt('loop bare ESME', async () => void report.loop.push(await benchLoopBare(loopOptions)));
}

report.machine.loadAvgAfter = loadavg().map((v) => Math.round(v * 100) / 100);
process.stdout.write(
  `\nMotcuaSMS benchmarks — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; load average before ${String(report.machine.loadAvgBefore)}, after ${String(report.machine.loadAvgAfter)}\n`,
);
printTable(
  `Ingest: autocannon, each dossier = intake + 3 events (4 POSTs); events/s = 2xx POSTs/s. Goal: ≥ ${INGEST_GOAL.eventsPerS.sqlite} events/s on SQLite, ≥ ${INGEST_GOAL.eventsPerS.postgres} on PostgreSQL, p99 < ${INGEST_GOAL.p99Ms} ms, ≥ ${INGEST_GOAL.ratioToBare} of the bare route, no errors`,
  report.ingest.map(
    (r): Row => ({
      db: r.db,
      dispatcher: r.dispatcher,
      conns: r.connections,
      s: r.durationS,
      'events/s': r.eventsPerS,
      'dossiers/s': r.dossiersPerS,
      'p50 ms': r.p50Ms,
      'p97.5 ms': r.p97_5Ms,
      'p99 ms': r.p99Ms,
      'max ms': r.maxMs,
      errors: r.errors,
      'non-2xx': r.non2xx,
      'bare req/s': r.bareReqPerS,
      'bare p99': r.bareP99Ms,
      ratio: r.ratioToBare,
      'SMS delivered': r.notificationsDelivered,
      'per group': r.worksPerGroup,
      ...resourceColumns(r),
      'goal met': yesNo(r.goalMet),
    }),
  ),
);
printTable(
  `Delivery: result_ready SMS waiting in the outbox → delivered by the dispatcher through the sandbox. Goal (stated for SQLite): ≥ ${DELIVERY_GOAL.messagesPerS} messages/s`,
  report.delivery.map(
    (r): Row => ({
      db: r.db,
      messages: r.messages,
      'batch×conc': `${r.batchSize}×${r.concurrency}`,
      'setup s': r.setupS,
      seconds: r.deliverS,
      'messages/s': r.messagesPerS,
      delivered: r.delivered,
      failed: r.failed,
      left: r.left,
      ...resourceColumns(r),
      'goal met': yesNo(r.goalMet),
    }),
  ),
);
printTable(
  `Apology batch: ${notifyOptions.due} of ${notifyOptions.dossiers} dossiers due on the next working day. Goal: ≤ ${APOLOGY_GOAL.seconds} s and within ${APOLOGY_GOAL.ratio}× of the bare query`,
  report.apology.map(
    (r): Row => ({
      db: r.db,
      dossiers: r.dossiers,
      due: r.dueTomorrow,
      'insert s': r.insertS,
      'count(*) ms': r.countMs,
      'select ms': r.selectMs,
      'batch s': r.apologyS,
      created: r.created,
      'rerun s': r.rerunS,
      'rerun created': r.rerunCreated,
      '×count': r.ratioToCount,
      '×select': r.ratioToSelect,
      ...resourceColumns(r),
      '≤5 s': yesNo(r.within5s),
      '≤3× count': yesNo(r.within3xCount),
      '≤3× select': yesNo(r.within3xSelect),
    }),
  ),
);
printTable(
  `Look-up: MO → webhook → parse, guard, reply row, with ${notifyOptions.dossiers} dossiers stored (one code in ten unknown). Goal (stated for SQLite): ≥ ${LOOKUP_GOAL.lookupsPerS} look-ups/s, p99 < ${LOOKUP_GOAL.p99Ms} ms`,
  report.lookup.map(
    (r): Row => ({
      db: r.db,
      dossiers: r.dossiers,
      'insert s': r.insertS,
      'look-ups/s': r.lookupsPerS,
      'p50 ms': r.p50Ms,
      'p99 ms': r.p99Ms,
      errors: r.errors,
      'non-2xx': r.non2xx,
      'bare req/s': r.bareReqPerS,
      ratio: r.ratioToBare,
      'MO stored': r.inboundStored,
      'RSS start MB': r.rssStartMb,
      'RSS + dossiers MB': r.rssDossiersMb,
      ...resourceColumns(r),
      'goal met': r.goalMet === null ? 'n/a' : yesNo(r.goalMet),
    }),
  ),
);
printTable(
  `SMPP notifications: result_ready SMS in the outbox → submit_sm to the simulator (transceiver, receipts after ${RECEIPT_DELAY_MS} ms), until every one is sent. Goal: ≥ ${SMPP_GOAL.messagesPerS} messages/s, none lost, no duplicates`,
  report.smppNotify.map(
    (r): Row => ({
      db: r.db,
      messages: r.messages,
      parts: r.parts,
      'batch×conc': `${r.batchSize}×${r.concurrency}`,
      window: r.window,
      'setup s': r.setupS,
      seconds: r.sendS,
      'messages/s': r.messagesPerS,
      'submit_sm/s': r.submitsPerS,
      sent: r.sent,
      failed: r.failed,
      left: r.left,
      'delivered in time': r.deliveredInTime,
      'delivered at end': r.deliveredAtEnd,
      'receipt wait s': r.receiptWaitS,
      submits: r.submits,
      duplicates: r.duplicates,
      'max outstanding (SMSC)': r.maxOutstanding,
      'max outstanding (ESME)': r.esmeMaxOutstanding,
      ...resourceColumns(r),
      'goal met': yesNo(r.goalMet),
    }),
  ),
);
const moRow = (r: MoFigures): Row => ({
  mos: r.mos,
  'in flight': r.inflight,
  seconds: r.seconds,
  'look-ups/s': r.lookupsPerS,
  replies: r.replies,
  nacked: r.nacked,
  'ack p50 ms': r.ackP50Ms,
  'ack p99 ms': r.ackP99Ms,
  'MO→reply p50 ms': r.p50Ms,
  'MO→reply p99 ms': r.p99Ms,
  'max ms': r.maxMs,
  'unmatched submits': r.unmatchedSubmits,
});
printTable(
  `SMPP look-up: MO deliver_sm → look-up → reply row → dispatcher → reply submit_sm, ${smppOptions.dossiers} dossiers stored; from the first MO to the last reply at the simulator (ack = deliver_sm_resp). Goal: ≥ ${SMPP_GOAL.lookupsPerS} look-ups/s and ≥ ${SMPP_GOAL.ratioToKannel}× Kannel's static reply`,
  report.smppMo.map(
    (r): Row => ({
      db: r.db,
      'batch×conc': `${r.batchSize}×${r.concurrency}`,
      ...moRow(r),
      'found (with warm-up)': r.found,
      'Kannel look-ups/s': r.kannelLookupsPerS,
      '× Kannel': r.ratioToKannel,
      'goal met': yesNo(r.goalMet),
      '≥2× Kannel': r.ratioGoalMet === null ? 'n/a' : yesNo(r.ratioGoalMet),
      ...resourceColumns(r),
    }),
  ),
);
printTable(
  'Kannel 1.4.5: the same MOs → bearerbox (rx bind) → smsbox sms-service (static text, no HTTP) → bearerbox (tx bind) → reply submit_sm',
  report.smppKannel.map(
    (r): Row => (r.skipped !== null ? { run: `after ${r.db ?? '—'}`, skipped: r.skipped } : { run: `after ${r.db ?? '—'}`, ...moRow(r) }),
  ),
);
{
  const kannel = report.loop.find((r) => r.who.startsWith('Kannel'))?.msgsPerS ?? null;
  const bare = report.loop.find((r) => r.who.startsWith('bare'))?.msgsPerS ?? null;
  const ratio = (v: number | null, of: number | null) => (v === null || of === null || of === 0 ? null : Math.round((v / of) * 100) / 100);
  printTable(
    `Look-up loop over SMPP: driver ${loopOptions.mos} MOs "${loopOptions.text}", ≤ ${loopOptions.inflight} unanswered, in its own process; replies/s at the driver; MO→reply = received_at → sent_at of the rows; CPU and RSS of the product process. Goal: ≥ ${LOOP_GOAL.ratioToKannel}× Kannel, p99 < ${LOOP_GOAL.p99Ms} ms`,
    report.loop.map(
      (r): Row => ({
        who: r.who,
        db: r.db ?? '—',
        'replies/s': r.msgsPerS,
        '× Kannel': ratio(r.msgsPerS, kannel),
        '× bare ESME': ratio(r.msgsPerS, bare),
        'MO→reply p50 ms': r.p50Ms,
        'p99 ms': r.p99Ms,
        'CPU s / 1000': r.cpuSPer1000,
        'RSS start MB': r.rssStartMb,
        'RSS + dossiers MB': r.rssDossiersMb,
        'RSS after MB': r.rssAfterMb,
        replies: r.replies,
        unsent: r.unsent,
        note: r.note,
      }),
    ),
  );
}
printTable(
  `Zalo: result_ready notifications through the Zalo simulator (its own process), ${Math.round(0.3 * 100)}% answered "not a Zalo user" and sent by SMS instead (sandbox). Goal (stated for SQLite): ≥ ${ZALO_GOAL.notificationsPerS} notifications/s, each ended by one channel`,
  report.zalo.map(
    (r): Row => ({
      db: r.db,
      notifications: r.notifications,
      s: r.deliverS,
      'notifications/s': r.notificationsPerS,
      'by Zalo': r.byZalo,
      'SMS fallbacks': r.smsFallbacks,
      'SMS delivered': r.smsDelivered,
      left: r.left,
      ...resourceColumns(r),
      'sim CPU s/1000': r.simCpuSPer1000,
      'goal met': yesNo(r.goalMet),
    }),
  ),
);
printTable(
  'Soak: result_ready SMS at a steady rate over HTTP and SMPP, faults every minute (0:15 drop, 0:25–0:35 50 % throttle, 0:45–0:50 answers 1.5 s late, 0:55 PostgreSQL: SIGKILL to the postmaster of a private cluster, then start), then a drain. Lost and stuck must be 0; duplicated ≤ responses lost',
  report.soak.map(
    (r): Row => ({
      db: r.db,
      min: r.minutes,
      'rate/s': r.rate,
      created: r.created,
      delivered: r.delivered,
      sent: r.sent,
      failed: r.failed,
      duplicated: r.duplicated,
      'responses lost': r.responsesLost,
      lost: r.lost,
      stuck: r.stuck,
      'drain s': r.drainS,
      'p50 ms': r.p50EventToSubmitMs,
      'p99 ms': r.p99EventToSubmitMs,
      'RSS MB (min:MB)': r.rssMb.map(([m, mb]) => `${m}:${mb}`).join(' '),
      ...resourceColumns(r),
      'drops/throttled/replaced/slow': `${r.faults.drops}/${r.faults.throttled}/${r.faults.bindsReplaced}/${r.faults.slowSmsc}`,
      'db restarts (s)': r.faults.dbRestarts > 0 ? `${r.faults.dbRestarts} (${r.outages.restartS.join(' ')})` : '—',
      'receipts sent again': r.faults.receiptsRetried,
      '503s': r.outages.answers503,
      'outage episodes': r.outages.episodes,
      'other errors': r.outages.otherErrors,
      'load avg (min:load)': r.load.map(([m, l]) => `${m}:${l}`).join(' '),
    }),
  ),
);
if (report.errors.length > 0) process.stdout.write(`\nFailed: ${report.errors.join('; ')}\n`);
process.stdout.write(`\n${JSON.stringify({ bench: what, ...report })}\n`);
process.exitCode = report.errors.length > 0 ? 1 : 0;
