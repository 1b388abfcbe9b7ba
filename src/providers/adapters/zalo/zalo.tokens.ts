/**
 * Zalo OA access tokens, shared by every process on the database (see zalo.api.ts for the OAuth v4 flow).
 *
 * Zalo's refresh tokens are single-use: a refresh answers with a new access token AND a new refresh token,
 * and the old refresh token stops working. Two processes refreshing with the same refresh token would
 * leave one of them (and, if the wrong answer were kept, everyone) locked out. So:
 * - the current refresh token lives in `zalo_tokens` (migration 0008), seeded once from the config file;
 * - a refresh is claimed in a short transaction that holds the provider's row (`SELECT … FOR UPDATE` on
 *   PostgreSQL, `BEGIN IMMEDIATE` — every transaction here — on SQLite): the claim sets `refreshing_until`,
 *   a lease as long as the OAuth call may take. Another process that finds the lease running waits for the
 *   row to change and then uses the new access token instead of refreshing. The OAuth call itself runs
 *   outside the transaction: holding SQLite's write lock across a network call would stall every writer
 *   (better-sqlite3 waits synchronously), and the lease gives the same one-at-a-time guarantee. A process that
 *   dies mid-call leaves a lease that runs out; the next claim retries with the stored refresh token.
 * - a refresh token Zalo refuses is "failed for good": recorded on the row (failed_reason), shown as a health
 *   alert (/cai-dat, /metrics), and every Zalo send fails at once so its notification falls back to SMS,
 *   until an operator puts a new refresh token in the config file (it replaces the failed one at the next use).
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { fetch, type Agent } from 'undici';
import type { Logger } from 'pino';
import { transaction, type Db, type DbHandle } from '../../../platform/db/database.js';
import { ProviderError } from '../../provider.js';

/** Refresh this long before the access token's stated expiry. */
const REFRESH_MARGIN_MS = 5 * 60_000;
/** How long a known failed-for-good state is trusted before the row is read again (another process, a new token). */
const FAILED_RECHECK_MS = 30_000;
/** When Zalo does not say how long the access token lasts: its documented lifetime, 25 hours. */
const DEFAULT_LIFETIME_S = 25 * 3600;

export interface ZaloTokenOptions {
  readonly provider: string;
  readonly appId: string;
  readonly appSecret: string;
  readonly oauthUrl: string;
  /** From the config file: used only when the database holds none yet (or holds a failed one and this differs). */
  readonly seedRefreshToken: string;
  readonly timeoutMs: number;
}

export interface ZaloTokenHealth {
  readonly provider: string;
  readonly ok: boolean;
  readonly reason: string | null;
}

interface TokenRow {
  refresh_token: string;
  seed_hash: string;
  access_token: string | null;
  access_expires_at: number | string | null;
  refreshing_until: number | string | null;
  failed_reason: string | null;
}

type RefreshAnswer =
  | { ok: true; accessToken: string; refreshToken: string; expiresAt: number }
  | { ok: false; reason: string; transient: boolean };

type Claim = { token: string; expiresAt: number } | { failed: string } | { refreshToken: string } | { wait: true };

export class ZaloTokens {
  private readonly seedHash: string;
  private access: { token: string; expiresAt: number } | null = null;
  private failed: { reason: string; at: number } | null = null;
  private inFlight: Promise<string> | null = null;
  private readonly listeners: ((health: ZaloTokenHealth) => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly options: ZaloTokenOptions,
    private readonly agent: Agent,
    private readonly logger: Logger,
  ) {
    this.seedHash = createHash('sha256').update(options.seedRefreshToken).digest('hex');
  }

  /** Told whenever the token's health changes (the metrics gauge). */
  onHealth(listener: (health: ZaloTokenHealth) => void): void {
    this.listeners.push(listener);
  }

  get health(): ZaloTokenHealth {
    return { provider: this.options.provider, ok: this.failed === null, reason: this.failed?.reason ?? null };
  }

  /** A usable access token: the cached one, the one another process stored, or a fresh one. */
  async accessToken(): Promise<string> {
    const now = Date.now();
    if (this.failed && now - this.failed.at < FAILED_RECHECK_MS) throw this.failedError(this.failed.reason);
    if (this.access && this.access.expiresAt - REFRESH_MARGIN_MS > now) return this.access.token;
    return this.refresh(this.access?.token ?? null);
  }

  /**
   * Replaces `stale` (an access token Zalo refused or that is about to expire). One refresh at a time in
   * this process; across processes the row's lease decides, and whoever comes second uses the winner's token.
   */
  refresh(stale: string | null): Promise<string> {
    this.inFlight ??= this.refreshOnce(stale).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Reads the stored state without refreshing (the settings page, and /metrics at start). */
  async load(): Promise<ZaloTokenHealth> {
    const row = await this.db.kysely.selectFrom('zalo_tokens').selectAll().where('provider', '=', this.options.provider).executeTakeFirst();
    if (row?.failed_reason && row.seed_hash === this.seedHash) this.markFailed(row.failed_reason);
    else if (row && !row.failed_reason && this.failed) {
      this.failed = null;
      this.emit();
    }
    return this.health;
  }

  private async refreshOnce(stale: string | null): Promise<string> {
    const deadline = Date.now() + this.options.timeoutMs * 3 + 5_000;
    for (;;) {
      const claim = await this.claim(stale);
      if ('token' in claim) return this.use(claim.token, claim.expiresAt);
      if ('failed' in claim) throw this.fail(claim.failed);
      if ('refreshToken' in claim) return this.finish(claim.refreshToken);
      // Another process holds the lease: wait for its answer to land in the row.
      if (Date.now() > deadline) {
        throw new ProviderError(`${this.options.provider}: another process is still refreshing the Zalo token`, true, 'zalo_token_refresh');
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Under the row lock: a token someone else already got, a failure already known, the lease (with the
   *  refresh token to use), or "wait" while another process's lease runs. */
  private claim(stale: string | null): Promise<Claim> {
    return transaction(this.db, async (tx): Promise<Claim> => {
      const row = await this.lockRow(tx);
      const now = Date.now();
      const expiresAt = row.access_expires_at === null ? null : Number(row.access_expires_at);
      if (row.failed_reason) return { failed: row.failed_reason };
      if (row.access_token && row.access_token !== stale && expiresAt !== null && expiresAt - REFRESH_MARGIN_MS > now) {
        return { token: row.access_token, expiresAt };
      }
      if (row.refreshing_until !== null && Number(row.refreshing_until) > now) return { wait: true };
      await tx.kysely
        .updateTable('zalo_tokens')
        .set({ refreshing_until: now + this.options.timeoutMs + 2_000, updated_at: now })
        .where('provider', '=', this.options.provider)
        .execute();
      return { refreshToken: row.refresh_token };
    });
  }

  /** Holds the lease: calls Zalo, stores the answer (the rotated refresh token above all), frees the lease. */
  private async finish(refreshToken: string): Promise<string> {
    const answer = await this.callOAuth(refreshToken);
    const now = Date.now();
    const update = this.db.kysely
      .updateTable('zalo_tokens')
      .where('provider', '=', this.options.provider)
      .where('refresh_token', '=', refreshToken);
    if (answer.ok) {
      await update
        .set({
          refresh_token: answer.refreshToken,
          access_token: answer.accessToken,
          access_expires_at: answer.expiresAt,
          refreshes: sql`refreshes + 1`,
          refreshing_until: null,
          failed_reason: null,
          updated_at: now,
        })
        .execute();
      this.logger.info({ provider: this.options.provider }, 'zalo access token refreshed; the rotated refresh token is stored');
      return this.use(answer.accessToken, answer.expiresAt);
    }
    if (answer.transient) {
      await update.set({ refreshing_until: null, updated_at: now }).execute();
      throw new ProviderError(`${this.options.provider}: token refresh failed (${answer.reason})`, true, 'zalo_token_refresh');
    }
    await update
      .set({ failed_reason: answer.reason, access_token: null, access_expires_at: null, refreshing_until: null, updated_at: now })
      .execute();
    throw this.fail(answer.reason);
  }

  /** The provider's row, locked; created from the config's refresh token the first time, and replaced by it
   *  when the stored one failed for good and the operator has since put a different one in the file. */
  private async lockRow(tx: DbHandle): Promise<TokenRow> {
    const now = Date.now();
    await tx.kysely
      .insertInto('zalo_tokens')
      .values({
        provider: this.options.provider,
        refresh_token: this.options.seedRefreshToken,
        seed_hash: this.seedHash,
        refreshing_until: null,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('provider').doNothing())
      .execute();
    const lock = tx.dialect === 'postgres' ? sql`for update` : sql``;
    const { rows } = await sql<TokenRow>`
      select refresh_token, seed_hash, access_token, access_expires_at, refreshing_until, failed_reason from zalo_tokens
       where provider = ${this.options.provider} ${lock}`.execute(tx.kysely);
    const row = rows[0]!;
    if (row.failed_reason && row.seed_hash !== this.seedHash) {
      const fresh = {
        refresh_token: this.options.seedRefreshToken,
        seed_hash: this.seedHash,
        access_token: null,
        access_expires_at: null,
        refreshing_until: null,
        failed_reason: null,
      };
      await tx.kysely
        .updateTable('zalo_tokens')
        .set({ ...fresh, updated_at: now })
        .where('provider', '=', this.options.provider)
        .execute();
      return fresh;
    }
    return row;
  }

  private async callOAuth(refreshToken: string): Promise<RefreshAnswer> {
    let status: number;
    let text: string;
    try {
      const response = await fetch(this.options.oauthUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', secret_key: this.options.appSecret },
        body: new URLSearchParams({ refresh_token: refreshToken, app_id: this.options.appId, grant_type: 'refresh_token' }).toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs),
        dispatcher: this.agent,
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      return { ok: false, transient: true, reason: `oauth_unreachable: ${(error as Error).name}` };
    }
    if (status === 429 || status >= 500) return { ok: false, transient: true, reason: `oauth_http_${status}` };
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return { ok: false, transient: true, reason: `oauth_http_${status}_not_json` };
    }
    const access = json.access_token;
    const refresh = json.refresh_token;
    if (typeof access === 'string' && access !== '' && typeof refresh === 'string' && refresh !== '') {
      const seconds = Number(json.expires_in);
      const lifetime = Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_LIFETIME_S;
      return { ok: true, accessToken: access, refreshToken: refresh, expiresAt: Date.now() + lifetime * 1000 };
    }
    const code = json.error ?? json.error_code ?? status;
    const name = typeof json.error_name === 'string' ? ` ${json.error_name}` : '';
    return { ok: false, transient: false, reason: `oauth_refused ${String(code)}${name}`.slice(0, 200) };
  }

  private use(token: string, expiresAt: number): string {
    this.access = { token, expiresAt };
    if (this.failed) {
      this.failed = null;
      this.emit();
    }
    return token;
  }

  private fail(reason: string): ProviderError {
    this.access = null;
    this.markFailed(reason);
    return this.failedError(reason);
  }

  private markFailed(reason: string): void {
    const was = this.failed;
    this.failed = { reason, at: Date.now() };
    if (!was) {
      this.logger.error(
        { provider: this.options.provider, reason },
        'zalo refresh token refused: Zalo notifications fall back to SMS until a new refresh token is configured',
      );
      this.emit();
    }
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.health);
  }

  private failedError(reason: string): ProviderError {
    return new ProviderError(`${this.options.provider}: no usable Zalo token (${reason})`, false, 'zalo_token_failed');
  }
}
