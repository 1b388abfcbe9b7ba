import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError } from '../../platform/config/config.js';
import { startZaloSimulator, type PhoneBehaviour } from './zalo-sim.js';
import { integerOption } from '../cli-options.js';

const USAGE =
  'usage: motcua zalo-sim [--port 8765] [--host 127.0.0.1] [--app-id sim-app] [--app-secret sim-app-secret] ' +
  '[--oa-secret sim-oa-secret] [--refresh-token sim-refresh-token] [--webhook-url http://127.0.0.1:3000/webhooks/zalo] ' +
  '[--delivery-delay-ms 1000] [--answer-delay-ms 0] [--access-token-seconds 90000] [--error 84912345678=-118 …] [--no-delivery 84912345678 …]';

/** `motcua zalo-sim …`: Zalo's OAuth and ZNS APIs as documented, with signed delivery webhooks, until SIGINT/SIGTERM. */
export async function runZaloSimCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string' },
      'app-id': { type: 'string', default: 'sim-app' },
      'app-secret': { type: 'string', default: 'sim-app-secret' },
      'oa-secret': { type: 'string', default: 'sim-oa-secret' },
      'refresh-token': { type: 'string', default: 'sim-refresh-token' },
      'webhook-url': { type: 'string' },
      'delivery-delay-ms': { type: 'string' },
      'answer-delay-ms': { type: 'string' },
      'access-token-seconds': { type: 'string' },
      error: { type: 'string', multiple: true },
      'no-delivery': { type: 'string', multiple: true },
    },
  });
  const behaviours: [string, PhoneBehaviour][] = [];
  for (const entry of values.error ?? []) {
    const [phone, code] = entry.split('=');
    if (!phone || !/^-?\d+$/.test(code ?? '')) throw new ConfigError(`--error must look like 84912345678=-118\n${USAGE}`);
    behaviours.push([phone, { error: Number(code) }]);
  }
  for (const phone of values['no-delivery'] ?? []) behaviours.push([phone, { noDelivery: true }]);
  const logger = pino({ name: 'zalo-sim', level: process.env.LOG_LEVEL ?? 'info' });
  const simulator = await startZaloSimulator({
    host: values.host!,
    port: integerOption(values.port, 'port', 8765, 65535, USAGE),
    appId: values['app-id']!,
    appSecret: values['app-secret']!,
    oaSecretKey: values['oa-secret']!,
    refreshToken: values['refresh-token']!,
    accessTokenSeconds: integerOption(values['access-token-seconds'], 'access-token-seconds', 90_000, 10 * 86_400, USAGE),
    webhookUrl: values['webhook-url'] ?? null,
    // Without a webhook there is nobody to tell: no delivery events are scheduled.
    deliveryDelayMs: values['webhook-url'] ? integerOption(values['delivery-delay-ms'], 'delivery-delay-ms', 1000, 3_600_000, USAGE) : null,
    answerDelayMs: integerOption(values['answer-delay-ms'], 'answer-delay-ms', 0, 60_000, USAGE),
  });
  for (const [phone, behaviour] of behaviours) simulator.setPhone(phone, behaviour);
  logger.info(
    { url: simulator.url, oauthUrl: simulator.oauthUrl, webhookUrl: values['webhook-url'] ?? null, phones: behaviours.length },
    'Zalo simulator listening: use its url as baseUrl and oauthUrl in the zalo_zns provider',
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal, sends: simulator.sends.length, ...simulator.stats }, 'Zalo simulator stopping');
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void simulator.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
