import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseProviderFile, shortFormProviders, type ProviderFile, type ProviderSpec } from './provider-file.js';

/** How long the service waits on the database before it answers 503 instead (see the README). */
export interface DatabaseTimeouts {
  /** Opening a PostgreSQL connection (pg's connectionTimeoutMillis). */
  readonly connectMs: number;
  /** Waiting for a pooled PostgreSQL connection, opening one included. */
  readonly acquireMs: number;
  /** PostgreSQL's statement_timeout: the server cancels a longer statement (57014); 0 = none. */
  readonly statementMs: number;
  /** Client-side limit on one statement (pg's query_timeout): catches a server that stopped answering
   *  altogether, when statement_timeout cannot fire; the connection is then dropped. 0 = none. */
  readonly queryMs: number;
  /** SQLite's busy_timeout: how long a write waits for another process's lock before SQLITE_BUSY. */
  readonly sqliteBusyMs: number;
}

export const DEFAULT_DB_TIMEOUTS: DatabaseTimeouts = Object.freeze({
  connectMs: 5_000,
  acquireMs: 10_000,
  statementMs: 15_000,
  queryMs: 20_000,
  sqliteBusyMs: 10_000,
});

export type DatabaseConfig =
  | { readonly dialect: 'sqlite'; readonly path: string; readonly url: string; readonly timeouts: DatabaseTimeouts }
  | {
      readonly dialect: 'postgres';
      readonly url: string;
      readonly poolSize: number;
      readonly timeouts: DatabaseTimeouts;
      /** MOTCUA_PG_SYNCHRONOUS_COMMIT_NOTIFICATIONS: `off` commits the notification path's transactions
       *  (sent and failed updates, delivery receipts) without waiting for the WAL flush; `on` (default) waits. */
      readonly notificationSynchronousCommit?: 'on' | 'off';
    };

export interface Config {
  readonly port: number;
  readonly host: string;
  /** HOST was set: demo mode keeps it; otherwise demo mode listens on 127.0.0.1 only. */
  readonly hostExplicit: boolean;
  /** `serve --demo`: published sample accounts and data, a DEMO banner on every page, sandbox SMS only. */
  readonly demo: boolean;
  readonly database: DatabaseConfig;
  /** Run `motcua check` (PRAGMA quick_check, or PostgreSQL's table scan) before serving; refuse to start on a problem. */
  readonly databaseCheckAtStart: boolean;
  /** /readyz and /healthz: the longest a probe may take before the answer is 503, and how long an answer is reused. */
  readonly readiness: { readonly timeoutMs: number; readonly cacheMs: number };
  readonly adminToken: string | null;
  readonly logLevel: string;
  readonly lookup: {
    readonly keyword: string;
    readonly shortCode: string;
    readonly feeVnd: number;
    /** look-ups per sending number per hour; 0 = no limit */
    readonly rateLimitPerHour: number;
    /** unknown codes per number per hour before the number is throttled */
    readonly unknownCodeLimitPerHour: number;
    readonly replyWhenRateLimited: boolean;
    /** look-ups per client address per minute, one budget for the public page and the JSON API */
    readonly webRateLimitPerMinute: number;
    /** distinct unknown codes per client address per hour before the address is refused (web); 0 = no guard */
    readonly webUnknownCodeLimitPerHour: number;
    /** shared secret of the eSMS-style aggregator MO callback; null = that callback is off */
    readonly aggregatorSecret: string | null;
  };
  readonly sms: {
    /** `sandbox` when nothing leaves the machine (demo, phone simulator); else the first SMS provider's type. */
    readonly provider: string;
    readonly brandname: string;
    /** price per segment in VND, by carrier; `default` for the rest */
    readonly pricePerSegmentVnd: Readonly<Record<string, number>>;
    /** Price of one Zalo (ZNS) notification in VND (MOTCUA_ZALO_PRICE_VND). */
    readonly zaloPriceVnd: number;
    /** Every provider, from the config file or the env short form. */
    readonly providers: readonly ProviderSpec[];
    /** How providers reach us (delivery-report callback URLs), e.g. https://sms.tinh.gov.vn */
    readonly publicBaseUrl: string;
    /** simulated latency of the sandbox provider (demos, crash tests) */
    readonly sandboxDelayMs: number;
    /** where the sandbox appends what it "sent", one JSON line per message */
    readonly sandboxJournal: string | null;
  };
  /** `batchSize` and `concurrency` null: derived from the providers' windows (messages/send/dispatch-sizing.ts). */
  readonly dispatcher: {
    readonly enabled: boolean;
    readonly batchSize: number | null;
    readonly pollMs: number;
    readonly leaseSeconds: number;
    readonly maxAttempts: number;
    readonly maxAgeSeconds: number;
    readonly concurrency: number | null;
  };
  readonly scheduler: { readonly enabled: boolean };
  /** Dossier intakes and events committed in groups (GroupedTransactions): at most `groupSize` per
   *  transaction, gathered for `groupDelayMs`. Default on SQLite 64 (one writer: a commit per request is
   *  what it pays for most), on PostgreSQL 1 (a transaction each, in parallel on the pool). */
  readonly ingest: { readonly groupSize: number; readonly groupDelayMs: number };
  /** A `sent` message with no delivery receipt after `timeoutSeconds` becomes final `unknown` (reason `no_receipt`). */
  readonly receipts: { readonly timeoutSeconds: number; readonly sweepMs: number };
  /** How long personal data is kept (Law 91/2025/QH15; docs/personal-data.md), in days, and the job's batch size. */
  readonly retention: RetentionSettings;
  /** Whom citizens contact about their data, shown on /quyen-rieng-tu (MOTCUA_PRIVACY_CONTACT); null: the receiving agency. */
  readonly privacyContact: string | null;
  readonly statusCallbacks: {
    readonly pollMs: number;
    readonly timeoutMs: number;
    readonly maxAttempts: number;
    readonly batchSize: number;
  };
  readonly bodyLimitBytes: number;
  /** Which X-Forwarded-For hops to believe (per-address limits and audit rows see the address this gives):
   *  false = none, a list of proxy addresses/CIDR ranges, a hop count, or true = every hop (spoofable). */
  readonly trustProxy: TrustProxy;
  /** Prometheus metrics: on their own listener bound to 127.0.0.1, and/or on the public port behind a
   *  bearer token; with neither, /metrics is not served. */
  readonly metrics: { readonly port: number | null; readonly host: string; readonly token: string | null };
}

export type TrustProxy = boolean | number | readonly string[];

export interface RetentionSettings {
  /** Applicant name, numbers and e-mail: days after the dossier's last change in a final state. */
  readonly dossierDays: number;
  /** Recipient and body of a message: days after its final status. */
  readonly messageDays: number;
  /** MO sender numbers and texts: days after receipt. */
  readonly inboundDays: number;
  /** Login attempts (user name, address) and expired sessions' addresses: days. */
  readonly loginAttemptDays: number;
  /** Client addresses in audit rows (the rows stay): days. */
  readonly auditAddressDays: number;
  /** Rows per transaction: each batch holds its locks only this long. */
  readonly batchSize: number;
}

export const DEFAULT_RETENTION: RetentionSettings = Object.freeze({
  dossierDays: 90,
  messageDays: 90,
  inboundDays: 90,
  loginAttemptDays: 30,
  auditAddressDays: 365,
  batchSize: 500,
});

function retention(env: Env): RetentionSettings {
  const days = (name: string, fallback: number, min: number) => integer(env, name, fallback, min, 3650);
  return {
    // At least 7 days: a complaint about a message must still find its recipient and text.
    dossierDays: days('MOTCUA_RETENTION_DOSSIER_DAYS', DEFAULT_RETENTION.dossierDays, 7),
    messageDays: days('MOTCUA_RETENTION_MESSAGE_DAYS', DEFAULT_RETENTION.messageDays, 7),
    inboundDays: days('MOTCUA_RETENTION_INBOUND_DAYS', DEFAULT_RETENTION.inboundDays, 7),
    // The lockout reads the last half hour of attempts; one day is the shortest that keeps it whole.
    loginAttemptDays: days('MOTCUA_RETENTION_LOGIN_DAYS', DEFAULT_RETENTION.loginAttemptDays, 1),
    auditAddressDays: days('MOTCUA_RETENTION_AUDIT_IP_DAYS', DEFAULT_RETENTION.auditAddressDays, 30),
    batchSize: integer(env, 'MOTCUA_RETENTION_BATCH', DEFAULT_RETENTION.batchSize, 1, 10_000),
  };
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  return optionalInteger(env, name, min, max) ?? fallback;
}

/** Null when unset: the default is decided later, from what is known then. */
function optionalInteger(env: Env, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  }
  return value;
}

/** `on` (default) or `off`: PostgreSQL's synchronous_commit for one path's transactions. */
function synchronousCommit(env: Env, name: string): 'on' | 'off' {
  const value = env[name]?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'on') return 'on';
  if (value === 'off') return 'off';
  throw new ConfigError(`${name} must be "on" or "off"`);
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address or CIDR range as proxy-addr (Fastify's trustProxy) takes it. */
function isProxyAddress(item: string): boolean {
  if (NAMED_RANGES.has(item)) return true;
  const [address = '', bits, extra] = item.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n >= 0 && n <= (family === 4 ? 32 : 128);
}

function trustProxy(env: Env): TrustProxy {
  const name = 'MOTCUA_TRUST_PROXY';
  const raw = env[name]?.trim();
  if (!raw || /^(0|false|no|off)$/i.test(raw)) return false;
  if (/^(true|yes|on)$/i.test(raw)) return true;
  if (/^\d+$/.test(raw)) return integer(env, name, 0, 1, 20);
  const list = raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const bad = list.find((item) => !isProxyAddress(item));
  if (bad !== undefined || list.length === 0) {
    throw new ConfigError(
      `${name} must list the reverse proxies' addresses or CIDR ranges (e.g. "127.0.0.1,10.0.0.0/8"), or give a hop count (e.g. 1); got "${bad ?? raw}"`,
    );
  }
  return list;
}

function optionalSecret(env: Env, name: string): string | null {
  const value = env[name]?.trim() || null;
  if (value !== null && value.length < 16) throw new ConfigError(`${name} must be at least 16 characters long`);
  return value;
}

export function parseDatabaseUrl(
  url: string,
  poolSize = 10,
  timeouts: DatabaseTimeouts = DEFAULT_DB_TIMEOUTS,
  notificationSynchronousCommit: 'on' | 'off' = 'on',
): DatabaseConfig {
  if (url.startsWith('file:')) {
    const path = url.slice('file:'.length);
    if (!path) throw new ConfigError('DATABASE_URL=file:<path> needs a path, e.g. file:./data/motcua.db');
    return Object.freeze({ dialect: 'sqlite', path, url, timeouts });
  }
  if (url === ':memory:') return Object.freeze({ dialect: 'sqlite', path: ':memory:', url, timeouts });
  if (/^postgres(ql)?:\/\//.test(url))
    return Object.freeze({ dialect: 'postgres', url, poolSize, timeouts, notificationSynchronousCommit });
  throw new ConfigError(`DATABASE_URL must be file:<path> or postgres://… (got "${url}")`);
}

function databaseTimeouts(env: Env): DatabaseTimeouts {
  const statementMs = integer(env, 'MOTCUA_DB_STATEMENT_TIMEOUT_MS', DEFAULT_DB_TIMEOUTS.statementMs, 0, 3_600_000);
  const queryFallback = statementMs === 0 ? 0 : statementMs + 5_000;
  return Object.freeze({
    connectMs: integer(env, 'MOTCUA_DB_CONNECT_TIMEOUT_MS', DEFAULT_DB_TIMEOUTS.connectMs, 100, 600_000),
    acquireMs: integer(env, 'MOTCUA_DB_ACQUIRE_TIMEOUT_MS', DEFAULT_DB_TIMEOUTS.acquireMs, 100, 600_000),
    statementMs,
    queryMs: integer(env, 'MOTCUA_DB_QUERY_TIMEOUT_MS', queryFallback, 0, 3_600_000),
    sqliteBusyMs: integer(env, 'MOTCUA_SQLITE_BUSY_TIMEOUT_MS', DEFAULT_DB_TIMEOUTS.sqliteBusyMs, 0, 600_000),
  });
}

function priceTable(raw: string | undefined): Record<string, number> {
  const table: Record<string, number> = { default: 750 };
  if (!raw) return table;
  for (const pair of raw.split(',')) {
    const [carrier, price] = pair.split('=');
    const value = Number(price);
    if (!carrier || !Number.isFinite(value) || value < 0) {
      throw new ConfigError(`MOTCUA_SMS_PRICE_VND must look like "default=750,viettel=800" (got "${raw}")`);
    }
    table[carrier.trim().toLowerCase()] = value;
  }
  return table;
}

function readProviderFile(path: string): ProviderFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`MOTCUA_CONFIG_FILE points to "${path}", which cannot be read`);
  }
  try {
    return parseProviderFile(text, path);
  } catch (error) {
    throw new ConfigError(`MOTCUA_CONFIG_FILE: ${(error as Error).message}`);
  }
}

/** Parses and validates the environment once; the result is frozen and passed to whatever needs it. */
export function loadConfig(env: Env = process.env): Config {
  const provider = env.MOTCUA_SMS_PROVIDER?.trim() || 'sandbox';
  const configFile = env.MOTCUA_CONFIG_FILE?.trim() || null;
  const file = configFile === null ? null : readProviderFile(configFile);
  const providers = file?.providers ?? shortFormProviders(provider, env.MOTCUA_SMPP_URL?.trim() || null);
  if (typeof providers === 'string') throw new ConfigError(providers);
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const publicBaseUrl = (env.MOTCUA_PUBLIC_URL?.trim() || file?.publicBaseUrl || `http://localhost:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+/.test(publicBaseUrl))
    throw new ConfigError(`MOTCUA_PUBLIC_URL must be an http(s) URL (got "${publicBaseUrl}")`);
  const adminToken = optionalSecret(env, 'MOTCUA_ADMIN_TOKEN');
  const keyword = (env.MOTCUA_LOOKUP_KEYWORD?.trim() || 'MCKH').toUpperCase();
  if (!/^[A-Z0-9]{2,16}$/.test(keyword)) throw new ConfigError('MOTCUA_LOOKUP_KEYWORD must be 2–16 letters or digits');
  const shortCode = env.MOTCUA_SHORT_CODE?.trim() || '8083';
  if (!/^\d{3,6}$/.test(shortCode)) throw new ConfigError('MOTCUA_SHORT_CODE must be 3–6 digits');

  const database = parseDatabaseUrl(
    env.DATABASE_URL?.trim() || 'file:./data/motcua.db',
    integer(env, 'MOTCUA_PG_POOL', 10, 1, 200),
    databaseTimeouts(env),
    synchronousCommit(env, 'MOTCUA_PG_SYNCHRONOUS_COMMIT_NOTIFICATIONS'),
  );

  const config: Config = {
    port,
    host: env.HOST?.trim() || '0.0.0.0',
    hostExplicit: Boolean(env.HOST?.trim()),
    demo: false,
    database,
    databaseCheckAtStart: flag(env, 'MOTCUA_DB_CHECK', false),
    readiness: {
      timeoutMs: integer(env, 'MOTCUA_READY_TIMEOUT_MS', 1_500, 50, 10_000),
      cacheMs: integer(env, 'MOTCUA_READY_CACHE_MS', 1_000, 0, 60_000),
    },
    adminToken,
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    lookup: {
      keyword,
      shortCode,
      feeVnd: integer(env, 'MOTCUA_LOOKUP_FEE_VND', 1000),
      rateLimitPerHour: integer(env, 'MOTCUA_LOOKUP_RATE_LIMIT', 60),
      unknownCodeLimitPerHour: integer(env, 'MOTCUA_LOOKUP_UNKNOWN_LIMIT', 5, 1),
      replyWhenRateLimited: flag(env, 'MOTCUA_LOOKUP_REPLY_WHEN_LIMITED', true),
      webRateLimitPerMinute: integer(env, 'MOTCUA_WEB_LOOKUP_RATE_LIMIT', 30),
      webUnknownCodeLimitPerHour: integer(env, 'MOTCUA_WEB_LOOKUP_UNKNOWN_LIMIT', 20),
      aggregatorSecret: env.MOTCUA_AGGREGATOR_SECRET?.trim() || null,
    },
    sms: {
      provider: providers.every((p) => p.type === 'sandbox') ? 'sandbox' : (providers.find((p) => p.channel === 'sms')?.type ?? provider),
      brandname: env.MOTCUA_BRANDNAME?.trim() || 'MotcuaSMS',
      pricePerSegmentVnd: Object.freeze(priceTable(env.MOTCUA_SMS_PRICE_VND)),
      zaloPriceVnd: integer(env, 'MOTCUA_ZALO_PRICE_VND', 300, 0, 100_000),
      providers,
      publicBaseUrl,
      sandboxDelayMs: integer(env, 'MOTCUA_SANDBOX_DELAY_MS', 0, 0, 600_000),
      sandboxJournal: env.MOTCUA_SANDBOX_JOURNAL?.trim() || null,
    },
    dispatcher: {
      enabled: flag(env, 'MOTCUA_DISPATCHER', true),
      batchSize: optionalInteger(env, 'MOTCUA_DISPATCH_BATCH', 1, 5000),
      pollMs: integer(env, 'MOTCUA_DISPATCH_POLL_MS', 500, 10),
      leaseSeconds: integer(env, 'MOTCUA_DISPATCH_LEASE_SECONDS', 60, 1),
      maxAttempts: integer(env, 'MOTCUA_DISPATCH_MAX_ATTEMPTS', 10, 1),
      maxAgeSeconds: integer(env, 'MOTCUA_DISPATCH_MAX_AGE_SECONDS', 24 * 3600, 60),
      concurrency: optionalInteger(env, 'MOTCUA_DISPATCH_CONCURRENCY', 1, 1000),
    },
    scheduler: { enabled: flag(env, 'MOTCUA_SCHEDULER', true) },
    ingest: {
      groupSize: integer(env, 'MOTCUA_INGEST_GROUP_SIZE', database.dialect === 'sqlite' ? 64 : 1, 1, 1000),
      groupDelayMs: integer(env, 'MOTCUA_INGEST_GROUP_DELAY_MS', 0, 0, 600_000),
    },
    receipts: {
      timeoutSeconds: integer(env, 'MOTCUA_RECEIPT_TIMEOUT_SECONDS', 72 * 3600, 1),
      sweepMs: integer(env, 'MOTCUA_RECEIPT_SWEEP_MS', 60_000, 10),
    },
    retention: retention(env),
    privacyContact: env.MOTCUA_PRIVACY_CONTACT?.trim().slice(0, 300) || null,
    statusCallbacks: {
      pollMs: integer(env, 'MOTCUA_CALLBACK_POLL_MS', 1000, 10),
      timeoutMs: integer(env, 'MOTCUA_CALLBACK_TIMEOUT_MS', 10_000, 100, 120_000),
      maxAttempts: integer(env, 'MOTCUA_CALLBACK_MAX_ATTEMPTS', 10, 1, 50),
      batchSize: integer(env, 'MOTCUA_CALLBACK_BATCH', 20, 1, 500),
    },
    bodyLimitBytes: integer(env, 'MOTCUA_BODY_LIMIT_BYTES', 64 * 1024, 1024),
    trustProxy: trustProxy(env),
    metrics: {
      port: env.MOTCUA_METRICS_PORT?.trim() ? integer(env, 'MOTCUA_METRICS_PORT', 0, 1, 65535) : null,
      host: '127.0.0.1',
      token: optionalSecret(env, 'MOTCUA_METRICS_TOKEN'),
    },
  };
  return deepFreeze(config);
}

/**
 * The configuration of `serve --demo`. The demo accounts' password is published, so the demo listens on
 * 127.0.0.1 unless HOST says otherwise, and refuses to run with a provider that would send real SMS.
 */
export function demoMode(config: Config): Config {
  if (config.sms.providers.some((p) => p.channel === 'sms' && p.type !== 'sandbox'))
    throw new ConfigError(
      `--demo runs with the sandbox provider only (its accounts' password is published); got "${config.sms.provider}". Unset MOTCUA_SMS_PROVIDER / MOTCUA_CONFIG_FILE, or run without --demo.`,
    );
  return deepFreeze({ ...config, demo: true, host: config.hostExplicit ? config.host : '127.0.0.1' });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
