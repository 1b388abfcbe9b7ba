/**
 * Readiness (`/readyz`, `/healthz`): the database answers and the providers this process opened are
 * bound. Never hangs: a probe that has not answered within `timeoutMs` is a 503, and while it is still
 * running no second one starts (a frozen database does not pile up probes). An answer is reused for
 * `cacheMs`, so a load balancer polling every process often costs one `select 1` a second at most.
 */
import { type Db, ping, probeWrite } from '../db/database.js';
import { dbFailureOf } from '../db/failure.js';

/** What readiness needs from the provider pool (src/providers, a layer above): the providers started in
 *  this process that keep a connection (SMPP) and have none bound now, and the channels left with none. */
export interface ProviderBinds {
  unbound(): { readonly providers: readonly string[]; readonly channelsDown: readonly string[] };
}

export type ReadinessAnswer =
  | { readonly ready: true; readonly database: string; readonly unboundProviders: readonly string[] }
  | {
      readonly ready: false;
      readonly code: 'DATABASE_UNAVAILABLE' | 'PROVIDERS_UNBOUND';
      readonly message: string;
      readonly reason: string;
      readonly unboundProviders: readonly string[];
    };

export interface ReadinessOptions {
  readonly timeoutMs: number;
  readonly cacheMs: number;
}

export class Readiness {
  private cached: { at: number; answer: ReadinessAnswer } | null = null;
  private probing: Promise<ReadinessAnswer> | null = null;

  constructor(
    private readonly db: Db,
    private readonly providers: ProviderBinds | null,
    private readonly options: ReadinessOptions,
    private readonly now: () => number = Date.now,
  ) {}

  async check(): Promise<ReadinessAnswer> {
    const started = this.now();
    if (this.cached && started - this.cached.at < this.options.cacheMs) return this.cached.answer;
    this.probing ??= this.probe().finally(() => {
      this.probing = null;
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<ReadinessAnswer>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            ready: false,
            code: 'DATABASE_UNAVAILABLE',
            message: `Cơ sở dữ liệu không phản hồi trong ${this.options.timeoutMs} ms.`,
            reason: 'timeout',
            unboundProviders: [],
          }),
        this.options.timeoutMs,
      );
    });
    const answer = await Promise.race([this.probing, timedOut]).finally(() => clearTimeout(timer));
    this.cached = { at: this.now(), answer };
    return answer;
  }

  private async probe(): Promise<ReadinessAnswer> {
    const binds = this.providers?.unbound() ?? { providers: [], channelsDown: [] };
    const outage = this.db.health.current();
    try {
      if (outage?.kind === 'corrupt') throw Object.assign(new Error(outage.message), { code: outage.code });
      // Reads work on a full disk: only a committed write tells that space is back.
      if (outage?.kind === 'disk_full') await probeWrite(this.db, this.now());
      else await ping(this.db);
    } catch (error) {
      const failure = dbFailureOf(error);
      return {
        ready: false,
        code: 'DATABASE_UNAVAILABLE',
        message: 'Cơ sở dữ liệu không khả dụng.',
        reason: failure ? `${failure.kind}${failure.code ? ` (${failure.code})` : ''}` : ((error as Error).message ?? String(error)),
        unboundProviders: binds.providers,
      };
    }
    if (binds.channelsDown.length > 0) {
      return {
        ready: false,
        code: 'PROVIDERS_UNBOUND',
        message: `Không có nhà cung cấp nào đang kết nối cho kênh ${binds.channelsDown.join(', ')}.`,
        reason: `unbound: ${binds.providers.join(', ')}`,
        unboundProviders: binds.providers,
      };
    }
    return { ready: true, database: this.db.dialect, unboundProviders: binds.providers };
  }
}
