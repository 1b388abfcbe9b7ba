/**
 * The SMS look-up guards, per sender over the last hour: flood (look-ups, `rateLimitPerHour`, 0 = none)
 * and enumeration (distinct unknown codes tried, `unknownCodeLimitPerHour`). The phone simulator's MOs
 * are never counted.
 */
import { sql } from 'kysely';
import type { Config } from '../platform/config/config.js';
import type { DbHandle } from '../platform/db/database.js';
import { hot } from '../platform/db/hot/index.js';
import { NOT_SMS_LOOKUP_GATEWAYS } from './lookup.billing.js';

const HOUR_MS = 3_600_000;

export type GuardLimits = Pick<Config['lookup'], 'rateLimitPerHour' | 'unknownCodeLimitPerHour'>;

export interface ThrottledNumber {
  sender: string;
  lookupsLastHour: number;
  unknownCodesLastHour: number;
  reason: 'flood' | 'enumeration';
}

interface SenderUsage {
  total: number;
  unknown: Set<string>;
}

/**
 * A group of MOs' senders, their last hour read in one statement; each MO of the group is then decided
 * in arrival order and counted, as if each had been stored before the next.
 */
export class SenderGuard {
  private constructor(
    private readonly usage: Map<string, SenderUsage>,
    private readonly limits: GuardLimits,
  ) {}

  /** Per sender, the MOs of the last hour and the distinct unknown codes they tried: one (hot) statement. */
  static async load(tx: DbHandle, senders: readonly string[], now: number, limits: GuardLimits): Promise<SenderGuard> {
    const guard = new SenderGuard(new Map(), limits);
    if (senders.length === 0) return guard;
    const rows = await hot(tx).senderUsage(tx, senders, now - HOUR_MS, NOT_SMS_LOOKUP_GATEWAYS);
    for (const row of rows) {
      // Only the group's own senders match `in`; a de-identified row (sender null) never does.
      if (row.sender === null) continue;
      const used = guard.usageOf(row.sender);
      used.total += row.n;
      if (row.outcome === 'not_found' && row.parsed_code !== null) used.unknown.add(row.parsed_code);
    }
    return guard;
  }

  /** Whether `sender` may have its next look-up answered. */
  allows(sender: string): boolean {
    const used = this.usageOf(sender);
    const { rateLimitPerHour, unknownCodeLimitPerHour } = this.limits;
    return used.unknown.size <= unknownCodeLimitPerHour && (rateLimitPerHour === 0 || used.total < rateLimitPerHour);
  }

  /** Counts one MO of `sender`; `unknownCode`: the code it tried when no dossier has it. */
  count(sender: string, unknownCode: string | null): void {
    const used = this.usageOf(sender);
    used.total += 1;
    if (unknownCode !== null) used.unknown.add(unknownCode);
  }

  private usageOf(sender: string): SenderUsage {
    const found = this.usage.get(sender);
    if (found) return found;
    const fresh: SenderUsage = { total: 0, unknown: new Set<string>() };
    this.usage.set(sender, fresh);
    return fresh;
  }
}

/** Numbers throttled at `now` and why, for administrators. */
export async function throttledNumbers(db: DbHandle, now: number, limits: GuardLimits): Promise<ThrottledNumber[]> {
  const since = now - HOUR_MS;
  const rows = await db.kysely
    .selectFrom('inbound_messages')
    .select((eb) => [
      'sender',
      eb.fn.countAll<number>().as('total'),
      sql<number>`count(distinct case when outcome = 'not_found' then parsed_code end)`.as('unknown'),
    ])
    .where('received_at', '>', since)
    .where('sender', 'is not', null)
    .where('gateway', 'not in', NOT_SMS_LOOKUP_GATEWAYS)
    .groupBy('sender')
    .execute();
  const { rateLimitPerHour, unknownCodeLimitPerHour } = limits;
  return rows
    .map((r) => ({ sender: r.sender ?? '', lookupsLastHour: r.total, unknownCodesLastHour: r.unknown }))
    .flatMap((r): ThrottledNumber[] => {
      if (r.unknownCodesLastHour > unknownCodeLimitPerHour) return [{ ...r, reason: 'enumeration' as const }];
      if (rateLimitPerHour > 0 && r.lookupsLastHour >= rateLimitPerHour) return [{ ...r, reason: 'flood' as const }];
      return [];
    })
    .sort((a, b) => b.lookupsLastHour - a.lookupsLastHour);
}
