/**
 * A local stand-in for Zalo's documented APIs (see src/providers/adapters/zalo/zalo.api.ts): OAuth v4
 * refresh with rotation (each refresh token works once), the ZNS template send answering a `msg_id`,
 * answer codes chosen per phone, and `user_received_message` delivery webhooks signed as Zalo signs them.
 * Used by the tests, the demo and `motcua zalo-sim`. Nothing here is a mock of our own code.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { zaloSignature } from '../../providers/adapters/zalo/zalo.webhook.js';

export interface ZaloSimOptions {
  readonly host?: string;
  readonly port?: number;
  readonly appId: string;
  readonly appSecret: string;
  readonly oaSecretKey: string;
  /** The refresh token the operator copied from Zalo's console: the first one accepted. */
  readonly refreshToken: string;
  /** Lifetime of the access tokens it issues (Zalo: 25 hours). */
  readonly accessTokenSeconds?: number;
  /** Where delivery events are POSTed (our /webhooks/zalo); null = none. */
  readonly webhookUrl?: string | null;
  /** Delay before a delivered message's event is sent; null = only when `deliver()` is called. */
  readonly deliveryDelayMs?: number | null;
  /** Zalo under load: a send is accepted (and its delivery event scheduled) at once, answered this much later. */
  readonly answerDelayMs?: number;
}

/** What the simulator answers for one phone (`84…`): a ZNS error code, an HTTP status, or no delivery event. */
export type PhoneBehaviour =
  | { readonly error: number; readonly times?: number }
  | { readonly httpStatus: number; readonly times?: number }
  | { readonly noDelivery: true };

export interface SimSend {
  readonly msgId: string;
  readonly phone: string;
  readonly templateId: string;
  readonly templateData: Record<string, string>;
  readonly trackingId: string;
  readonly at: number;
}

export interface ZaloSimulator {
  readonly url: string;
  readonly oauthUrl: string;
  /** Every accepted send, in order (a repeated tracking_id is answered with its first msg_id and not repeated). */
  readonly sends: SimSend[];
  /** Answer-code attempts, per phone: how many requests reached the send endpoint. */
  readonly attempts: Map<string, number>;
  readonly stats: { refreshes: number; refusedRefreshes: number; tokenErrors: number };
  setPhone(phone: string, behaviour: PhoneBehaviour): void;
  /** Where delivery events go from now on (the demo learns its own address only once it listens). */
  setWebhookUrl(url: string | null): void;
  /** Invalidates every access token issued so far (Zalo revoking, or expiry): the next send answers -124. */
  expireAccessTokens(): void;
  /** Makes the current refresh token unusable (revoked in Zalo's console): refreshes fail for good. */
  revokeRefreshToken(): void;
  /** The refresh token Zalo would accept now (after rotations). */
  currentRefreshToken(): string;
  /** Sends the signed `user_received_message` event for a msg_id now; resolves to our webhook's HTTP status. */
  deliver(msgId: string, options?: { timestamp?: number; badSignature?: boolean }): Promise<number>;
  /** The signed event as it would be POSTed (for tests of the webhook). */
  event(msgId: string, timestamp?: number): { body: string; signature: string };
  close(): Promise<void>;
}

const token = () => randomBytes(24).toString('base64url');

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function answer(response: ServerResponse, status: number, json: unknown): void {
  const text = JSON.stringify(json);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export async function startZaloSimulator(options: ZaloSimOptions): Promise<ZaloSimulator> {
  let refreshToken: string | null = options.refreshToken;
  const accessTokens = new Map<string, number>();
  const phones = new Map<string, PhoneBehaviour & { used?: number }>();
  const byTracking = new Map<string, string>();
  const sends: SimSend[] = [];
  const attempts = new Map<string, number>();
  const stats = { refreshes: 0, refusedRefreshes: 0, tokenErrors: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const lifetime = options.accessTokenSeconds ?? 90_000;
  let webhookUrl = options.webhookUrl ?? null;

  function event(msgId: string, timestamp = Date.now()): { body: string; signature: string } {
    const send = sends.find((s) => s.msgId === msgId);
    const body = JSON.stringify({
      app_id: options.appId,
      event_name: 'user_received_message',
      sender: { id: 'oa-sim' },
      recipient: { id: send ? `uid-${send.phone}` : 'uid-unknown' },
      message: { msg_id: msgId, delivery_time: String(timestamp), tracking_id: send?.trackingId ?? '' },
      timestamp: String(timestamp),
    });
    return { body, signature: zaloSignature(options.appId, body, String(timestamp), options.oaSecretKey) };
  }

  async function deliver(msgId: string, extra: { timestamp?: number; badSignature?: boolean } = {}): Promise<number> {
    if (!webhookUrl) throw new Error('zalo-sim: no webhookUrl configured');
    const { body, signature } = event(msgId, extra.timestamp);
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-zevent-signature': extra.badSignature ? `mac=${'0'.repeat(64)}` : signature },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://sim');
    const body = await readBody(request);
    if (request.method === 'POST' && url.pathname === '/v4/oa/access_token') {
      const form = new URLSearchParams(body);
      if (request.headers.secret_key !== options.appSecret || form.get('app_id') !== options.appId) {
        answer(response, 200, { error: -14002, error_name: 'Invalid app', error_description: 'app_id or secret_key is wrong' });
        return;
      }
      if (form.get('grant_type') !== 'refresh_token' || !refreshToken || form.get('refresh_token') !== refreshToken) {
        stats.refusedRefreshes++;
        answer(response, 200, {
          error: -14014,
          error_name: 'Invalid refresh token',
          error_description: 'refresh token is invalid or used',
        });
        return;
      }
      stats.refreshes++;
      const access = token();
      refreshToken = token();
      accessTokens.set(access, Date.now() + lifetime * 1000);
      answer(response, 200, { access_token: access, refresh_token: refreshToken, expires_in: String(lifetime) });
      return;
    }
    if (request.method === 'POST' && url.pathname === '/message/template') {
      const access = String(request.headers.access_token ?? '');
      const expiry = accessTokens.get(access);
      if (expiry === undefined || expiry <= Date.now()) {
        stats.tokenErrors++;
        answer(response, 200, { error: -124, message: 'Access token invalid' });
        return;
      }
      let json: { phone?: string; template_id?: string; template_data?: Record<string, string>; tracking_id?: string };
      try {
        json = JSON.parse(body);
      } catch {
        answer(response, 200, { error: -122, message: 'Body format invalid' });
        return;
      }
      const phone = String(json.phone ?? '');
      attempts.set(phone, (attempts.get(phone) ?? 0) + 1);
      if (!/^84\d{9,10}$/.test(phone)) {
        answer(response, 200, { error: -108, message: 'Phone number invalid' });
        return;
      }
      if (!json.template_id) {
        answer(response, 200, { error: -109, message: 'Template ID invalid' });
        return;
      }
      const behaviour = phones.get(phone);
      if (behaviour && !('noDelivery' in behaviour) && (behaviour.times === undefined || (behaviour.used ?? 0) < behaviour.times)) {
        behaviour.used = (behaviour.used ?? 0) + 1;
        if ('httpStatus' in behaviour) answer(response, behaviour.httpStatus, { error: -100, message: 'Simulated HTTP failure' });
        else answer(response, 200, { error: behaviour.error, message: `Simulated error ${behaviour.error}` });
        return;
      }
      const tracking = String(json.tracking_id ?? '');
      const known = tracking ? byTracking.get(tracking) : undefined;
      const msgId = known ?? randomBytes(16).toString('hex');
      if (!known) {
        if (tracking) byTracking.set(tracking, msgId);
        sends.push({
          msgId,
          phone,
          templateId: json.template_id,
          templateData: json.template_data ?? {},
          trackingId: tracking,
          at: Date.now(),
        });
        const delay = options.deliveryDelayMs ?? null;
        if (delay !== null && !(behaviour && 'noDelivery' in behaviour)) {
          const timer = setTimeout(() => {
            timers.delete(timer);
            if (webhookUrl) deliver(msgId).catch(() => undefined);
          }, delay);
          timers.add(timer);
        }
      }
      if (options.answerDelayMs) await new Promise((resolve) => setTimeout(resolve, options.answerDelayMs));
      answer(response, 200, {
        error: 0,
        message: 'Success',
        data: { msg_id: msgId, sent_time: String(Date.now()), quota: { dailyQuota: '500', remainingQuota: '499' } },
      });
      return;
    }
    answer(response, 404, { error: -106, message: 'Method unsupported' });
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error) => answer(response, 500, { error: -100, message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    oauthUrl: `${url}/v4/oa/access_token`,
    sends,
    attempts,
    stats,
    setPhone: (phone, behaviour) => phones.set(phone, { ...behaviour }),
    setWebhookUrl: (url) => {
      webhookUrl = url;
    },
    expireAccessTokens: () => accessTokens.clear(),
    revokeRefreshToken: () => {
      refreshToken = null;
    },
    currentRefreshToken: () => refreshToken ?? '',
    deliver,
    event,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
