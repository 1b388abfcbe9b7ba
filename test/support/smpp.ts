/**
 * An ESME session or an SmppProvider bound to the SMSC simulator on an ephemeral port, for the SMPP
 * tests: timings short enough for a quick suite and long enough for a loaded 2-core machine, a sink
 * that records receipts and MOs (and can fail like a database that is down), and waits on events
 * rather than on elapsed time. Everything started here is closed after the file's tests.
 */
import { after } from 'node:test';
import { EventEmitter } from 'node:events';
import pino from 'pino';
import type { DeliveryReceipt, InboundMo, ProviderSink } from '../../src/providers/provider.js';
import { EsmeSession, type BindStyle, type EsmeTiming, type SubmitRequest } from '../../src/lib/smpp/session/index.js';
import { startSmscSimulator, type SmscSimulator, type SmscSimulatorOptions } from '../../src/lib/smpp/simulator/smsc-simulator.js';
import { encodeGsm7 } from '../../src/lib/smpp/udh.js';
import { withTimeout } from '../../src/lib/async.js';

export const WAIT_MS = 30_000;
export const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

/** Short enough for a quick suite, long enough for a loaded 2-core machine. */
export const TIMING: Partial<EsmeTiming> = {
  enquireLinkMs: 5_000,
  enquireLinkTimeoutMs: 3_000,
  responseTimeoutMs: 5_000,
  connectTimeoutMs: 5_000,
  reconnectInitialMs: 50,
  reconnectMaxMs: 500,
  downLimitMs: 10_000,
  submitDeadlineMs: 25_000,
  throttleRetryMs: 30,
  throttleRecoveryMs: 200,
  unbindTimeoutMs: 2_000,
  housekeepingMs: 50,
};

export class RecordingSink implements ProviderSink {
  readonly events = new EventEmitter();
  readonly receipts: DeliveryReceipt[] = [];
  readonly inbounds: InboundMo[] = [];
  /** How many of the next calls fail, as with a database that is down. */
  failures = 0;

  async receipt(receipt: DeliveryReceipt): Promise<void> {
    this.record(this.receipts, receipt);
  }

  async inbound(mo: InboundMo): Promise<void> {
    this.record(this.inbounds, mo);
  }

  private record<T>(into: T[], item: T): void {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('database unavailable');
    }
    into.push(item);
    this.events.emit('change');
  }
}

/** Resolves once `check()` holds, re-checking whenever `emitter` emits one of `events`. */
export function until(emitter: EventEmitter, events: string[], check: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      for (const event of events) emitter.off(event, onEvent);
      if (error) reject(error);
      else resolve();
    };
    const onEvent = () => {
      if (check()) done();
    };
    const timer = setTimeout(() => done(new Error(`timed out waiting for ${what}`)), timeoutMs);
    for (const event of events) emitter.on(event, onEvent);
  });
}

export const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

export interface Pair {
  readonly sim: SmscSimulator;
  readonly session: EsmeSession;
  readonly sink: RecordingSink;
}

export async function startPair(
  opts: { sim?: SmscSimulatorOptions; bind?: BindStyle; window?: number; tps?: number; timing?: Partial<EsmeTiming> } = {},
): Promise<Pair> {
  const sim = await startSmscSimulator({ systemId: 'motcua', password: 'secret', receiptDelayMs: 20, enquireLinkMs: 0, ...opts.sim });
  const sink = new RecordingSink();
  const session = new EsmeSession(
    {
      host: '127.0.0.1',
      port: sim.port,
      systemId: 'motcua',
      password: 'secret',
      systemType: '',
      bind: opts.bind ?? 'transceiver',
      window: opts.window ?? 10,
      tps: opts.tps ?? 0,
      timing: { ...TIMING, ...opts.timing },
    },
    { providerName: 'smpp-test', sink, logger },
  );
  cleanups.push(async () => {
    await session.close();
    await sim.close();
  });
  session.start();
  await withTimeout(session.whenBound(), WAIT_MS, 'the session to bind');
  return { sim, session, sink };
}

export const gsm = (text: string, to = '84912345678'): SubmitRequest => ({
  source: { ton: 5, npi: 0, addr: 'MotcuaSMS' },
  destination: { ton: 1, npi: 1, addr: to },
  esmClass: 0,
  dataCoding: 0,
  registeredDelivery: 1,
  shortMessage: encodeGsm7(text),
});
