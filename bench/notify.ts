/**
 * `bench notify`, in the bench process itself (no HTTP involved):
 *
 * (a) delivery — N dossiers are taken in and moved to result_ready through the services
 *     (ctx.dossiers.intake / applyEvent, untimed), for an agency with holdSeconds 0 and no quiet hours,
 *     so N result_ready SMS wait in the outbox. Then the dispatcher (production settings) is started and
 *     the clock runs until no message is pending or sending: messages/s end to end through the sandbox.
 *
 * (b) apology — 1,000,000 dossiers are bulk-inserted with one SQL statement (a recursive CTE on SQLite,
 *     generate_series on PostgreSQL), DUE of them open and due on the next working day, the rest open
 *     and due other days, waiting for a supplement / result ready that day, or returned long ago. The
 *     batch is timed as the route and the scheduler run it — transaction(db, tx => apology.run(tx, …)) —
 *     and compared with a bare `count(*)` of the same rows, and with a bare select of them (the same
 *     columns and join the batch reads), which is what the batch cannot go below.
 */
import { sql } from 'kysely';
import { transaction, type Db } from '../src/platform/db/database.js';
import { addDays, fromLocal } from '../src/lib/calendar/zone.js';
import type { AppContext } from '../src/main/context.js';
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

export interface NotifyOptions {
  messages: number;
  dossiers: number;
  due: number;
}

/** CPU and RSS: this process (the app's dispatcher and the sandbox; nothing else runs while timed). */
export interface DeliveryFigures extends ResourceFigures {
  db: BenchDb;
  messages: number;
  setupS: number;
  setupDossiersPerS: number;
  deliverS: number;
  messagesPerS: number;
  delivered: number;
  failed: number;
  left: number;
  batchSize: number;
  concurrency: number;
  /** ≥ 1,000 messages/s (stated for SQLite; evaluated on PostgreSQL too) and every message delivered */
  goalMet: boolean;
}

export interface ApologyFigures extends ResourceFigures {
  db: BenchDb;
  dossiers: number;
  dueTomorrow: number;
  insertS: number;
  countMs: number;
  selectMs: number;
  apologyS: number;
  created: number;
  rerunS: number;
  rerunCreated: number;
  ratioToCount: number;
  ratioToSelect: number;
  /** ≤ 5 s and every due dossier got its apology */
  within5s: boolean;
  /** the batch within 3× of the bare count(*) of the same rows */
  within3xCount: boolean;
  /** the batch within 3× of a bare select of the same rows (columns and join the batch reads) */
  within3xSelect: boolean;
}

export const DELIVERY_GOAL = { messagesPerS: 1_000 };
export const APOLOGY_GOAL = { seconds: 5, ratio: 3 };

const seconds = (startedNs: bigint) => Number(process.hrtime.bigint() - startedNs) / 1e9;

async function withContext<T>(kind: BenchDb, work: (ctx: AppContext) => Promise<T>): Promise<T> {
  const database = await createBenchDatabase(kind);
  try {
    // The dispatcher is started by hand in (a); the flag only tells `serve` not to start it.
    const ctx = await benchContext(benchConfig(database.url, { MOTCUA_DISPATCHER: 'false' }));
    try {
      await seedReference(ctx);
      return await work(ctx);
    } finally {
      await ctx.close();
    }
  } finally {
    await database.drop();
  }
}

async function outstanding(db: Db): Promise<number> {
  const result = await sql<{ n: number }>`select count(*) as n from notifications where status in ('pending', 'sending')`.execute(
    db.kysely,
  );
  return result.rows[0]?.n ?? 0;
}

async function countByStatus(db: Db): Promise<Record<string, number>> {
  const rows = await db.kysely
    .selectFrom('notifications')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export async function benchDelivery(kind: BenchDb, options: NotifyOptions): Promise<DeliveryFigures> {
  return withContext(kind, async (ctx) => {
    const n = options.messages;
    log(`notify/delivery ${kind}: creating ${n} dossiers at result_ready through the services`);
    const setupStarted = process.hrtime.bigint();
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = ++next;
        const receiptCode = `000.00.98.H34-DLV-${String(i).padStart(7, '0')}`;
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

    log(`notify/delivery ${kind}: dispatching ${n} messages`);
    const started = process.hrtime.bigint();
    const before = usageNow();
    ctx.dispatcher.start();
    while ((await outstanding(ctx.db)) > 0) await sleep(20);
    const deliverS = seconds(started);
    const after = usageNow();
    await ctx.dispatcher.stop();

    const byStatus = await countByStatus(ctx.db);
    const delivered = byStatus.delivered ?? 0;
    const messagesPerS = delivered / deliverS;
    return {
      db: kind,
      messages: n,
      setupS: round(setupS),
      setupDossiersPerS: round(n / setupS, 0),
      deliverS: round(deliverS, 3),
      messagesPerS: round(messagesPerS, 0),
      delivered,
      failed: byStatus.failed ?? 0,
      left: (byStatus.pending ?? 0) + (byStatus.sending ?? 0),
      batchSize: ctx.dispatcher.sizing.batchSize,
      concurrency: ctx.dispatcher.sizing.concurrency,
      goalMet: messagesPerS >= DELIVERY_GOAL.messagesPerS && delivered === n,
      ...resourceFigures(before, after, delivered),
    };
  });
}

/** One INSERT … SELECT making `total` dossiers; the first `due` are open and due on `dueDate`. */
function bulkInsert(dialect: BenchDb, total: number, due: number, dueDate: string, asOf: number) {
  const pgsql = dialect === 'postgres';
  const i = pgsql ? 'i::bigint' : 'i';
  const pad = (expr: string, width: number) => (pgsql ? `lpad((${expr})::text, ${width}, '0')` : `printf('%0${width}d', ${expr})`);
  const day = 86_400_000;
  const dueFrom = fromLocal(dueDate, 0).getTime();
  const otherDue = due + 10_000; // also due that day, but waiting for a supplement or already at the result
  const openOther = otherDue + 200_000; // open, due before or after that day
  const state = `case when i <= ${due} then (case when i % 2 = 0 then 'received' else 'in_progress' end)
    when i <= ${otherDue} then (case when i % 2 = 0 then 'awaiting_supplement' else 'result_ready' end)
    when i <= ${openOther} then (case when i % 2 = 0 then 'received' else 'in_progress' end)
    else 'returned' end`;
  const dueAt = `case when i <= ${otherDue} then ${dueFrom} + (7 * 3600 + (${i} % 600) * 60) * 1000
    when i <= ${openOther} then (case when i % 3 = 0 then ${dueFrom} - (1 + ${i} % 30) * ${day} else ${dueFrom} + (1 + ${i} % 60) * ${day} end) + 9 * 3600000
    else ${dueFrom} - (2 + ${i} % 700) * ${day} + 9 * 3600000 end`;
  const finished = `case when i > ${openOther} then (${dueAt}) - ${day} else null end`;
  const select = `select
      '000.00.77.H34-' || ${pad('i', 7)}, '000.00.77.H34-' || ${pad('i', 7)}, '${AGENCY}', '${PROCEDURE}', 'Lê Văn Thử',
      '098' || ${pad('i % 10000000', 7)}, '+8498' || ${pad('i % 10000000', 7)}, 'viettel', null, null, 'counter',
      ${state}, case when i > ${openOther} then 'Trả kết quả' else 'Thẩm định hồ sơ' end,
      (${dueAt}) - 7 * ${day}, ${dueAt}, null, ${finished}, ${finished}, 'bench', 0, ${asOf}, ${asOf}`;
  const columns = `receipt_code, receipt_key, agency_code, procedure_code, applicant_name, phone_input, phone_e164, phone_carrier,
      phone_problem, email, return_method, state, step, received_at, due_at, paused_at, finished_at, returned_at, intake_hash,
      event_count, created_at, updated_at`;
  return pgsql
    ? `insert into dossiers (${columns}) ${select} from generate_series(1, ${total}) as s(i)`
    : `insert into dossiers (${columns}) with recursive s(i) as (select 1 union all select i + 1 from s where i < ${total}) ${select} from s`;
}

async function timeMs(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return seconds(started) * 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchApology(kind: BenchDb, options: NotifyOptions): Promise<ApologyFigures> {
  return withContext(kind, async (ctx) => {
    const asOf = Date.parse('2026-11-26T17:30:00+07:00');
    const dueDate = await ctx.apology.dueDateFor(asOf);
    const from = fromLocal(dueDate, 0).getTime();
    const to = fromLocal(addDays(dueDate, 1), 0).getTime();

    log(`notify/apology ${kind}: inserting ${options.dossiers} dossiers (${options.due} open and due ${dueDate})`);
    const insertStarted = process.hrtime.bigint();
    await sql.raw(bulkInsert(kind, options.dossiers, options.due, dueDate, asOf)).execute(ctx.db.kysely);
    await sql.raw('analyze').execute(ctx.db.kysely);
    const insertS = seconds(insertStarted);

    const count = sql<{ n: number }>`select count(*) as n from dossiers
      where state in ('received', 'in_progress') and due_at >= ${sql.lit(from)} and due_at < ${sql.lit(to)}`;
    const select = sql`select d.*, p.processing_days, p.name as procedure_name from dossiers d join procedures p on p.code = d.procedure_code
      where d.state in ('received', 'in_progress') and d.due_at >= ${sql.lit(from)} and d.due_at < ${sql.lit(to)}`;
    const counted = (await count.execute(ctx.db.kysely)).rows[0]?.n ?? -1;
    if (counted !== options.due) throw new Error(`expected ${options.due} dossiers due ${dueDate}, counted ${counted}`);
    const countTimes: number[] = [];
    for (let k = 0; k < 5; k++) countTimes.push(await timeMs(() => count.execute(ctx.db.kysely)));
    const countMs = median(countTimes);
    const selectTimes: number[] = [];
    for (let k = 0; k < 3; k++) selectTimes.push(await timeMs(() => select.execute(ctx.db.kysely)));
    const selectMs = median(selectTimes);

    log(`notify/apology ${kind}: running the batch`);
    const now = asOf;
    let result = { dueDate: '', dossiers: 0, created: 0 };
    const before = usageNow();
    const apologyMs = await timeMs(async () => {
      result = await transaction(ctx.db, (tx) => ctx.apology.run(tx, asOf, now));
    });
    if (result.dueDate !== dueDate || result.dossiers !== options.due) {
      throw new Error(`apology batch saw ${result.dossiers} dossiers due ${result.dueDate}, expected ${options.due} due ${dueDate}`);
    }
    let rerun = { dueDate: '', dossiers: 0, created: 0 };
    const rerunMs = await timeMs(async () => {
      rerun = await transaction(ctx.db, (tx) => ctx.apology.run(tx, asOf, now));
    });
    const after = usageNow();

    const apologyS = apologyMs / 1000;
    return {
      db: kind,
      dossiers: options.dossiers,
      dueTomorrow: options.due,
      insertS: round(insertS, 1),
      countMs: round(countMs, 2),
      selectMs: round(selectMs, 1),
      apologyS: round(apologyS, 3),
      created: result.created,
      rerunS: round(rerunMs / 1000, 3),
      rerunCreated: rerun.created,
      ratioToCount: round(apologyMs / countMs, 1),
      ratioToSelect: round(apologyMs / selectMs, 2),
      within5s: apologyS <= APOLOGY_GOAL.seconds && result.created === options.due,
      within3xCount: apologyMs / countMs <= APOLOGY_GOAL.ratio,
      within3xSelect: apologyMs / selectMs <= APOLOGY_GOAL.ratio,
      // Per 1,000 apologies created, the batch and its rerun together.
      ...resourceFigures(before, after, result.created),
    };
  });
}
