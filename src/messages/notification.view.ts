import { vnIso } from '../lib/calendar/zone.js';
import type { NotificationJson } from '../platform/http/schemas.js';
import type { NotificationRow } from './notification.repository.js';

export function toNotificationJson(row: NotificationRow & { receipt_code?: string | null }): NotificationJson {
  return {
    id: row.id,
    receiptCode: row.receipt_code ?? receiptCodeFromKey(row.dedupe_key),
    agencyCode: row.agency_code,
    kind: row.kind,
    channel: row.channel,
    to: row.to_address,
    from: row.sender,
    body: row.body,
    encoding: row.encoding,
    segments: row.segments,
    costVnd: row.cost_vnd,
    status: row.status,
    attempts: row.attempts,
    createdAt: vnIso(row.created_at),
    sendAfter: vnIso(row.send_after),
    sentAt: vnIso(row.sent_at),
    deliveredAt: vnIso(row.delivered_at),
    failureReason: row.failure_reason,
  };
}

/** Dedupe keys start with the receipt code ("<code>|<kind>|<occurrence>"), which saves a join on listings. */
function receiptCodeFromKey(key: string): string | null {
  const bar = key.indexOf('|');
  return bar > 0 ? key.slice(0, bar) : null;
}
