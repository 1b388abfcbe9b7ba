/**
 * A fake SMS aggregator (a real HTTP server on 127.0.0.1) recording what the HTTP adapters send and
 * answering as scripted, and the helpers of the adapter tests (test/providers/adapters/).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pino } from 'pino';
import { createMetrics } from '../../src/platform/metrics.js';
import { ProviderError, type OutgoingMessage } from '../../src/providers/provider.js';
import { freePort } from './wait.js';

export const logger = pino({ level: 'silent' });
export const metrics = createMetrics({ defaultMetrics: false });

export const VIETNAMESE =
  'TB: Hồ sơ của quý ông/bà (MS: 000.00.18.H32-240501-0001) đã được giải quyết xong. Mời ông/bà đến Bộ phận Một cửa UBND phường Lộc Thọ để nhận kết quả.';

export const message = (overrides: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  id: 4711,
  kind: 'result_ready',
  channel: 'sms',
  to: '+84912345678',
  from: 'UBND-KHANHHOA',
  body: VIETNAMESE,
  encoding: 'ucs2',
  segments: 3,
  carrier: 'vinaphone',
  ...overrides,
});

export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly remotePort: number | undefined;
}

/** A real HTTP server on an ephemeral port that answers with whatever the test sets and records what it got. */
export class Aggregator {
  private server!: Server;
  requests: Recorded[] = [];
  answer: (res: ServerResponse, request: Recorded) => void = (res) => res.end();
  private held: ServerResponse[] = [];
  /** Server-side sockets by the client's port, to see what the client does with its connections. */
  readonly sockets = new Map<number, Socket>();

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const recorded = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          remotePort: req.socket.remotePort,
        };
        this.requests.push(recorded);
        this.answer(res, recorded);
      });
    });
    this.server.on('connection', (socket: Socket) => this.sockets.set(socket.remotePort!, socket));
    // long enough that a pause on a busy machine cannot close an idle keep-alive connection under a test
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get base(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  json(status: number, body: unknown): void {
    this.answer = (res) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  }

  raw(status: number, body: string, contentType = 'text/html'): void {
    this.answer = (res) => res.writeHead(status, { 'content-type': contentType }).end(body);
  }

  /** Never answers, until the test ends. */
  hang(): void {
    this.answer = (res) => this.held.push(res);
  }

  reset(): void {
    this.requests = [];
    for (const res of this.held.splice(0)) res.destroy();
  }

  async stop(): Promise<void> {
    this.reset();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export async function failure(promise: Promise<unknown>): Promise<{ retryable: boolean; reason: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProviderError, `a ProviderError, got ${String(error)}`);
    return { retryable: error.retryable, reason: error.reason };
  }
  assert.fail('the send should have failed');
}

/** A URL on a port where nothing listens. */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}/send`;
}
