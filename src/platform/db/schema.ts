import type { Generated } from 'kysely';

/** Instants are stored as epoch milliseconds (bigint on PostgreSQL, integer on SQLite); flags as 0/1. */
export interface AgencyTable {
  code: string;
  name: string;
  settings: string;
  created_at: number;
  updated_at: number;
}

export interface ProcedureTable {
  code: string;
  agency_code: string;
  name: string;
  processing_days: number;
  day_kind: 'working' | 'calendar';
  supplement_rule: 'pause' | 'restart';
  created_at: number;
  updated_at: number;
}

export interface ApiTokenTable {
  id: Generated<number>;
  token_hash: string;
  role: 'admin' | 'agency' | 'oversight' | 'gateway';
  agency_code: string | null;
  label: string;
  created_at: number;
  revoked_at: number | null;
}

export interface CalendarDayTable {
  date: string;
  kind: 'holiday' | 'workday';
  name: string;
  updated_at: number;
}

export interface DossierTable {
  id: Generated<number>;
  receipt_code: string;
  receipt_key: string;
  agency_code: string;
  procedure_code: string;
  applicant_name: string | null;
  /** `applicant_name` folded for search (searchFold): no diacritics, lower case. */
  search_name: string | null;
  phone_input: string | null;
  phone_e164: string | null;
  phone_carrier: string | null;
  phone_problem: string | null;
  email: string | null;
  return_method: 'counter' | 'postal' | 'online';
  state: string;
  step: string;
  received_at: number;
  due_at: number;
  paused_at: number | null;
  finished_at: number | null;
  returned_at: number | null;
  intake_hash: string;
  event_count: number;
  created_at: number;
  updated_at: number;
  /** When its personal data was de-identified (retention job or erase request); null while held. */
  deidentified_at: number | null;
  /** An erase request that arrived while the dossier was open: honoured when it closes. */
  erase_requested_at: number | null;
}

export interface DossierEventTable {
  id: Generated<number>;
  dossier_id: number;
  seq: number;
  type: string;
  step: string | null;
  at: number;
  event_id: string | null;
  state_after: string;
  due_at_after: number;
  payload: string | null;
  created_at: number;
}

export interface NotificationTable {
  id: Generated<number>;
  dossier_id: number | null;
  agency_code: string | null;
  kind: string;
  channel: 'sms' | 'email' | 'zalo';
  dedupe_key: string;
  to_address: string | null;
  /** SMPP type of number / numbering plan of `to_address` when it is an MO's source kept as given. */
  to_ton: number | null;
  to_npi: number | null;
  carrier: string | null;
  sender: string;
  body: string | null;
  encoding: 'gsm7' | 'ucs2' | 'text';
  segments: number;
  cost_vnd: number;
  /** `unknown`: sent, but no delivery receipt came within MOTCUA_RECEIPT_TIMEOUT_SECONDS (final). */
  status: 'pending' | 'sending' | 'sent' | 'delivered' | 'failed' | 'cancelled' | 'unknown';
  failure_reason: string | null;
  last_error: string | null;
  attempts: number;
  provider: string | null;
  provider_message_id: string | null;
  created_at: number;
  send_after: number;
  next_attempt_at: number;
  lease_until: number | null;
  sent_at: number | null;
  delivered_at: number | null;
  updated_at: number;
  /** On an SMS sent because a Zalo notification could not be: that notification's id (migration 0008). */
  fallback_of: number | null;
  /** A Zalo notification's template id and data, JSON (migration 0008). */
  payload: string | null;
  /** On a Zalo notification: what the same text would have cost by SMS (migration 0008). */
  sms_cost_vnd: number | null;
  /** When recipient and body were de-identified; null while held. */
  deidentified_at: number | null;
}

export interface ZaloTokenTable {
  provider: string;
  refresh_token: string;
  seed_hash: string;
  access_token: string | null;
  access_expires_at: number | null;
  refreshes: Generated<number>;
  /** Set while one process calls Zalo's OAuth endpoint with the stored refresh token (a lease). */
  refreshing_until: number | null;
  failed_reason: string | null;
  updated_at: number;
}

export interface InboundMessageTable {
  id: Generated<number>;
  gateway: string;
  gateway_message_id: string | null;
  sender: string | null;
  sender_e164: string | null;
  short_code: string;
  text: string | null;
  outcome: 'found' | 'not_found' | 'bad_syntax' | 'rate_limited';
  parsed_code: string | null;
  dossier_id: number | null;
  fee_vnd: number;
  reply: string | null;
  reply_notification_id: number | null;
  received_at: number;
  created_at: number;
  /** When sender and text were de-identified; null while held. */
  deidentified_at: number | null;
}

export interface HealthProbeTable {
  name: string;
  checked_at: number;
  payload: string | null;
}

export interface SchedulerJobTable {
  name: string;
  last_slot: string | null;
  last_run_at: number | null;
  last_result: string | null;
}

export interface ProviderMessagePartTable {
  provider: string;
  message_id: string;
  notification_id: number;
  part: number;
  status: 'sent' | 'delivered' | 'failed';
  provider_status: string | null;
  error_code: string | null;
  updated_at: number;
}

export interface DeliveryReceiptTable {
  id: Generated<number>;
  provider: string;
  provider_message_id: string;
  notification_id: number | null;
  status: 'sent' | 'delivered' | 'failed';
  provider_status: string;
  error_code: string | null;
  done_at: number | null;
  received_at: number;
}

export interface StatusCallbackTable {
  id: Generated<number>;
  agency_code: string;
  notification_id: number;
  dedupe_key: string;
  url: string;
  payload: string;
  status: 'pending' | 'sending' | 'delivered' | 'failed';
  attempts: number;
  last_error: string | null;
  response_status: number | null;
  created_at: number;
  next_attempt_at: number;
  delivered_at: number | null;
  updated_at: number;
}

export interface AgencySecretTable {
  agency_code: string;
  callback_secret: string;
  created_at: number;
}

export interface WebUserTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  role: 'admin' | 'oversight' | 'agency_admin' | 'clerk';
  agency_code: string | null;
  password_hash: string;
  lang: 'vi' | 'en';
  disabled_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebSessionTable {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ip: string | null;
}

export interface WebLoginAttemptTable {
  id: Generated<number>;
  username: string;
  ip: string;
  succeeded: number;
  at: number;
}

export interface WebLoginThrottleTable {
  scope: string;
  username: string;
  ip: string;
  failures: number;
  last_at: number;
  blocked_until: number;
  verdict: number;
}

export interface WebAuditTable {
  id: Generated<number>;
  at: number;
  user_id: number | null;
  username: string;
  action: string;
  entity: string;
  entity_id: string | null;
  before_json: string | null;
  after_json: string | null;
  ip: string | null;
}

/** Province-wide settings: one row per key, the value as JSON text (reference/system-settings.service.ts). */
export interface SystemSettingTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface Database {
  agencies: AgencyTable;
  procedures: ProcedureTable;
  api_tokens: ApiTokenTable;
  calendar_days: CalendarDayTable;
  dossiers: DossierTable;
  dossier_events: DossierEventTable;
  notifications: NotificationTable;
  inbound_messages: InboundMessageTable;
  scheduler_jobs: SchedulerJobTable;
  health_probe: HealthProbeTable;
  zalo_tokens: ZaloTokenTable;
  provider_message_parts: ProviderMessagePartTable;
  delivery_receipts: DeliveryReceiptTable;
  status_callbacks: StatusCallbackTable;
  agency_secrets: AgencySecretTable;
  web_users: WebUserTable;
  web_sessions: WebSessionTable;
  web_login_attempts: WebLoginAttemptTable;
  web_login_throttle: WebLoginThrottleTable;
  web_audit: WebAuditTable;
  system_settings: SystemSettingTable;
}
