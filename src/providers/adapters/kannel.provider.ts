/**
 * Kannel's smsbox HTTP interface, following the Kannel 1.4 User's Guide
 * (https://www.kannel.org/download/1.4.5/userguide-1.4.5/userguide.html), "Sending SMS messages":
 * - /cgi-bin/sendsms with username, password, from, to, text, charset, coding (0 GSM 7-bit,
 *   2 UCS-2; with coding=2 smsbox converts the text from `charset`), smsc, dlr-mask, dlr-url; or the
 *   same as a POST whose body is the text and whose X-Kannel-* headers carry the parameters;
 * - the answers of its "sendsms HTTP answers" table, as gw/smsbox.c writes them: 202 "0: Accepted
 *   for delivery", 202 "3: Queued for later delivery", 403 "Authorization failed for sendsms",
 *   403 "Not routable. Do not try again.", other 4xx for a bad request, 503 "Temporal failure,
 *   try again later.";
 * - "Delivery reports": dlr-mask bits 1 delivered, 2 failed, 4 buffered, 8 SMSC accepted,
 *   16 SMSC rejected, and the dlr-url escapes %d (report type), %A (SMSC reply), %T (time, Unix
 *   seconds), %p (receiver), %F (the SMSC's message id), %I (Kannel's own message id).
 */
import type { Logger } from 'pino';
import type { Metrics } from '../../platform/metrics.js';
import { ConfigReader } from './config-reader.js';
import {
  NUMBER_FORMATS,
  callbackField,
  callbackUrl,
  createKeepAliveAgent,
  formatRecipient,
  httpStatusError,
  requestText,
  type NumberFormat,
} from './http.shared.js';
import { Provider, ProviderError, type DeliveryReceipt, type OutgoingMessage, type SendOutcome } from '../provider.js';

export interface KannelOptions {
  /** smsbox's sendsms URL, e.g. http://127.0.0.1:13013/cgi-bin/sendsms. */
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly username: string;
  readonly password: string;
  /** Forces the SMSC connection (`smsc`); null lets Kannel route. */
  readonly smsc: string | null;
  readonly numberFormat: NumberFormat;
  /** Our delivery-report endpoint (see `kannelDlrUrl`); null asks Kannel for no reports. */
  readonly dlrUrl: string | null;
  readonly dlrMask: number;
  readonly timeoutMs: number;
}

export function parseKannelOptions(raw: unknown, path = 'kannel'): KannelOptions {
  const config = ConfigReader.of(raw, path).allowOnly([
    'url',
    'method',
    'username',
    'password',
    'smsc',
    'numberFormat',
    'dlrUrl',
    'dlrMask',
    'timeoutMs',
  ]);
  return {
    url: config.url('url'),
    method: config.oneOf('method', ['GET', 'POST'] as const, 'GET'),
    username: config.string('username'),
    password: config.text('password', ''),
    smsc: config.optionalString('smsc'),
    numberFormat: config.oneOf('numberFormat', NUMBER_FORMATS, 'msisdn'),
    dlrUrl: config.optionalUrl('dlrUrl'),
    dlrMask: config.integer('dlrMask', 31, 1, 31),
    timeoutMs: config.integer('timeoutMs', 10_000, 100, 120_000),
  };
}

/**
 * sendsms answers without an id, so the message is known by our own: this is the
 * providerMessageId we return and the one `parseKannelDlr` puts in the receipt (from `nid`).
 * Kannel splits a long text itself and reports each part with the same dlr-url, so the parts'
 * receipts all carry this one id.
 */
export function kannelMessageId(notificationId: number | string): string {
  return `kannel-${notificationId}`;
}

/** Our notification id rides in the dlr-url, so a receipt matches without Kannel's or the SMSC's ids. */
function dlrUrlFor(base: string, notificationId: number): string {
  const separator = base.includes('?') ? '&' : '?';
  return `${base}${separator}nid=${notificationId}&type=%d&reply=%A&ts=%T&to=%p&fid=%F&kid=%I`;
}

const ACCEPTED = /^(0:|3:|Sent\.)/;

export class KannelProvider extends Provider {
  readonly channel = 'sms' as const;
  private readonly agent = createKeepAliveAgent();

  constructor(
    readonly name: string,
    private readonly options: KannelOptions,
    logger: Logger,
    metrics: Metrics,
  ) {
    super(logger, metrics);
  }

  protected async deliver(message: OutgoingMessage): Promise<SendOutcome> {
    const params: Record<string, string> = {
      username: this.options.username,
      password: this.options.password,
      from: message.from,
      to: formatRecipient(message.to, this.options.numberFormat),
      coding: message.encoding === 'ucs2' ? '2' : '0',
    };
    if (this.options.smsc) params.smsc = this.options.smsc;
    if (this.options.dlrUrl) {
      params['dlr-mask'] = String(this.options.dlrMask);
      params['dlr-url'] = dlrUrlFor(this.options.dlrUrl, message.id);
    }

    const url = new URL(this.options.url);
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (this.options.method === 'GET') {
      for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
      url.searchParams.set('text', message.body);
      url.searchParams.set('charset', 'UTF-8');
    } else {
      for (const [key, value] of Object.entries(params)) headers[`x-kannel-${key}`] = value;
      headers['content-type'] = 'text/plain; charset=UTF-8';
      body = message.body;
    }

    const reply = await requestText(this.name, url, {
      method: this.options.method,
      headers,
      body,
      timeoutMs: this.options.timeoutMs,
      agent: this.agent,
    });
    const status = reply.status;
    const answer = reply.text.trim();

    if (status === 403 && /not routable/i.test(answer)) {
      throw new ProviderError(`${this.name}: HTTP 403 ${answer}`, false, 'not_routable');
    }
    const byStatus = httpStatusError(this.name, status, answer);
    if (byStatus) throw byStatus;
    if (status >= 200 && status < 300 && ACCEPTED.test(answer)) {
      if (answer.startsWith('3:'))
        this.logger.info({ provider: this.name, notificationId: message.id }, 'kannel queued the message: no SMSC connection is up');
      return { status: 'sent', providerMessageId: kannelMessageId(message.id) };
    }
    if (status >= 400 && status < 500) throw new ProviderError(`${this.name}: HTTP ${status} ${answer}`, false, 'provider_rejected');
    throw new ProviderError(`${this.name}: unexpected answer HTTP ${status} ${answer.slice(0, 200)}`, true, 'provider_bad_response');
  }

  override async close(): Promise<void> {
    await this.agent.close();
  }
}

/** The route the dlr-url points at; `:token` is the provider's callback secret. */
export const KANNEL_DLR_PATH = '/receipts/kannel';

/** What to configure as `dlrUrl`: Kannel calls it with GET; our own query string is appended per message. */
export function kannelDlrUrl(publicBaseUrl: string, secret: string): string {
  return callbackUrl(publicBaseUrl, KANNEL_DLR_PATH, secret);
}

const DLR_STATUS: Readonly<Record<string, DeliveryReceipt['status']>> = {
  '1': 'delivered',
  '2': 'failed',
  '4': 'sent',
  '8': 'sent',
  '16': 'failed',
};

/**
 * A call to our dlr-url → receipt, or null without a notification id or a known report type.
 * The status word (DELIVRD, UNDELIV, …) and error code come from the SMSC's reply (%A) when it
 * carries an SMPP receipt text ("… stat:UNDELIV err:001 …") or a rejection ("NACK/0x00000045/…").
 */
export function parseKannelDlr(provider: string, query: Readonly<Record<string, unknown>>): DeliveryReceipt | null {
  const notificationId = callbackField(query, 'nid');
  const type = callbackField(query, 'type');
  if (notificationId === null || !/^\d+$/.test(notificationId) || type === null) return null;
  const status = DLR_STATUS[type];
  if (!status) return null;
  const reply = callbackField(query, 'reply') ?? '';
  const word = /\bstat:(\w+)/i.exec(reply)?.[1];
  const error = /\berr:(\w+)/i.exec(reply)?.[1] ?? /^NACK\/([^/]+)/i.exec(reply)?.[1] ?? null;
  const ts = callbackField(query, 'ts');
  return {
    provider,
    providerMessageId: kannelMessageId(notificationId),
    status,
    providerStatus: word ? word.toUpperCase() : `type=${type}`,
    errorCode: status === 'failed' ? error : null,
    at: ts !== null && /^\d+$/.test(ts) ? Number(ts) * 1000 : null,
  };
}
