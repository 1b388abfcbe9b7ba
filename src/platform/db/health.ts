/**
 * What the database has been doing lately, as seen by every statement this process ran: up, or in an
 * *episode* of outage since some instant. The driver wrappers in database.ts report each statement; an
 * episode is logged once when it starts (naming the database, the code and what it means) and once when
 * it ends — never per statement, so a full disk is one clear line, not thousands.
 *
 * An episode ends with the first statement that succeeds at least a second after the last failure (the
 * connections of a pool break one after the other: no flapping up and down while they do), except:
 *  - a full disk ends only with a committed write (reads keep working on a full disk), at once;
 *  - corruption never ends by itself (restore the file and restart): readiness stays red.
 */
import type { Logger } from 'pino';
import { type DbFailure, type DbFailureKind, dbFailureOf } from './failure.js';

export interface DbOutage {
  readonly kind: DbFailureKind;
  readonly code: string;
  readonly message: string;
  readonly since: number;
  /** Failed statements (and connection attempts) in this episode. */
  readonly failures: number;
}

const MEANING: Record<DbFailureKind, string> = {
  unavailable: 'the database cannot be reached; requests get 503 and loops back off until it answers again',
  timeout: 'the database did not answer in time; requests get 503 and loops back off until it answers again',
  disk_full: 'the disk is full: writes are refused (503) until space is freed, then resume by themselves',
  busy: 'the database stayed locked past the busy timeout; requests get 503 until it frees up',
  corrupt: 'the database file is damaged: restore it from a backup (`motcua check` tells what is wrong) and restart',
};

/** An episode ends only this long after its last failure. */
const QUIET_MS = 1_000;

export class DbHealth {
  private outage: DbOutage | null = null;
  private lastFailureAt = 0;
  private logger: Logger | null = null;
  private readonly listeners = new Set<(up: boolean) => void>();

  constructor(
    /** `file:/path/motcua.db` or `postgres://host:port/db` (never a password). */
    readonly target: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The database is opened before the logger is known; episodes before this are not logged. */
  setLogger(logger: Logger): void {
    this.logger = logger;
  }

  onChange(listener: (up: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The current outage, or null while the database is up. */
  current(): DbOutage | null {
    return this.outage;
  }

  /** Records a failed statement; returns what kind of outage it is, or null for any other error. */
  failed(error: unknown): DbFailure | null {
    const failure = dbFailureOf(error);
    if (!failure) return null;
    this.lastFailureAt = this.now();
    const outage = this.outage;
    // Corruption outranks the rest: a damaged file does not become merely busy.
    if (outage && (outage.kind === failure.kind || outage.kind === 'corrupt')) {
      this.outage = { ...outage, failures: outage.failures + 1 };
      return failure;
    }
    this.outage = { kind: failure.kind, code: failure.code, message: failure.message, since: this.now(), failures: 1 };
    this.logger?.error(
      { database: this.target, kind: failure.kind, code: failure.code, reason: failure.message },
      `database unavailable (${failure.code || failure.kind}): ${MEANING[failure.kind]}`,
    );
    if (!outage) for (const listener of this.listeners) listener(false);
    return failure;
  }

  /** Records a statement that worked; `wrote` when it committed a change. */
  succeeded(wrote: boolean): void {
    const outage = this.outage;
    if (!outage || outage.kind === 'corrupt' || (outage.kind === 'disk_full' && !wrote)) return;
    if (outage.kind !== 'disk_full' && this.now() - this.lastFailureAt < QUIET_MS) return;
    this.outage = null;
    this.logger?.info(
      {
        database: this.target,
        kind: outage.kind,
        code: outage.code,
        failures: outage.failures,
        seconds: Math.round((this.now() - outage.since) / 1000),
      },
      'database available again',
    );
    for (const listener of this.listeners) listener(true);
  }
}
