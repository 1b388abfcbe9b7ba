import nodemailer from 'nodemailer';
import type { NodemailerError, SMTPPoolOptions, SMTPPoolSentMessageInfo, Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { ConfigError } from '../../platform/config/config.js';
import type { Metrics } from '../../platform/metrics.js';
import { ConfigReader } from './config-reader.js';
import { Provider, ProviderError, type OutgoingMessage, type SendOutcome } from '../provider.js';

export interface EmailOptions {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (port 465); false uses STARTTLS when the server offers it. */
  readonly secure: boolean;
  readonly auth: { readonly user: string; readonly pass: string } | null;
  /** The sender, an address or `Name <address>`. */
  readonly from: string;
  /** The right-hand side of our Message-IDs; the sender's domain unless set. */
  readonly messageIdDomain: string;
  readonly maxConnections: number;
  readonly timeoutMs: number;
}

const SENDER_DOMAIN = /@([^@\s<>]+)>?\s*$/;

export function parseEmailOptions(raw: unknown, path = 'email'): EmailOptions {
  const config = ConfigReader.of(raw, path).allowOnly([
    'host',
    'port',
    'secure',
    'auth',
    'from',
    'messageIdDomain',
    'maxConnections',
    'timeoutMs',
  ]);
  const secure = config.boolean('secure', false);
  const from = config.string('from');
  const senderDomain = SENDER_DOMAIN.exec(from)?.[1];
  if (!senderDomain) throw new ConfigError(`${path}.from must be an e-mail address or "Name <address>"`);
  const auth = config.optionalObject('auth')?.allowOnly(['user', 'pass']);
  return {
    host: config.string('host'),
    port: config.integer('port', secure ? 465 : 587, 1, 65_535),
    secure,
    auth: auth ? { user: auth.string('user'), pass: auth.text('pass', '') } : null,
    from,
    messageIdDomain: config.string('messageIdDomain', senderDomain),
    maxConnections: config.integer('maxConnections', 3, 1, 50),
    timeoutMs: config.integer('timeoutMs', 30_000, 100, 300_000),
  };
}

/** One Message-ID per notification, the same on every attempt, so a retried e-mail is recognisable as one. */
export function emailMessageId(notificationId: number, domain: string): string {
  return `<thong-bao-${notificationId}@${domain}>`;
}

const SUBJECTS: Readonly<Record<string, string>> = {
  result_ready: 'Hồ sơ của ông/bà đã có kết quả',
  result_ready_postal: 'Hồ sơ của ông/bà đã có kết quả, gửi qua bưu chính',
  result_ready_online: 'Hồ sơ của ông/bà đã có kết quả trực tuyến',
  supplement_required: 'Hồ sơ của ông/bà cần bổ sung',
  apology: 'Thư xin lỗi: hồ sơ chưa có kết quả đúng hẹn',
  overdue_warning: 'Hồ sơ của ông/bà có thể trễ hẹn',
  received_online: 'Đã tiếp nhận hồ sơ trực tuyến của ông/bà',
  received_postal: 'Đã tiếp nhận hồ sơ gửi qua bưu chính của ông/bà',
  clock_stopped: 'Hồ sơ tạm dừng giải quyết để chờ bổ sung',
  clock_resumed: 'Hồ sơ của ông/bà tiếp tục được giải quyết',
  refused: 'Hồ sơ không đủ điều kiện giải quyết',
  withdrawn: 'Hồ sơ đã được rút theo đề nghị của ông/bà',
};

export function emailSubject(kind: string): string {
  const subject = SUBJECTS[kind];
  if (subject) return subject;
  return kind.startsWith('lookup_') ? 'Kết quả tra cứu hồ sơ' : 'Thông báo từ Bộ phận Một cửa';
}

/**
 * SMTP replies say what to do: 4xx is temporary; 5xx is final (except 503, a session out of step,
 * which a new connection cures); 535 is our credentials. No reply at all (refused, timed out, TLS)
 * means the message never got to the server, so it is retried.
 */
function smtpError(provider: string, error: NodemailerError): ProviderError {
  const code = error.responseCode;
  const detail = `${provider}: ${error.response ?? error.message}`;
  if (error.code === 'EAUTH' || code === 535) return new ProviderError(detail, false, 'provider_auth');
  if (code !== undefined && code >= 500 && code !== 503) return new ProviderError(detail, false, 'email_rejected');
  if (code !== undefined && code >= 400) return new ProviderError(detail, true, 'email_deferred');
  if (error.code === 'EENVELOPE' || error.code === 'EMESSAGE') return new ProviderError(detail, false, 'email_rejected');
  return new ProviderError(`${provider}: ${error.code ?? 'error'} ${error.message}`, true, 'email_unreachable');
}

/** Notifications by e-mail over a pooled SMTP connection; the body is the message text, diacritics kept. */
export class EmailProvider extends Provider {
  readonly channel = 'email' as const;
  private readonly transport: Transporter<SMTPPoolSentMessageInfo, SMTPPoolOptions>;

  constructor(
    readonly name: string,
    private readonly options: EmailOptions,
    logger: Logger,
    metrics: Metrics,
  ) {
    super(logger, metrics);
    const pool: SMTPPoolOptions & { pool: true } = {
      pool: true,
      host: options.host,
      port: options.port,
      secure: options.secure,
      maxConnections: options.maxConnections,
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    };
    if (options.auth) pool.auth = { user: options.auth.user, pass: options.auth.pass };
    this.transport = nodemailer.createTransport(pool);
  }

  protected async deliver(message: OutgoingMessage): Promise<SendOutcome> {
    const messageId = emailMessageId(message.id, this.options.messageIdDomain);
    try {
      await this.transport.sendMail({
        from: this.options.from,
        to: message.to,
        subject: emailSubject(message.kind),
        text: message.body,
        messageId,
      });
    } catch (error) {
      throw smtpError(this.name, error as NodemailerError);
    }
    return { status: 'sent', providerMessageId: messageId };
  }

  override async close(): Promise<void> {
    this.transport.close();
  }
}
