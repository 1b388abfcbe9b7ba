/**
 * The retention job over many dossiers (issue 16): `npx tsx bench/retention.ts [--db=sqlite|postgres|both]
 * [--dossiers=1000000] [--batch=500]`. Inserts the dossiers in one statement (nine in ten closed long ago,
 * one in ten open), runs the job as of far in the future, and reports rows per second and the longest
 * batch — each batch is one transaction, so that is the longest any lock is held. Then a rerun (nothing
 * left to do: the cost of a night with nothing due).
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { sql } from 'kysely';
import {
  AGENCY,
  PROCEDURE,
  benchConfig,
  benchContext,
  createBenchDatabase,
  log,
  printTable,
  round,
  seedReference,
  type BenchDb,
} from './support.js';

interface RetentionFigures {
  db: BenchDb;
  dossiers: number;
  deidentified: number;
  batch: number;
  seconds: number;
  rowsPerS: number;
  batches: number;
  longestBatchMs: number;
  medianBatchMs: number;
  rerunS: number;
}

function bulkInsert(dialect: BenchDb, total: number, at: number): string {
  const pgsql = dialect === 'postgres';
  const pad = (expr: string) => (pgsql ? `lpad((${expr})::text, 7, '0')` : `printf('%07d', ${expr})`);
  const select = `select '000.00.99.H34-' || ${pad('i')}, '000.00.99.H34-' || ${pad('i')}, '${AGENCY}', '${PROCEDURE}', 'Lê Văn Thử', 'le van thu',
    '098' || ${pad('i')}, '+8498' || ${pad('i')}, 'viettel', null, 'thu@example.vn', 'counter',
    case when i % 10 = 0 then 'in_progress' else 'returned' end, 'Trả kết quả',
    ${at}, ${at} + 86400000 * 5, null, case when i % 10 = 0 then null else ${at} + 86400000 * 4 end,
    case when i % 10 = 0 then null else ${at} + 86400000 * 4 end, 'bench', 1, ${at}, ${at} + 86400000 * 4`;
  const columns = `receipt_code, receipt_key, agency_code, procedure_code, applicant_name, search_name, phone_input, phone_e164, phone_carrier,
    phone_problem, email, return_method, state, step, received_at, due_at, paused_at, finished_at, returned_at, intake_hash,
    event_count, created_at, updated_at`;
  return pgsql
    ? `insert into dossiers (${columns}) ${select} from generate_series(1, ${total}) as s(i)`
    : `insert into dossiers (${columns}) with recursive s(i) as (select 1 union all select i + 1 from s where i < ${total}) ${select} from s`;
}

async function benchRetention(kind: BenchDb, dossiers: number, batch: number): Promise<RetentionFigures> {
  const database = await createBenchDatabase(kind);
  const ctx = await benchContext(benchConfig(database.url, { MOTCUA_RETENTION_BATCH: String(batch), MOTCUA_DB_STATEMENT_TIMEOUT_MS: '0' }));
  try {
    await seedReference(ctx);
    log(`retention ${kind}: inserting ${dossiers} dossiers`);
    await sql.raw(bulkInsert(kind, dossiers, Date.parse('2025-01-06T08:00:00+07:00'))).execute(ctx.db.kysely);
    await sql.raw('analyze').execute(ctx.db.kysely);
    log(`retention ${kind}: running the job`);
    const asOf = Date.parse('2026-06-01T02:00:00+07:00');
    const durations: number[] = [];
    let last = performance.now();
    const started = last;
    const counts = await ctx.retention.run(asOf, asOf, {
      onBatch: () => {
        const now = performance.now();
        durations.push(now - last);
        last = now;
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const rerunStarted = performance.now();
    const rerun = await ctx.retention.run(asOf, asOf);
    const rerunS = (performance.now() - rerunStarted) / 1000;
    if (rerun.dossiers !== 0) throw new Error(`the rerun de-identified ${rerun.dossiers} dossiers`);
    const expected = dossiers - Math.floor(dossiers / 10);
    if (counts.dossiers !== expected) throw new Error(`de-identified ${counts.dossiers} dossiers, expected ${expected}`);
    const sorted = [...durations].sort((a, b) => a - b);
    return {
      db: kind,
      dossiers,
      deidentified: counts.dossiers,
      batch,
      seconds: round(seconds, 1),
      rowsPerS: Math.round(counts.dossiers / seconds),
      batches: durations.length,
      longestBatchMs: round(sorted[sorted.length - 1] ?? 0, 1),
      medianBatchMs: round(sorted[Math.floor(sorted.length / 2)] ?? 0, 1),
      rerunS: round(rerunS, 1),
    };
  } finally {
    await ctx.close();
    await database.drop();
  }
}

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite' },
    dossiers: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '500' },
  },
});
const kinds: BenchDb[] = values.db === 'both' ? ['sqlite', 'postgres'] : [values.db as BenchDb];
const figures: RetentionFigures[] = [];
for (const kind of kinds) figures.push(await benchRetention(kind, Number(values.dossiers), Number(values.batch)));
printTable(
  `retention job (load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')})`,
  figures.map((f) => ({ ...f })),
);
process.stdout.write(`${JSON.stringify({ retention: figures })}\n`);
