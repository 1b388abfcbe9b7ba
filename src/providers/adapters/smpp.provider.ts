import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.js';
import type { Metrics } from '../../platform/metrics.js';
import { EsmeSession, type BindStyle, type EsmeTiming, type SubmitRequest, type SubmitResult } from '../../lib/smpp/session/index.js';
import { SmppError, type SmppSessionObserver } from '../../lib/smpp/types.js';
import { DATA_CODING, MESSAGE_STATE, NPI, TON, type Address } from '../../lib/smpp/pdu.js';
import { splitForSmpp, type SmppDataCoding, type SmppPart } from '../../lib/smpp/udh.js';
import {
  Provider,
  ProviderError,
  type OutgoingMessage,
  type ProviderQueryAnswer,
  type ProviderSink,
  type SendOutcome,
} from '../provider.js';

export interface SmppOptions {
  readonly host: string;
  readonly port: number;
  readonly systemId: string;
  readonly password: string;
  readonly systemType: string;
  readonly bind: BindStyle;
  readonly window: number;
  /** submit_sm per second per bind; 0 = no limit. */
  readonly tps: number;
  /** Alphanumeric sender (brandname) used when a message carries none. */
  readonly source: string;
  /** Short code that look-up replies come from when a message carries none. */
  readonly shortCode: string;
  readonly shortCodeTon: number;
  readonly shortCodeNpi: number;
  readonly enquireLinkSeconds: number;
}

const DEFAULT_PORT = 2775;
const QUERY_KEYS = new Set([
  'bind',
  'window',
  'tps',
  'source',
  'shortCode',
  'shortCodeTon',
  'shortCodeNpi',
  'systemType',
  'enquireLinkSeconds',
]);

function integerParam(params: URLSearchParams, key: string, fallback: number, min: number, max: number): number {
  const raw = params.get(key);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`SMPP URL: ${key}=${raw} must be an integer from ${min} to ${max}`);
  return value;
}

/**
 * `smpp://systemId:password@host:port?bind=transceiver|tx_rx&window=100&tps=0&source=MotcuaSMS&shortCode=8083
 * &shortCodeTon=0&shortCodeNpi=1&systemType=&enquireLinkSeconds=30`. Throws an Error naming what is wrong.
 */
export function parseSmppUrl(input: string): SmppOptions {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new Error('SMPP URL is not a URL; expected smpp://systemId:password@host:port');
  }
  if (url.protocol !== 'smpp:') throw new Error(`SMPP URL must start with smpp:// (got ${url.protocol}//)`);
  if (url.hostname === '') throw new Error('SMPP URL has no host');
  const systemId = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  if (systemId === '') throw new Error('SMPP URL has no system_id (smpp://systemId:password@host:port)');
  if (systemId.length > 15) throw new Error(`SMPP URL: system_id "${systemId}" is longer than 15 characters`);
  if (password.length > 8) throw new Error('SMPP URL: the password is longer than 8 characters (SMPP 3.4 allows 8)');
  if (url.pathname !== '' && url.pathname !== '/') throw new Error(`SMPP URL: unexpected path ${url.pathname}`);
  for (const key of url.searchParams.keys()) {
    if (!QUERY_KEYS.has(key)) throw new Error(`SMPP URL: unknown parameter "${key}"; known: ${[...QUERY_KEYS].join(', ')}`);
  }
  const params = url.searchParams;
  const bind = params.get('bind') ?? 'transceiver';
  if (bind !== 'transceiver' && bind !== 'tx_rx') throw new Error(`SMPP URL: bind=${bind} must be transceiver or tx_rx`);
  const systemType = params.get('systemType') ?? '';
  if (systemType.length > 12) throw new Error('SMPP URL: systemType is longer than 12 characters');
  const source = params.get('source') || 'MotcuaSMS';
  if (source.length > 11) throw new Error(`SMPP URL: source "${source}" is longer than the 11 characters of an alphanumeric sender`);
  const shortCode = params.get('shortCode') || '8083';
  if (!/^[0-9]{1,20}$/.test(shortCode)) throw new Error(`SMPP URL: shortCode "${shortCode}" must be digits`);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? DEFAULT_PORT : Number(url.port),
    systemId,
    password,
    systemType,
    bind,
    window: integerParam(params, 'window', 100, 1, 10_000),
    tps: integerParam(params, 'tps', 0, 0, 100_000),
    source,
    shortCode,
    shortCodeTon: integerParam(params, 'shortCodeTon', TON.UNKNOWN, 0, 6),
    shortCodeNpi: integerParam(params, 'shortCodeNpi', NPI.ISDN, 0, 18),
    enquireLinkSeconds: integerParam(params, 'enquireLinkSeconds', 30, 1, 3600),
  };
}

export interface SmppProviderDeps {
  readonly sink: ProviderSink;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Stamps the MOs handed to the sink. */
  readonly clock?: Clock;
  /** Session timings other than the enquire_link period (tests, tuning). */
  readonly timing?: Partial<EsmeTiming>;
}

/** Sends SMS over SMPP 3.4 and hands receipts and MOs arriving on the same binds to the sink. */
export class SmppProvider extends Provider {
  readonly channel = 'sms';
  readonly session: EsmeSession;
  private reference = Math.floor(Math.random() * 256);

  constructor(
    readonly name: string,
    private readonly options: SmppOptions,
    deps: SmppProviderDeps,
  ) {
    super(deps.logger, deps.metrics);
    this.session = new EsmeSession(
      {
        host: options.host,
        port: options.port,
        systemId: options.systemId,
        password: options.password,
        systemType: options.systemType,
        bind: options.bind,
        window: options.window,
        tps: options.tps,
        timing: { enquireLinkMs: options.enquireLinkSeconds * 1000, ...deps.timing },
      },
      {
        providerName: name,
        sink: deps.sink,
        logger: deps.logger.child({ provider: name }),
        observer: metricsObserver(deps.metrics, name),
        ...(deps.clock ? { clock: deps.clock } : {}),
      },
    );
  }

  /** Connects and binds (idempotent). Call at start-up so MOs and receipts arrive before the first send. */
  override start(): void {
    this.session.start();
  }

  override get inFlightLimit(): number {
    return this.options.window;
  }

  override get bound(): boolean {
    return this.session.isBound;
  }

  protected async deliver(message: OutgoingMessage): Promise<SendOutcome> {
    this.start();
    const { dataCoding, parts } = this.split(message);
    const ids: string[] = [];
    // Parts go one after the other: when one fails the rest are not sent, and the retry sends them all again.
    for (const part of parts) {
      const { messageId } = await this.submit({
        source: this.sourceAddress(message),
        destination: destinationAddress(message),
        esmClass: part.esmClass,
        dataCoding,
        registeredDelivery: 1,
        shortMessage: part.shortMessage,
      });
      if (messageId !== null) ids.push(messageId);
    }
    return { status: 'sent', providerMessageId: ids[0] ?? null, partIds: ids };
  }

  override get canQuery(): boolean {
    return true;
  }

  /**
   * query_sm: DELIVERED → delivered; UNDELIVERABLE, EXPIRED, REJECTED, DELETED → failed; ENROUTE,
   * ACCEPTED, UNKNOWN → pending; an SMSC that cannot say (RQUERYFAIL, no query_sm) → null.
   */
  override async query(providerMessageId: string, message: Pick<OutgoingMessage, 'kind' | 'from'>): Promise<ProviderQueryAnswer | null> {
    let result: Awaited<ReturnType<EsmeSession['query']>>;
    try {
      result = await this.session.query(providerMessageId, this.sourceAddress(message));
    } catch (error) {
      if (error instanceof SmppError) throw new ProviderError(error.message, error.retryable, error.reason, error.attempted);
      throw error;
    }
    if (result === null) return null;
    const errorCode = result.errorCode === 0 ? null : String(result.errorCode);
    const providerStatus = result.stateName ?? String(result.messageState);
    switch (result.messageState) {
      case MESSAGE_STATE.DELIVERED:
        return { status: 'delivered', providerStatus, errorCode };
      case MESSAGE_STATE.UNDELIVERABLE:
      case MESSAGE_STATE.EXPIRED:
      case MESSAGE_STATE.REJECTED:
      case MESSAGE_STATE.DELETED:
        return { status: 'failed', providerStatus, errorCode };
      default:
        return { status: 'pending', providerStatus, errorCode };
    }
  }

  override async close(): Promise<void> {
    await this.session.close();
  }

  /** The longest close() can take (the last submit_sm answer waited for, then the unbind). */
  override get closeTimeoutMs(): number {
    return this.session.closeTimeoutMs;
  }

  /** The session's SmppError becomes the product's ProviderError (same reason, retryable and attempted). */
  private async submit(request: SubmitRequest): Promise<SubmitResult> {
    try {
      return await this.session.submit(request);
    } catch (error) {
      if (error instanceof SmppError) throw new ProviderError(error.message, error.retryable, error.reason, error.attempted);
      throw error;
    }
  }

  /** data_coding 0 for gsm7 bodies, 8 for the rest; the parts share one concatenation reference. */
  private split(message: OutgoingMessage): { dataCoding: SmppDataCoding; parts: SmppPart[] } {
    if (message.body === '') throw new ProviderError('empty message body', false, 'empty_message');
    this.reference = (this.reference + 1) % 256;
    if (message.encoding === 'gsm7') {
      try {
        return { dataCoding: DATA_CODING.GSM, parts: splitForSmpp(message.body, DATA_CODING.GSM, this.reference) };
      } catch (error) {
        // prepareSms marks only GSM text gsm7; should anything else slip through, Unicode still delivers it.
        this.logger.warn(
          { provider: this.name, notificationId: message.id, err: (error as Error).message },
          'gsm7 body is not GSM: sent as UCS-2',
        );
      }
    }
    try {
      return { dataCoding: DATA_CODING.UCS2, parts: splitForSmpp(message.body, DATA_CODING.UCS2, this.reference) };
    } catch (error) {
      throw new ProviderError((error as Error).message, false, 'invalid_message');
    }
  }

  /**
   * Notifications come from the brandname (alphanumeric, TON 5 NPI 0). Look-up replies come from the
   * short code the citizen texted; TON 0 (unknown) NPI 1 (ISDN) by default, which is what Vietnamese
   * SMSCs route a 4-digit service number with (TON 3 is refused by some as RINVSRCTON).
   */
  private sourceAddress(message: Pick<OutgoingMessage, 'kind' | 'from'>): Address {
    if (message.kind === 'lookup_reply') {
      return { ton: this.options.shortCodeTon, npi: this.options.shortCodeNpi, addr: message.from || this.options.shortCode };
    }
    return { ton: TON.ALPHANUMERIC, npi: NPI.UNKNOWN, addr: message.from || this.options.source };
  }
}

/**
 * A reply to an MO goes back to the MO's source exactly as the SMSC gave it (address, TON, NPI: "456"
 * included). Otherwise `+84912345678` (or `84912345678`) → `84912345678`, international TON 1 NPI 1.
 */
function destinationAddress(message: Pick<OutgoingMessage, 'to' | 'toTon' | 'toNpi'>): Address {
  const to = message.to;
  if (message.toTon !== undefined && message.toTon !== null && message.toNpi !== undefined && message.toNpi !== null) {
    // An SMPP source_addr is at most 20 octets; anything else did not come from an SMSC.
    if (to === '' || to.length > 20 || !/^[\x20-\x7e]+$/.test(to))
      throw new ProviderError(`destination ${JSON.stringify(to)} is not an SMPP address`, false, 'invalid_destination');
    return { ton: message.toTon, npi: message.toNpi, addr: to };
  }
  const digits = to.trim().replace(/^\+/, '');
  if (!/^[1-9][0-9]{6,14}$/.test(digits))
    throw new ProviderError(`destination ${JSON.stringify(to)} is not an international number`, false, 'invalid_destination');
  return { ton: TON.INTERNATIONAL, npi: NPI.ISDN, addr: digits };
}

function metricsObserver(metrics: Metrics, provider: string): SmppSessionObserver {
  return {
    event: (event) => metrics.smppEvents.inc({ provider, event }),
    gauges: (bound, windowInUse) => {
      metrics.smppBound.set({ provider }, bound);
      metrics.smppWindowInUse.set({ provider }, windowInUse);
    },
  };
}
