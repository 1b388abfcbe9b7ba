import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError } from '../platform/config/config.js';
import { startSmscSimulator } from '../lib/smpp/simulator/smsc-simulator.js';
import { integerOption } from './cli-options.js';

const USAGE =
  'usage: motcua smsc-sim [--port 2775] [--control-port 2776] [--system-id motcua] [--password secret] [--receipt-delay-ms 500] ' +
  '[--throttle-percent 0] [--reject-percent 0] [--delay-ms 0] [--id-style hex|decimal] [--host 127.0.0.1]';

/** `motcua smsc-sim …`: runs the SMSC simulator until SIGINT/SIGTERM. */
export async function runSmscSimCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string' },
      'control-port': { type: 'string' },
      'system-id': { type: 'string' },
      password: { type: 'string' },
      'receipt-delay-ms': { type: 'string' },
      'throttle-percent': { type: 'string' },
      'reject-percent': { type: 'string' },
      'delay-ms': { type: 'string' },
      'id-style': { type: 'string', default: 'hex' },
    },
  });
  const idStyle = values['id-style'];
  if (idStyle !== 'hex' && idStyle !== 'decimal') throw new ConfigError(`--id-style must be hex or decimal\n${USAGE}`);
  const logger = pino({ name: 'smsc-sim', level: process.env.LOG_LEVEL ?? 'info' });
  const simulator = await startSmscSimulator({
    host: values.host!,
    port: integerOption(values.port, 'port', 2775, 65535, USAGE),
    controlPort: integerOption(values['control-port'], 'control-port', 2776, 65535, USAGE),
    ...(values['system-id'] === undefined ? {} : { systemId: values['system-id'] }),
    ...(values.password === undefined ? {} : { password: values.password }),
    receiptDelayMs: integerOption(values['receipt-delay-ms'], 'receipt-delay-ms', 500, 3_600_000, USAGE),
    idStyle,
    faults: {
      throttlePercent: integerOption(values['throttle-percent'], 'throttle-percent', 0, 100, USAGE),
      rejectPercent: integerOption(values['reject-percent'], 'reject-percent', 0, 100, USAGE),
      delayMs: integerOption(values['delay-ms'], 'delay-ms', 0, 600_000, USAGE),
    },
    logger,
  });
  logger.info(
    { host: values.host, port: simulator.port, controlPort: simulator.controlPort, idStyle, faults: simulator.faults },
    'SMSC simulator listening',
  );

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal, stats: simulator.stats() }, 'SMSC simulator stopping');
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void simulator.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
