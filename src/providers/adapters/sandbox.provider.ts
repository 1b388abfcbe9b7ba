import { appendFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Channel } from '../../platform/config/provider-file.js';
import type { Metrics } from '../../platform/metrics.js';
import { Provider, type OutgoingMessage, type SendOutcome } from '../provider.js';

export interface SandboxOptions {
  /** Simulated provider latency, for demos and crash tests. */
  readonly delayMs: number;
  /** When set, every accepted message is appended as one JSON line (what a real SMSC would have received). */
  readonly journalPath: string | null;
}

/** The default provider: nothing leaves the machine; each message is recorded as delivered and shows in the API and UI. */
export class SandboxProvider extends Provider {
  private sequence = 0;

  constructor(
    readonly name: string,
    readonly channel: Channel,
    private readonly options: SandboxOptions,
    logger: Logger,
    metrics: Metrics,
  ) {
    super(logger, metrics);
  }

  protected async deliver(message: OutgoingMessage): Promise<SendOutcome> {
    if (this.options.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));
    const providerMessageId = `sandbox-${process.pid}-${Date.now().toString(36)}-${(++this.sequence).toString(36)}`;
    if (this.options.journalPath) {
      appendFileSync(
        this.options.journalPath,
        `${JSON.stringify({ id: message.id, to: message.to, kind: message.kind, providerMessageId })}\n`,
      );
    }
    return { status: 'delivered', providerMessageId };
  }
}
