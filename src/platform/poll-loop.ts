import type { Logger } from 'pino';

/**
 * Runs `runOnce` again at once while it finds work, and every `pollMs` when it does not; `poke()` ends
 * the wait early. Pokes are gathered for `pokeDelayMs`: under load every event pokes, and each run
 * costs a claiming write.
 */
export class PollLoop {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private pokeTimer: NodeJS.Timeout | null = null;

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
        try {
          handled = await this.runOnce();
        } catch (error) {
          this.logger.error({ err: error }, `${this.options.label} failed`);
        }
        if (handled === 0 && this.running) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, this.options.pollMs);
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
}
