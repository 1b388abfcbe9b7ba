import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { createMetrics } from '../../../src/platform/metrics.js';
import {
  EmailProvider,
  emailMessageId,
  emailSubject,
  parseEmailOptions,
  type EmailOptions,
} from '../../../src/providers/adapters/email.provider.js';
import { ProviderError, type OutgoingMessage } from '../../../src/providers/provider.js';

const logger = pino({ level: 'silent' });
const metrics = createMetrics({ defaultMetrics: false });

const BODY =
  'TB: Hồ sơ của quý ông/bà (MS: 000.00.18.H32-240501-0001) đã được giải quyết xong. Mời ông/bà đến Bộ phận Một cửa UBND phường Lộc Thọ, thành phố Nha Trang để nhận kết quả. Trân trọng!';

const message = (overrides: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  id: 4711,
  kind: 'result_ready',
  channel: 'email',
  to: 'nguyen.van.an@example.vn',
  from: 'UBND-KHANHHOA',
  body: BODY,
  encoding: 'text',
  segments: 0,
  carrier: null,
  ...overrides,
});

interface Received {
  readonly mailFrom: string;
  readonly rcptTo: string[];
  readonly raw: string;
}

/** Replies for addresses the tests use to make the server refuse a recipient. */
const REFUSALS: Readonly<Record<string, [code: number, text: string]>> = {
  'busy@example.vn': [450, 'Requested mail action not taken: mailbox busy'],
  'full@example.vn': [452, 'Insufficient system storage'],
  'nobody@example.vn': [550, 'No such user here'],
  'spam@example.vn': [554, 'Transaction failed: policy'],
};

class SmtpSink {
  readonly received: Received[] = [];
  private server!: SMTPServer;

  async start(): Promise<void> {
    this.server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth: (auth, _session, callback) => {
        if (auth.username === 'motcua' && auth.password === 'mật-khẩu') callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
      onRcptTo: (address, _session, callback) => {
        const refusal = REFUSALS[address.address];
        if (!refusal) return callback();
        const error = Object.assign(new Error(refusal[1]), { responseCode: refusal[0] });
        callback(error);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const mailFrom = session.envelope.mailFrom;
          this.received.push({
            mailFrom: mailFrom ? mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            raw: Buffer.concat(chunks).toString('latin1'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
  }

  get port(): number {
    return (this.server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Headers unfolded and keyed in lower case; the body still transfer-encoded. */
function split(raw: string): { headers: Map<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of raw
    .slice(0, end)
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(end + 4) };
}

const quotedPrintableBytes = (text: string) =>
  text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** RFC 2047 encoded words → text; the bytes of adjacent words are joined before UTF-8 decoding. */
function decodeHeader(value: string): string {
  const bytes = value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, encoding: string, text: string) =>
      encoding.toLowerCase() === 'b' ? Buffer.from(text, 'base64').toString('latin1') : quotedPrintableBytes(text.replace(/_/g, ' ')),
    );
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function decodeBody(headers: Map<string, string>, body: string): string {
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  const bytes =
    encoding === 'base64'
      ? Buffer.from(body, 'base64').toString('latin1')
      : encoding === 'quoted-printable'
        ? quotedPrintableBytes(body)
        : body;
  return Buffer.from(bytes, 'latin1').toString('utf8').replace(/\r\n$/, '');
}

async function failure(promise: Promise<unknown>): Promise<{ retryable: boolean; reason: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProviderError, `a ProviderError, got ${String(error)}`);
    return { retryable: error.retryable, reason: error.reason };
  }
  assert.fail('the send should have failed');
}

const sink = new SmtpSink();
const options = (overrides: Partial<EmailOptions> = {}): EmailOptions => ({
  ...parseEmailOptions({
    host: '127.0.0.1',
    port: sink.port,
    secure: false,
    auth: { user: 'motcua', pass: 'mật-khẩu' },
    from: 'Bộ phận Một cửa <motcua@khanhhoa.gov.vn>',
    timeoutMs: 10_000,
  }),
  ...overrides,
});

let email: EmailProvider;
before(async () => {
  await sink.start();
  email = new EmailProvider('email', options(), logger, metrics);
});
after(async () => {
  await email.close();
  await sink.stop();
});
beforeEach(() => {
  sink.received.length = 0;
});

describe('EmailProvider over SMTP', () => {
  test('the server gets sender, recipient, a Vietnamese subject and the UTF-8 body with its diacritics', async () => {
    const outcome = await email.send(message());
    assert.deepEqual(outcome, { status: 'sent', providerMessageId: '<thong-bao-4711@khanhhoa.gov.vn>' });

    assert.equal(sink.received.length, 1);
    const [mail] = sink.received;
    assert.equal(mail?.mailFrom, 'motcua@khanhhoa.gov.vn');
    assert.deepEqual(mail?.rcptTo, ['nguyen.van.an@example.vn']);
    const { headers, body } = split(mail!.raw);
    assert.equal(headers.get('message-id'), '<thong-bao-4711@khanhhoa.gov.vn>');
    assert.equal(decodeHeader(headers.get('subject')!), 'Hồ sơ của ông/bà đã có kết quả');
    assert.equal(decodeHeader(headers.get('from')!), 'Bộ phận Một cửa <motcua@khanhhoa.gov.vn>');
    assert.equal(headers.get('to'), 'nguyen.van.an@example.vn');
    assert.match(headers.get('content-type') ?? '', /^text\/plain; charset=utf-8$/i);
    const text = decodeBody(headers, body);
    assert.equal(text, BODY);
    assert.equal(text, text.normalize('NFC'), 'precomposed diacritics arrive precomposed');
  });

  test('a retry of the same notification carries the same Message-ID', async () => {
    await email.send(message({ id: 52 }));
    await email.send(message({ id: 52 }));
    const ids = sink.received.map((mail) => split(mail.raw).headers.get('message-id'));
    assert.deepEqual(ids, ['<thong-bao-52@khanhhoa.gov.vn>', '<thong-bao-52@khanhhoa.gov.vn>']);
  });

  const refusals: [to: string, retryable: boolean, reason: string][] = [
    ['busy@example.vn', true, 'email_deferred'],
    ['full@example.vn', true, 'email_deferred'],
    ['nobody@example.vn', false, 'email_rejected'],
    ['spam@example.vn', false, 'email_rejected'],
  ];
  for (const [to, retryable, reason] of refusals) {
    test(`${REFUSALS[to]![0]} for ${to} → ${retryable ? 'retryable' : 'permanent'} ${reason}`, async () => {
      assert.deepEqual(await failure(email.send(message({ to }))), { retryable, reason });
      assert.equal(sink.received.length, 0);
    });
  }

  test('the pool still sends after a refusal', async () => {
    await failure(email.send(message({ to: 'nobody@example.vn' })));
    await email.send(message());
    assert.equal(sink.received.length, 1);
  });

  test('wrong credentials → permanent provider_auth', async () => {
    const wrong = new EmailProvider('email-wrong', options({ auth: { user: 'motcua', pass: 'sai' } }), logger, metrics);
    try {
      assert.deepEqual(await failure(wrong.send(message())), { retryable: false, reason: 'provider_auth' });
    } finally {
      await wrong.close();
    }
  });

  test('server down → retryable email_unreachable', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const down = new EmailProvider('email-down', options({ port }), logger, metrics);
    try {
      assert.deepEqual(await failure(down.send(message())), { retryable: true, reason: 'email_unreachable' });
    } finally {
      await down.close();
    }
  });
});

describe('email subjects and Message-IDs', () => {
  const subjects: [kind: string, subject: string][] = [
    ['result_ready', 'Hồ sơ của ông/bà đã có kết quả'],
    ['supplement_required', 'Hồ sơ của ông/bà cần bổ sung'],
    ['apology', 'Thư xin lỗi: hồ sơ chưa có kết quả đúng hẹn'],
    ['received_online', 'Đã tiếp nhận hồ sơ trực tuyến của ông/bà'],
    ['lookup_reply', 'Kết quả tra cứu hồ sơ'],
    ['lookup_not_found', 'Kết quả tra cứu hồ sơ'],
    ['something_new', 'Thông báo từ Bộ phận Một cửa'],
  ];
  for (const [kind, subject] of subjects) {
    test(`${kind} → ${subject}`, () => {
      assert.equal(emailSubject(kind), subject);
      assert.equal(subject, subject.normalize('NFC'));
    });
  }

  test('Message-ID is the notification id at the configured domain', () => {
    assert.equal(emailMessageId(7, 'motcua.example.vn'), '<thong-bao-7@motcua.example.vn>');
  });
});

describe('parseEmailOptions', () => {
  test('defaults: STARTTLS port 587, the sender’s domain for Message-IDs, no auth', () => {
    assert.deepEqual(parseEmailOptions({ host: 'smtp.khanhhoa.gov.vn', from: 'motcua@khanhhoa.gov.vn' }), {
      host: 'smtp.khanhhoa.gov.vn',
      port: 587,
      secure: false,
      auth: null,
      from: 'motcua@khanhhoa.gov.vn',
      messageIdDomain: 'khanhhoa.gov.vn',
      maxConnections: 3,
      timeoutMs: 30_000,
    });
  });

  test('secure defaults to port 465', () => {
    assert.equal(parseEmailOptions({ host: 'smtp.example.vn', secure: true, from: 'a@example.vn' }).port, 465);
  });

  const bad: [label: string, raw: Record<string, unknown>, message: RegExp][] = [
    ['no host', { from: 'a@example.vn' }, /email\.host must be a non-empty string/],
    ['a sender that is no address', { host: 'h', from: 'Một cửa' }, /email\.from must be an e-mail address/],
    ['a port out of range', { host: 'h', from: 'a@example.vn', port: 70_000 }, /email\.port must be an integer from 1 to 65535/],
    ['auth without user', { host: 'h', from: 'a@example.vn', auth: { pass: 'x' } }, /email\.auth\.user must be a non-empty string/],
    ['a misspelt key', { host: 'h', from: 'a@example.vn', tls: true }, /email\.tls is not a known option/],
  ];
  for (const [label, raw, pattern] of bad) {
    test(`rejects ${label}`, () => assert.throws(() => parseEmailOptions(raw), pattern));
  }
});
