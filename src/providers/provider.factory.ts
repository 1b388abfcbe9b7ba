/** Builds the provider pool from the configured providers (config file or env short form). */
import type { Logger } from 'pino';
import { systemClock } from '../platform/clock.js';
import type { Config } from '../platform/config/config.js';
import { ConfigError } from '../platform/config/config.js';
import type { Metrics } from '../platform/metrics.js';
import type { ProviderSpec } from '../platform/config/provider-file.js';
import type { Provider, ProviderSink } from './provider.js';
import { ProviderPool } from './provider.pool.js';
import { SandboxProvider } from './adapters/sandbox.provider.js';
import { SmppProvider, parseSmppUrl } from './adapters/smpp.provider.js';
import { HttpSmsProvider, parseHttpSmsOptions } from './adapters/http.provider.js';
import { EsmsProvider, esmsCallbackUrl, parseEsmsOptions } from './adapters/esms.provider.js';
import { SpeedSmsProvider, parseSpeedSmsOptions } from './adapters/speedsms.provider.js';
import { KannelProvider, kannelDlrUrl, parseKannelOptions } from './adapters/kannel.provider.js';
import { EmailProvider, parseEmailOptions } from './adapters/email.provider.js';
import { ZaloZnsProvider, parseZaloOptions } from './adapters/zalo/zalo.provider.js';
import type { Db } from '../platform/db/database.js';

export interface ProviderDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Where SMPP sessions hand receipts and MOs. */
  readonly sink: ProviderSink;
  /** Where providers keep shared state (the Zalo OA tokens). */
  readonly db: Db;
}

/** Our receipt URL for the provider unless the file sets one: it needs the provider's receipt secret. */
function withReceiptUrl(
  spec: ProviderSpec,
  key: 'callbackUrl' | 'dlrUrl',
  build: (base: string, secret: string) => string,
  publicBaseUrl: string,
): Record<string, unknown> {
  if (spec.options[key] !== undefined || !spec.receiptSecret) return { ...spec.options };
  return { ...spec.options, [key]: build(publicBaseUrl, spec.receiptSecret) };
}

function buildProvider(spec: ProviderSpec, config: Config, deps: ProviderDeps): Provider {
  const { logger, metrics } = deps;
  const where = `provider "${spec.name}"`;
  switch (spec.type) {
    case 'sandbox':
      return new SandboxProvider(
        spec.name,
        spec.channel,
        { delayMs: config.sms.sandboxDelayMs, journalPath: config.sms.sandboxJournal },
        logger,
        metrics,
      );
    case 'smpp': {
      const url = spec.options.url;
      if (typeof url !== 'string') throw new Error(`${where}: options.url must be smpp://systemId:password@host:port`);
      // Session timers are wall-clock network timing, never business time: the session keeps the system clock.
      return new SmppProvider(spec.name, parseSmppUrl(url), { sink: deps.sink, logger, metrics });
    }
    case 'http':
      return new HttpSmsProvider(spec.name, parseHttpSmsOptions(spec.options, where), logger, metrics);
    case 'esms':
      return new EsmsProvider(
        spec.name,
        parseEsmsOptions(withReceiptUrl(spec, 'callbackUrl', esmsCallbackUrl, config.sms.publicBaseUrl), where),
        logger,
        metrics,
      );
    case 'speedsms':
      return new SpeedSmsProvider(spec.name, parseSpeedSmsOptions(spec.options, where), logger, metrics);
    case 'kannel':
      return new KannelProvider(
        spec.name,
        parseKannelOptions(withReceiptUrl(spec, 'dlrUrl', kannelDlrUrl, config.sms.publicBaseUrl), where),
        logger,
        metrics,
      );
    case 'email':
      return new EmailProvider(spec.name, parseEmailOptions(spec.options, where), logger, metrics);
    case 'zalo_zns':
      return new ZaloZnsProvider(spec.name, parseZaloOptions(spec.options, where), deps.db, logger, metrics);
  }
}

export function createProviderPool(config: Config, deps: ProviderDeps): ProviderPool {
  const built: { spec: ProviderSpec; provider: Provider }[] = [];
  try {
    for (const spec of config.sms.providers) built.push({ spec, provider: buildProvider(spec, config, deps) });
  } catch (error) {
    for (const { provider } of built) void provider.close();
    throw error instanceof ConfigError ? error : new ConfigError(`MOTCUA_CONFIG_FILE / MOTCUA_SMPP_URL: ${(error as Error).message}`);
  }
  return new ProviderPool(
    built.map(({ spec, provider }) => ({
      provider,
      channel: spec.channel,
      priority: spec.priority,
      weight: spec.weight,
      ...(spec.carriers ? { carriers: spec.carriers } : {}),
      tps: spec.tps,
    })),
    // Rate limits and health intervals are wall-clock network timing, not business time.
    { clock: systemClock, logger: deps.logger, metrics: deps.metrics },
  );
}
