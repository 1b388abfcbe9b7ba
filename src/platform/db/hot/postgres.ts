/**
 * The hot statements on PostgreSQL: each a `pg` named prepared statement (the `/*hot:<name>*\/` mark,
 * see ../postgres.ts), parsed and planned once per connection; rows go in as one JSON array
 * (json_array_elements), so a group of any size is one statement and one round trip.
 */
import type { HotStatements } from './statements.js';
import { INBOUND_COLUMNS, NOTIFICATION_COLUMNS, PART_COLUMNS, jsonRows, runHot } from './statements.js';

const NOTIFICATION_TYPES: Record<(typeof NOTIFICATION_COLUMNS)[number], string> = {
  dossier_id: 'bigint',
  agency_code: 'text',
  kind: 'text',
  channel: 'text',
  dedupe_key: 'text',
  to_address: 'text',
  to_ton: 'integer',
  to_npi: 'integer',
  carrier: 'text',
  sender: 'text',
  body: 'text',
  encoding: 'text',
  segments: 'integer',
  cost_vnd: 'integer',
  status: 'text',
  failure_reason: 'text',
  last_error: 'text',
  attempts: 'integer',
  provider: 'text',
  provider_message_id: 'text',
  created_at: 'bigint',
  send_after: 'bigint',
  next_attempt_at: 'bigint',
  lease_until: 'bigint',
  sent_at: 'bigint',
  delivered_at: 'bigint',
  updated_at: 'bigint',
  fallback_of: 'bigint',
  payload: 'text',
  sms_cost_vnd: 'integer',
  deidentified_at: 'bigint',
};

const INBOUND_TYPES: Record<(typeof INBOUND_COLUMNS)[number], string> = {
  gateway: 'text',
  gateway_message_id: 'text',
  sender: 'text',
  sender_e164: 'text',
  short_code: 'text',
  text: 'text',
  outcome: 'text',
  parsed_code: 'text',
  dossier_id: 'bigint',
  fee_vnd: 'integer',
  reply: 'text',
  reply_notification_id: 'bigint',
  received_at: 'bigint',
  created_at: 'bigint',
  deidentified_at: 'bigint',
};

/** A named statement: pg prepares it on a connection the first time and reuses it after. */
const named = (name: string, text: string) => `/*hot:${name}*/ ${text}`;

/** `(r->>0)::bigint, (r->>1)::text, …`: the row's typed columns out of its JSON array. */
const fromJson = (types: readonly string[]) => types.map((type, i) => `(r->>${i})::${type}`).join(', ');

const INSERT_NOTIFICATIONS = named(
  'insert_notifications',
  `insert into notifications (${NOTIFICATION_COLUMNS.join(', ')})
   select ${fromJson(NOTIFICATION_COLUMNS.map((c) => NOTIFICATION_TYPES[c]))}
     from json_array_elements($1::json) with ordinality as e(r, n) order by n
   on conflict (dedupe_key) do nothing returning *`,
);

const INSERT_INBOUND = named(
  'insert_inbound',
  `insert into inbound_messages (${INBOUND_COLUMNS.join(', ')})
   select ${fromJson(INBOUND_COLUMNS.map((c) => INBOUND_TYPES[c]))}
     from json_array_elements($1::json) with ordinality as e(r, n) order by n
   on conflict (gateway, gateway_message_id) do nothing returning gateway, gateway_message_id`,
);

const DOSSIERS_BY_KEYS = named('dossiers_by_keys', 'select * from dossiers where receipt_key = any($1::text[])');

const SENDER_USAGE = named(
  'sender_usage',
  `select sender, outcome, parsed_code, count(*)::int as n from inbound_messages
    where sender = any($1::text[]) and received_at > $2 and gateway <> all($3::text[])
    group by sender, outcome, parsed_code`,
);

// Rows another worker is claiming are skipped (graphile-worker style).
const CLAIM_DUE = named(
  'claim_due',
  `update notifications
      set status = 'sending', attempts = attempts + 1, lease_until = $1, next_attempt_at = $1, updated_at = $2
    where id in (select id from notifications
                  where status in ('pending', 'sending') and next_attempt_at <= $2
                  order by next_attempt_at limit $3
                  for update skip locked)
   returning *`,
);

/** The claim's own row: $1 its id, $2 its attempts, still sending. */
const CLAIMED = `id = $1 and status = 'sending' and attempts = $2`;

const RENEW_LEASE = named(
  'renew_lease',
  `update notifications set lease_until = $3, next_attempt_at = $3, updated_at = $4 where ${CLAIMED} returning id`,
);

const RETRY_LATER = named(
  'retry_later',
  `update notifications
      set status = 'pending', next_attempt_at = $3, lease_until = null, last_error = $4, updated_at = $5
    where ${CLAIMED}`,
);

const GIVE_BACK = named(
  'give_back',
  `update notifications
      set status = 'pending', attempts = attempts - 1, next_attempt_at = $3, lease_until = null,
          last_error = coalesce($4::text, last_error), updated_at = $5
    where ${CLAIMED}`,
);

// The sent rows as [id, attempts, status, provider, provider_message_id]; delivered_at when delivered.
const MARK_SENT = named(
  'mark_sent',
  `update notifications n
      set status = g.status, provider = g.provider, provider_message_id = g.message_id, sent_at = $2,
          delivered_at = case g.status when 'delivered' then $2::bigint end,
          lease_until = null, last_error = null, updated_at = $2
     from (select (r->>0)::bigint as id, (r->>1)::integer as attempts, r->>2 as status, r->>3 as provider,
                  r->>4 as message_id from json_array_elements($1::json) as e(r)) as g
    where n.id = g.id and n.status = 'sending' and n.attempts = g.attempts
   returning n.*`,
);

const PART_TYPES: Record<(typeof PART_COLUMNS)[number], string> = {
  provider: 'text',
  message_id: 'text',
  notification_id: 'bigint',
  part: 'integer',
  status: 'text',
  provider_status: 'text',
  error_code: 'text',
  updated_at: 'bigint',
};

const INSERT_PARTS = named(
  'insert_parts',
  `insert into provider_message_parts (${PART_COLUMNS.join(', ')})
   select ${fromJson(PART_COLUMNS.map((c) => PART_TYPES[c]))} from json_array_elements($1::json) as e(r)
   on conflict (provider, message_id) do nothing`,
);

// unnest yields the keys in array order, so every transaction locks them in the order given.
const LOCK_KEYS = named('lock_keys', 'select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest($1::text[]) as k');

const UNMATCHED_RECEIPTS = named(
  'unmatched_receipts',
  `select * from delivery_receipts
    where notification_id is null and provider = any($1::text[]) and provider_message_id = any($2::text[])
    order by id`,
);

export const POSTGRES_HOT: HotStatements = {
  dossiersByKeys: (db, keys) => runHot(db, DOSSIERS_BY_KEYS, [keys]),
  senderUsage: (db, senders, since, exceptGateways) => runHot(db, SENDER_USAGE, [senders, since, exceptGateways]),
  insertNotifications: (db, rows) => runHot(db, INSERT_NOTIFICATIONS, [jsonRows(rows, NOTIFICATION_COLUMNS)]),
  insertInbound: (db, rows) => runHot(db, INSERT_INBOUND, [jsonRows(rows, INBOUND_COLUMNS)]),
  claimDue: (db, limit, now, leaseUntil) => runHot(db, CLAIM_DUE, [leaseUntil, now, limit]),
  renewLease: async (db, id, attempts, now, leaseUntil) => (await runHot(db, RENEW_LEASE, [id, attempts, leaseUntil, now])).length > 0,
  retryLater: async (db, id, attempts, now, nextAttemptAt, error) => {
    await runHot(db, RETRY_LATER, [id, attempts, nextAttemptAt, error, now]);
  },
  giveBack: async (db, id, attempts, now, nextAttemptAt, error) => {
    await runHot(db, GIVE_BACK, [id, attempts, nextAttemptAt, error, now]);
  },
  markSent: (db, sent, now) =>
    runHot(db, MARK_SENT, [JSON.stringify(sent.map((s) => [s.id, s.attempts, s.status, s.provider, s.providerMessageId])), now]),
  lockKeys: async (db, keys) => {
    if (keys.length > 0) await runHot(db, LOCK_KEYS, [keys]);
  },
  insertParts: async (db, rows) => {
    if (rows.length > 0) await runHot(db, INSERT_PARTS, [jsonRows(rows, PART_COLUMNS)]);
  },
  unmatchedReceipts: (db, providers, ids) => runHot(db, UNMATCHED_RECEIPTS, [providers, ids]),
};
