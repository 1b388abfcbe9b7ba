/**
 * A wake-up signal that crosses processes on PostgreSQL, as graphile-worker and pg-boss do it: `ring(tx)`
 * sends `NOTIFY` inside the writer's transaction (PostgreSQL delivers it at commit, never on rollback)
 * and wakes this process's listeners after commit; every process that `start()`ed keeps one connection
 * in `LISTEN`. It is only a hint: the listeners poll anyway, so a lost connection or notification costs
 * at most one poll interval, never a message. On SQLite (one process) it is an in-process signal.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { sql } from 'kysely';
import type { DbHandle } from './database.js';

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

export class Signal {
  private readonly listeners = new Set<() => void>();
  private client: pg.Client | null = null;
  private stopped = true;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectMs = RECONNECT_MIN_MS;
  /** Logged once when the listening connection is lost, once when it listens again: not per attempt. */
  private lostSince: number | null = null;

  /** `channel` is a fixed identifier of ours, never user input (NOTIFY takes no bind parameters). */
  constructor(
    private readonly channel: string,
    private readonly postgresUrl: string | null,
    private readonly logger: Logger,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad signal channel "${channel}"`);
  }

  /** Wakes the listeners of every process once `tx` commits. */
  async ring(tx: DbHandle): Promise<void> {
    if (tx.dialect === 'postgres') await sql`select pg_notify(${this.channel}, '')`.execute(tx.kysely);
    tx.afterCommit(() => this.emit());
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts listening to other processes (PostgreSQL only; idempotent). */
  start(): void {
    if (!this.postgresUrl || !this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.postgresUrl!, connectionTimeoutMillis: 5_000 });
    // A listening connection that breaks (failover, restart, admin kill) is replaced; it never ends the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    client.on('notification', () => this.emit());
    try {
      await client.connect();
      await client.query(`listen ${this.channel}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.client = client;
      this.reconnectMs = RECONNECT_MIN_MS;
      if (this.lostSince !== null) {
        this.logger.info({ channel: this.channel, seconds: Math.round((Date.now() - this.lostSince) / 1000) }, 'signal listening again');
        this.lostSince = null;
      }
      // Whatever was rung while we were not listening is found by the listeners' next run.
      this.emit();
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  private lost(client: pg.Client, error: Error | null): void {
    if (this.client === client) this.client = null;
    client.removeAllListeners('end');
    void client.end().catch(() => undefined);
    if (this.stopped || this.reconnectTimer) return;
    if (error && this.lostSince === null) {
      this.lostSince = Date.now();
      this.logger.warn({ err: error.message, channel: this.channel }, 'signal connection lost; reconnecting');
    }
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, this.reconnectMs);
    this.reconnectTimer.unref();
    this.reconnectMs = Math.min(this.reconnectMs * 2, RECONNECT_MAX_MS);
  }
}
