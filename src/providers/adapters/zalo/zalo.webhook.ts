/** Zalo's delivery webhook: signature and the one event we use (see zalo.api.ts for the documentation). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DeliveryReceipt } from '../../provider.js';

/** `mac=<hex sha256(appId + body + timestamp + oaSecretKey)>`, as Zalo sends it in X-ZEvent-Signature. */
export function zaloSignature(appId: string, rawBody: string, timestamp: string, oaSecretKey: string): string {
  return `mac=${createHash('sha256').update(`${appId}${rawBody}${timestamp}${oaSecretKey}`, 'utf8').digest('hex')}`;
}

/** Compared in constant time; the header may come with or without the `mac=` prefix. */
export function zaloSignatureMatches(expected: string, presented: string | undefined): boolean {
  if (typeof presented !== 'string') return false;
  const value = presented.trim().toLowerCase();
  const normalised = value.startsWith('mac=') ? value : `mac=${value}`;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(expected), digest(normalised));
}

export interface ZaloEvent {
  readonly eventName: string;
  readonly appId: string | null;
  /** Epoch ms of the event (the signed `timestamp`). */
  readonly timestamp: number;
  readonly msgId: string | null;
  readonly trackingId: string | null;
  readonly deliveryTime: number | null;
}

const str = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== ''
    ? value.trim()
    : typeof value === 'number' && Number.isFinite(value)
      ? String(value)
      : null;

/** The fields we read, or null when the body is not an event (no name or no timestamp). */
export function parseZaloEvent(body: unknown): ZaloEvent | null {
  if (typeof body !== 'object' || body === null) return null;
  const event = body as Record<string, unknown>;
  const name = str(event.event_name);
  const timestamp = Number(str(event.timestamp));
  if (!name || !Number.isFinite(timestamp) || timestamp <= 0) return null;
  const message = (typeof event.message === 'object' && event.message !== null ? event.message : {}) as Record<string, unknown>;
  const delivery = Number(str(message.delivery_time));
  return {
    eventName: name,
    appId: str(event.app_id),
    timestamp,
    msgId: str(message.msg_id),
    trackingId: str(message.tracking_id),
    deliveryTime: Number.isFinite(delivery) && delivery > 0 ? delivery : null,
  };
}

/** `user_received_message` → a delivery receipt for the provider's `msg_id`; other events → null. */
export function zaloReceipt(provider: string, event: ZaloEvent): DeliveryReceipt | null {
  if (event.eventName !== 'user_received_message' || !event.msgId) return null;
  return {
    provider,
    providerMessageId: event.msgId,
    status: 'delivered',
    providerStatus: 'user_received_message',
    errorCode: null,
    at: event.deliveryTime,
  };
}
