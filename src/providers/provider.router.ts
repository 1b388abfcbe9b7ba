import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { ConfigError } from '../config.js';
import type { Metrics } from '../http/metrics.js';
import type { NotificationRow } from '../notifications/notification.repository.js';
import type { ProviderRouter } from '../notifications/notification.dispatcher.js';
import type { Provider } from './provider.js';
import { SandboxProvider } from './sandbox.provider.js';

/** One provider per channel. Several providers with failover replace this when the SMS transport lands. */
export class ChannelRouter implements ProviderRouter {
  constructor(private readonly byChannel: Readonly<Record<'sms' | 'email', Provider | null>>) {}

  providerFor(message: NotificationRow): Provider | null {
    return this.byChannel[message.channel] ?? null;
  }

  async close(): Promise<void> {
    for (const provider of new Set(Object.values(this.byChannel))) await provider?.close();
  }
}

export function createProviderRouter(config: Config, logger: Logger, metrics: Metrics): ChannelRouter {
  if (config.sms.provider !== 'sandbox') {
    throw new ConfigError(`MOTCUA_SMS_PROVIDER=${config.sms.provider} is not available in this build; use sandbox`);
  }
  const sandbox = { delayMs: config.sms.sandboxDelayMs, journalPath: config.sms.sandboxJournal };
  return new ChannelRouter({
    sms: new SandboxProvider('sms', sandbox, logger, metrics),
    email: new SandboxProvider('email', sandbox, logger, metrics),
  });
}
