/** Login throttling counters (table web_login_throttle): counted in one statement before any password hash. */
import { sql, type RawBuilder } from 'kysely';
import type { DbHandle } from '../platform/db/database.js';

export type ThrottleScope = 'pair' | 'ip' | 'user';

export interface ThrottleRule {
  /** Attempts counted before the first delay. */
  readonly free: number;
  /** The first delay; each further attempt doubles it, up to capMs. */
  readonly baseMs: number;
  readonly capMs: number;
}

export interface ThrottleKey {
  scope: ThrottleScope;
  username: string;
  ip: string;
}

export interface ThrottleRow extends ThrottleKey {
  failures: number;
  lastAt: number;
  blockedUntil: number;
}

/** The delay after the `n`-th counted attempt: 0 below `free`, then base, 2×base, 4×base … up to cap. */
export function delayAfter(rule: ThrottleRule, n: number): number {
  if (n < rule.free) return 0;
  return Math.min(rule.capMs, rule.baseMs * 2 ** Math.min(n - rule.free, 30));
}

/** The same as a SQL CASE over a failures expression, per scope (no pow() in SQLite). */
function delaySql(rules: Readonly<Record<ThrottleScope, ThrottleRule>>, scope: RawBuilder<unknown>, n: RawBuilder<unknown>) {
  const perScope = (Object.keys(rules) as ThrottleScope[]).map((name) => {
    const rule = rules[name];
    const steps: RawBuilder<unknown>[] = [sql`when ${n} < ${sql.lit(rule.free)} then 0`];
    for (let k = 0; rule.baseMs * 2 ** k < rule.capMs; k++) {
      steps.push(sql`when ${n} = ${sql.lit(rule.free + k)} then ${sql.lit(rule.baseMs * 2 ** k)}`);
    }
    return sql`when ${sql.lit(name)} then (case ${sql.join(steps, sql` `)} else ${sql.lit(rule.capMs)} end)`;
  });
  return sql`(case ${scope} ${sql.join(perScope, sql` `)} else 0 end)`;
}

/**
 * Counts one attempt against each key, atomically (one INSERT … ON CONFLICT DO UPDATE … RETURNING, the
 * same on SQLite and PostgreSQL). A key that is blocked is left as it is and answers verdict 0; any other
 * key counts the attempt (restarting after resetMs without one), sets the delay that attempt earns, and
 * answers verdict 1. Concurrent attempts are serialised by the row: the sixth of thirty simultaneous ones
 * already sees the block the fifth set.
 */
export async function countAttempt(
  db: DbHandle,
  keys: ThrottleKey[],
  rules: Readonly<Record<ThrottleScope, ThrottleRule>>,
  now: number,
  resetMs: number,
): Promise<Array<ThrottleKey & { failures: number; blockedUntil: number; allowed: boolean }>> {
  const at = sql`cast(${now} as bigint)`;
  const table = sql.table('web_login_throttle');
  const col = (name: string) => sql.ref(`web_login_throttle.${name}`);
  const blocked = sql`${col('blocked_until')} > ${at}`;
  const counted = sql`(case when ${col('last_at')} <= ${sql`cast(${now - resetMs} as bigint)`} then 1 else ${col('failures')} + 1 end)`;
  const rows = keys.map(
    (k) => sql`(${k.scope}, ${k.username}, ${k.ip}, 1, ${at}, ${sql`cast(${now + delayAfter(rules[k.scope], 1)} as bigint)`}, 1)`,
  );
  const result = await sql<{
    scope: ThrottleScope;
    username: string;
    ip: string;
    failures: number;
    blocked_until: number;
    verdict: number;
  }>`
    insert into ${table} (scope, username, ip, failures, last_at, blocked_until, verdict)
    values ${sql.join(rows)}
    on conflict (scope, username, ip) do update set
      failures = case when ${blocked} then ${col('failures')} else ${counted} end,
      last_at = case when ${blocked} then ${col('last_at')} else ${at} end,
      blocked_until = case when ${blocked} then ${col('blocked_until')} else ${at} + ${delaySql(rules, col('scope'), counted)} end,
      verdict = case when ${blocked} then 0 else 1 end
    returning scope, username, ip, failures, blocked_until, verdict`.execute(db.kysely);
  return result.rows.map((r) => ({
    scope: r.scope,
    username: r.username,
    ip: r.ip,
    failures: r.failures,
    blockedUntil: r.blocked_until,
    allowed: r.verdict === 1,
  }));
}

/** Gives back one counted attempt (it was not a failure); the block ends when the count falls below `free`. */
export async function refundAttempt(db: DbHandle, key: ThrottleKey, rule: ThrottleRule): Promise<void> {
  await db.kysely
    .updateTable('web_login_throttle')
    .set((eb) => ({
      failures: sql`case when ${eb.ref('failures')} > 0 then ${eb.ref('failures')} - 1 else 0 end`,
      blocked_until: sql`case when ${eb.ref('failures')} - 1 < ${rule.free} then 0 else ${eb.ref('blocked_until')} end`,
    }))
    .where('scope', '=', key.scope)
    .where('username', '=', key.username)
    .where('ip', '=', key.ip)
    .execute();
}

export async function deleteThrottle(db: DbHandle, key: ThrottleKey): Promise<number> {
  const result = await db.kysely
    .deleteFrom('web_login_throttle')
    .where('scope', '=', key.scope)
    .where('username', '=', key.username)
    .where('ip', '=', key.ip)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Every pair and username counter of a username (a password reset, or the admin clearing them all). */
export async function deleteThrottlesOfUsername(db: DbHandle, username: string): Promise<ThrottleRow[]> {
  const rows = await db.kysely
    .deleteFrom('web_login_throttle')
    .where('username', '=', username)
    .where('scope', 'in', ['pair', 'user'])
    .returningAll()
    .execute();
  return rows.map(toRow);
}

/** Deletes counters that neither block nor counted an attempt since `since` (they would start again anyway). */
export async function purgeStaleThrottles(db: DbHandle, now: number, since: number): Promise<number> {
  const result = await db.kysely
    .deleteFrom('web_login_throttle')
    .where('blocked_until', '<=', now)
    .where('last_at', '<=', since)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Counters that block now, or counted an attempt since `since`, newest first. */
export async function listThrottles(db: DbHandle, now: number, since: number, limit: number): Promise<ThrottleRow[]> {
  const rows = await db.kysely
    .selectFrom('web_login_throttle')
    .selectAll()
    .where((eb) => eb.or([eb('blocked_until', '>', now), eb.and([eb('last_at', '>', since), eb('failures', '>', 0)])]))
    .orderBy('last_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toRow);
}

function toRow(r: { scope: string; username: string; ip: string; failures: number; last_at: number; blocked_until: number }): ThrottleRow {
  return {
    scope: r.scope as ThrottleScope,
    username: r.username,
    ip: r.ip,
    failures: r.failures,
    lastAt: r.last_at,
    blockedUntil: r.blocked_until,
  };
}

/** Whether this username logged in from this address since `since` (its soft per-username limit spares such addresses). */
export async function succeededFrom(db: DbHandle, username: string, ip: string, since: number): Promise<boolean> {
  const row = await db.kysely
    .selectFrom('web_login_attempts')
    .select('id')
    .where('username', '=', username)
    .where('ip', '=', ip)
    .where('succeeded', '=', 1)
    .where('at', '>', since)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
