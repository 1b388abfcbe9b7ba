/**
 * Diagnostics for SQLite runs (BENCH_SQL_STATS=1): times every better-sqlite3 statement execution by
 * its SQL text; `report()` prints the statements that took the most time in total.
 */
import SQLite from 'better-sqlite3';

const stats = new Map<string, { n: number; ns: bigint }>();

export function installSqlStats(): void {
  const probe = new SQLite(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
  probe.close();
  for (const method of ['run', 'all', 'get']) {
    const original = proto[method]!;
    proto[method] = function (this: { source: string }, ...args: unknown[]) {
      const started = process.hrtime.bigint();
      try {
        return original.apply(this, args);
      } finally {
        const entry = stats.get(this.source) ?? { n: 0, ns: 0n };
        entry.n++;
        entry.ns += process.hrtime.bigint() - started;
        stats.set(this.source, entry);
      }
    };
  }
}

/** Forgets what was counted so far (the warm-up, the bare route's run). */
export function resetSqlStats(): void {
  stats.clear();
}

export function sqlStatsReport(top = 20): string {
  let total = 0;
  for (const v of stats.values()) total += v.n;
  const rows = [...stats.entries()].sort((a, b) => Number(b[1].ns - a[1].ns)).slice(0, top);
  const lines = rows
    .map(
      ([text, v]) =>
        `${(Number(v.ns) / 1e6).toFixed(0).padStart(7)} ms ${String(v.n).padStart(7)}× ${(Number(v.ns) / v.n / 1000).toFixed(1).padStart(7)} µs  ${text.replace(/\s+/g, ' ').slice(0, 140)}`,
    )
    .join('\n');
  return `${total} statements executed\n${lines}`;
}
