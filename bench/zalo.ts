/**
 * `bench zalo` (issue 17): N result_ready notifications of an agency with channels ["zalo", "sms"] through the
 * Zalo simulator (`motcua zalo-sim`, its own process, as Zalo's servers are not ours), 30% of the numbers
 * answered "not a Zalo user" (-118) so their notification falls back to an SMS through the sandbox. Timed from
 * the dispatcher's start until nothing is pending or sending: notifications per second, each ending sent by
 * Zalo or delivered by SMS. The product runs in this process: its CPU seconds per 1,000 notifications over the
 * timed part (the steadier figure on a shared machine) and its RSS before and after are reported too.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { cleanEnv, startCli } from '../test/support/cli-process.js';
import { freePort, waitFor } from '../test/support/wait.js';
import { writeZaloProvidersFile } from '../test/support/zalo.js';
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
  startCpuProfile,
  usageNow,
  type BenchDb,
  type ResourceFigures,
} from './support.js';

export const ZALO_GOAL = { notificationsPerS: 1_000 };
const FALLBACK_SHARE = 0.3;
const APP = { appId: 'bench-app', appSecret: 'bench-app-secret', oaSecretKey: 'bench-oa-secret' };

/** CPU and RSS: the product's process (this one); the simulator runs apart and its CPU is given on its own. */
export interface ZaloFigures extends ResourceFigures {
  db: BenchDb;
  notifications: number;
  deliverS: number;
  notificationsPerS: number;
  byZalo: number;
  smsFallbacks: number;
  smsDelivered: number;
  left: number;
  /** CPU seconds per 1,000 notifications of the simulator's process (Zalo's side, for scale) */
  simCpuSPer1000: number | null;
  /** ≥ 1,000 notifications/s (stated for SQLite) and every one ended by one channel */
  goalMet: boolean;
}

const seconds = (startedNs: bigint) => Number(process.hrtime.bigint() - startedNs) / 1e9;

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
function processCpuS(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

export async function benchZalo(kind: BenchDb, options: { messages: number }): Promise<ZaloFigures> {
  const n = options.messages;
  const notOnZalo = (i: number) => i % 10 < FALLBACK_SHARE * 10;
  const port = await freePort();
  const errors = Array.from({ length: n }, (_, k) => k + 1)
    .filter(notOnZalo)
    .flatMap((i) => ['--error', `84${phoneFor(i).slice(1)}=-118`]);
  const sim = startCli(
    'zalo-sim',
    [
      'zalo-sim',
      '--port',
      String(port),
      '--app-id',
      APP.appId,
      '--app-secret',
      APP.appSecret,
      '--oa-secret',
      APP.oaSecretKey,
      '--refresh-token',
      'bench-refresh',
      ...errors,
    ],
    cleanEnv({ LOG_LEVEL: 'info' }),
  );
  const simUrl = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'motcua-bench-zalo-'));
  const database = await createBenchDatabase(kind);
  try {
    await waitFor('the Zalo simulator to listen', () => sim.output().includes('Zalo simulator listening'), { processes: [sim] });
    const configFile = writeZaloProvidersFile(dir, {
      app: APP,
      url: simUrl,
      refreshToken: 'bench-refresh',
      templates: { result_ready: { templateId: '1', data: { ma_ho_so: '{Mã số biên nhận}', co_quan: '{Tên cơ quan}' } } },
    });
    const ctx = await benchContext(benchConfig(database.url, { MOTCUA_DISPATCHER: 'false', MOTCUA_CONFIG_FILE: configFile }));
    try {
      await seedReference(ctx);
      await ctx.agencies.put(AGENCY, 'Sở Thử tải', { holdSeconds: 0, quietHours: null, channels: ['zalo', 'sms'] }, ctx.clock.now());
      log(`zalo ${kind}: creating ${n} dossiers at result_ready (${Math.round(FALLBACK_SHARE * 100)}% not on Zalo)`);
      let next = 0;
      const worker = async () => {
        while (next < n) {
          const i = ++next;
          const phone = phoneFor(i);
          const receiptCode = `000.00.98.H34-ZLO-${String(i).padStart(7, '0')}`;
          await ctx.dossiers.intake(ADMIN, {
            receiptCode,
            agencyCode: AGENCY,
            procedureCode: PROCEDURE,
            applicant: { name: 'Trần Thị Thử', phone },
          });
          await ctx.dossiers.applyEvent(ADMIN, receiptCode, { type: 'result_ready', eventId: `${receiptCode}-r` });
        }
      };
      await Promise.all(Array.from({ length: kind === 'postgres' ? 16 : 4 }, worker));
      log(`zalo ${kind}: dispatching`);
      const outstanding = async () =>
        (await sql<{ n: number }>`select count(*) as n from notifications where status in ('pending', 'sending')`.execute(ctx.db.kysely))
          .rows[0]?.n ?? 0;
      // BENCH_SQL_STATS=1 (SQLite): time per SQL statement over the timed part, printed at its end.
      const sqlStats = process.env.BENCH_SQL_STATS && kind === 'sqlite' ? await import('./sql-stats.js') : null;
      sqlStats?.installSqlStats();
      const stopProfile = await startCpuProfile(`zalo-${kind}`);
      const simCpuBefore = processCpuS(sim.child.pid);
      const started = process.hrtime.bigint();
      const before = usageNow();
      ctx.dispatcher.start();
      while ((await outstanding()) > 0) await sleep(20);
      const deliverS = seconds(started);
      const after = usageNow();
      await stopProfile();
      const simCpuAfter = processCpuS(sim.child.pid);
      if (sqlStats) log(`zalo ${kind}: SQL statements over the timed part\n${sqlStats.sqlStatsReport()}`);
      await ctx.dispatcher.stop();
      const rows = await ctx.db.kysely
        .selectFrom('notifications')
        .select(['channel', 'status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy(['channel', 'status'])
        .execute();
      const count = (channel: string, status: string) => rows.find((r) => r.channel === channel && r.status === status)?.n ?? 0;
      const byZalo = count('zalo', 'sent') + count('zalo', 'delivered');
      const smsFallbacks = rows.filter((r) => r.channel === 'sms').reduce((s, r) => s + r.n, 0);
      const smsDelivered = count('sms', 'delivered');
      const notificationsPerS = n / deliverS;
      return {
        db: kind,
        notifications: n,
        deliverS: round(deliverS, 3),
        notificationsPerS: round(notificationsPerS, 0),
        byZalo,
        smsFallbacks,
        smsDelivered,
        left: await outstanding(),
        simCpuSPer1000: simCpuBefore === null || simCpuAfter === null ? null : round(((simCpuAfter - simCpuBefore) / n) * 1000, 3),
        goalMet: notificationsPerS >= ZALO_GOAL.notificationsPerS && byZalo + smsDelivered === n,
        ...resourceFigures(before, after, n),
      };
    } finally {
      await ctx.close();
    }
  } finally {
    await database.drop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
