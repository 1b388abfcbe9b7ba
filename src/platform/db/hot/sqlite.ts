/**
 * The hot statements on SQLite: fixed texts (better-sqlite3 prepares each once, ../sqlite.ts keeps it),
 * rows passed as one JSON array read with json_each, so a group of any size is one statement.
 */
import type { HotStatements } from './statements.js';
import { INBOUND_COLUMNS, NOTIFICATION_COLUMNS, PART_COLUMNS, jsonRows, runHot } from './statements.js';

/** `value->>0, value->>1, …`: the row's columns out of its JSON array. */
const fromJson = (count: number) => Array.from({ length: count }, (_, i) => `value->>${i}`).join(', ');

// `where true`: SQLite reads "on conflict" after a bare "from json_each(?)" as a join constraint.
const INSERT_NOTIFICATIONS = `insert into notifications (${NOTIFICATION_COLUMNS.join(', ')})
  select ${fromJson(NOTIFICATION_COLUMNS.length)} from json_each(?) where true order by key
  on conflict (dedupe_key) do nothing returning *`;

const INSERT_INBOUND = `insert into inbound_messages (${INBOUND_COLUMNS.join(', ')})
  select ${fromJson(INBOUND_COLUMNS.length)} from json_each(?) where true order by key
  on conflict (gateway, gateway_message_id) do nothing returning gateway, gateway_message_id`;

const DOSSIERS_BY_KEYS = 'select * from dossiers where receipt_key in (select value from json_each(?))';

const SENDER_USAGE = `select sender, outcome, parsed_code, count(*) as n from inbound_messages
  where sender in (select value from json_each(?)) and received_at > ? and gateway not in (select value from json_each(?))
  group by sender, outcome, parsed_code`;

const CLAIM_DUE = `update notifications
     set status = 'sending', attempts = attempts + 1, lease_until = ?, next_attempt_at = ?, updated_at = ?
   where id in (select id from notifications
                 where status in ('pending', 'sending') and next_attempt_at <= ?
                 order by next_attempt_at limit ?)
  returning *`;

/** The claim's own row: its id and attempts, still sending (the last two parameters). */
const CLAIMED = `id = ? and status = 'sending' and attempts = ?`;

const RENEW_LEASE = `update notifications set lease_until = ?, next_attempt_at = ?, updated_at = ? where ${CLAIMED} returning id`;

const RETRY_LATER = `update notifications
     set status = 'pending', next_attempt_at = ?, lease_until = null, last_error = ?, updated_at = ?
   where ${CLAIMED}`;

const GIVE_BACK = `update notifications
     set status = 'pending', attempts = attempts - 1, next_attempt_at = ?, lease_until = null,
         last_error = coalesce(?, last_error), updated_at = ?
   where ${CLAIMED}`;

// The sent rows as [id, attempts, status, provider, provider_message_id]; delivered_at when delivered.
const MARK_SENT = `update notifications
     set status = g.status, provider = g.provider, provider_message_id = g.message_id, sent_at = ?,
         delivered_at = case g.status when 'delivered' then ? end,
         lease_until = null, last_error = null, updated_at = ?
    from (select value->>0 as id, value->>1 as attempts, value->>2 as status, value->>3 as provider,
                 value->>4 as message_id from json_each(?)) as g
   where notifications.id = g.id and notifications.status = 'sending' and notifications.attempts = g.attempts
  returning *`;

const INSERT_PARTS = `insert into provider_message_parts (${PART_COLUMNS.join(', ')})
  select ${fromJson(PART_COLUMNS.length)} from json_each(?) where true order by key
  on conflict (provider, message_id) do nothing`;

const UNMATCHED_RECEIPTS = `select * from delivery_receipts
   where notification_id is null and provider in (select value from json_each(?))
     and provider_message_id in (select value from json_each(?))
   order by id`;

export const SQLITE_HOT: HotStatements = {
  dossiersByKeys: (db, keys) => runHot(db, DOSSIERS_BY_KEYS, [JSON.stringify(keys)]),
  senderUsage: (db, senders, since, exceptGateways) =>
    runHot(db, SENDER_USAGE, [JSON.stringify(senders), since, JSON.stringify(exceptGateways)]),
  insertNotifications: (db, rows) => runHot(db, INSERT_NOTIFICATIONS, [jsonRows(rows, NOTIFICATION_COLUMNS)]),
  insertInbound: (db, rows) => runHot(db, INSERT_INBOUND, [jsonRows(rows, INBOUND_COLUMNS)]),
  claimDue: (db, limit, now, leaseUntil) => runHot(db, CLAIM_DUE, [leaseUntil, leaseUntil, now, now, limit]),
  renewLease: async (db, id, attempts, now, leaseUntil) =>
    (await runHot(db, RENEW_LEASE, [leaseUntil, leaseUntil, now, id, attempts])).length > 0,
  retryLater: async (db, id, attempts, now, nextAttemptAt, error) => {
    await runHot(db, RETRY_LATER, [nextAttemptAt, error, now, id, attempts]);
  },
  giveBack: async (db, id, attempts, now, nextAttemptAt, error) => {
    await runHot(db, GIVE_BACK, [nextAttemptAt, error, now, id, attempts]);
  },
  markSent: (db, sent, now) =>
    runHot(db, MARK_SENT, [now, now, now, JSON.stringify(sent.map((s) => [s.id, s.attempts, s.status, s.provider, s.providerMessageId]))]),
  lockKeys: async () => undefined,
  insertParts: async (db, rows) => {
    if (rows.length > 0) await runHot(db, INSERT_PARTS, [jsonRows(rows, PART_COLUMNS)]);
  },
  unmatchedReceipts: (db, providers, ids) => runHot(db, UNMATCHED_RECEIPTS, [JSON.stringify(providers), JSON.stringify(ids)]),
};
