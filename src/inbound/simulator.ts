import type { DbHandle } from '../platform/db/database.js';
import { checkPhone } from '../lib/phone/phone.js';

/**
 * The phone simulator (/gia-lap) sends as this gateway, from senders in its own range — `sim:<user id>:<number>`
 * — which no gateway can deliver and no real number matches: a staff member sees and writes only the
 * threads they created, never a citizen's; its look-ups pay no fee, trip no guard and are no revenue.
 */
export const SIMULATOR_GATEWAY = 'simulator';
export function simulatorSender(userId: number, phone: string): string {
  const typed = phone.trim().slice(0, 40);
  return `sim:${userId}:${checkPhone(typed).e164 ?? typed}`;
}

/** One MO of a conversation with the short code, with the reply it got. */
export interface ThreadEntry {
  id: number;
  /** null once de-identified */
  text: string | null;
  receivedAt: number;
  reply: string | null;
  replyStatus: string | null;
}

/** The latest simulated MOs of `userId` from `phone` with their replies, oldest first (never a real number's thread). */
export async function simulatorThread(db: DbHandle, userId: number, phone: string, limit: number): Promise<ThreadEntry[]> {
  const rows = await db.kysely
    .selectFrom('inbound_messages as i')
    .leftJoin('notifications as m', 'm.id', 'i.reply_notification_id')
    .select(['i.id', 'i.text', 'i.received_at', 'i.reply', 'm.status'])
    .where('i.gateway', '=', SIMULATOR_GATEWAY)
    .where('i.sender', '=', simulatorSender(userId, phone))
    .orderBy('i.id', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse().map((r) => ({
    id: r.id,
    text: r.text,
    receivedAt: r.received_at,
    reply: r.reply,
    replyStatus: r.status ?? null,
  }));
}

/** A notification SMS the simulated number received (result ready, supplement, apology …). */
export interface InboxEntry {
  id: number;
  kind: string;
  /** null once de-identified */
  body: string | null;
  at: number;
  status: string;
}

/**
 * The notification SMS sent to `phone` (as a Vietnamese mobile number), oldest first, of `agencyCode`'s
 * dossiers when given: what staff already read in the message log, never a look-up reply (a citizen's
 * 8083 thread stays theirs).
 */
export async function simulatorInbox(db: DbHandle, phone: string, agencyCode: string | null, limit: number): Promise<InboxEntry[]> {
  const e164 = checkPhone(phone.trim().slice(0, 40)).e164;
  if (!e164) return [];
  let query = db.kysely
    .selectFrom('notifications')
    .select(['id', 'kind', 'body', 'created_at', 'sent_at', 'status'])
    .where('channel', '=', 'sms')
    .where('to_address', '=', e164)
    .where('kind', 'not like', 'lookup%')
    .where('status', '!=', 'cancelled')
    .orderBy('id', 'desc')
    .limit(limit);
  if (agencyCode) query = query.where('agency_code', '=', agencyCode);
  const rows = await query.execute();
  return rows.reverse().map((r) => ({ id: r.id, kind: r.kind, body: r.body, at: r.sent_at ?? r.created_at, status: r.status }));
}
