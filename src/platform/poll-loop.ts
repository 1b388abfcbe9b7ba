import type { Logger } from 'pino';
import { dbFailureOf } from './db/failure.js';

/** The longest wait between runs after failures in a row (database outage or not). */
const BACKOFF_MAX_MS = 5_000;

/** The wait after `failures` failed runs in a row: doubling from `pollMs` up to 5 s, with jitter (half to
 *  all of it) so that the workers of a cluster do not all come back in the same millisecond. */
export function backoffMs(failures: number, pollMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(Math.max(BACKOFF_MAX_MS, pollMs), pollMs * 2 ** Math.min(20, Math.max(0, failures - 1)));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Runs `runOnce` again at once while it finds work, and every `pollMs` when it does not; `poke()` ends
 * the wait early. Pokes are gathered for `pokeDelayMs`: under load every event pokes, and each run
 * costs a claiming write.
 *
 * A run that fails is retried after a growing wait (`backoffMs`). A database outage is logged once when
 * it starts and once when a run works again (the database's own health logs what went wrong); any other
 * failure is logged each time.
 */
export class PollLoop {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private pokeTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private outageSince: number | null = null;

  constructor(
    private readonly runOnce: () => Promise<number>,
    private readonly options: { readonly pollMs: number; readonly pokeDelayMs: number; readonly label: string },
    private readonly logger: Logger,
  ) {}

  poke(): void {
    if (!this.wake || this.pokeTimer) return;
    this.pokeTimer = setTimeout(() => {
      this.pokeTimer = null;
      this.wake?.();
    }, this.options.pokeDelayMs);
    this.pokeTimer.unref();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        let handled = 0;
        let waitMs = this.options.pollMs;
        try {
          handled = await this.runOnce();
          this.succeeded();
        } catch (error) {
          waitMs = this.failed(error);
          handled = 0;
        }
        if (handled === 0 && this.running) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, waitMs);
            this.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.wake = null;
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.pokeTimer) clearTimeout(this.pokeTimer);
    this.pokeTimer = null;
    this.wake?.();
    await this.loop;
  }

  private succeeded(): void {
    this.failures = 0;
    if (this.outageSince === null) return;
    this.logger.info(
      { loop: this.options.label, seconds: Math.round((Date.now() - this.outageSince) / 1000) },
      `${this.options.label} resumed`,
    );
    this.outageSince = null;
  }

  private failed(error: unknown): number {
    this.failures++;
    const failure = dbFailureOf(error);
    if (!failure) this.logger.error({ err: error }, `${this.options.label} failed`);
    else if (this.outageSince === null) {
      this.outageSince = Date.now();
      this.logger.warn({ loop: this.options.label, reason: failure.kind }, `${this.options.label}: database unavailable, backing off`);
    }
    return backoffMs(this.failures, this.options.pollMs);
  }
}
