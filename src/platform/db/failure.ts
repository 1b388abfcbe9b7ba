/**
 * The one place that tells a database *outage* (unreachable, timed out, disk full, corrupt, busy) from
 * any other error. Requests answer such a failure with 503 `DATABASE_UNAVAILABLE` and `Retry-After`;
 * loops back off and resume; the process never exits for it. Everything else stays what it was (a
 * constraint violation is a bug or a conflict, not an outage).
 */

export type DbFailureKind = 'unavailable' | 'timeout' | 'disk_full' | 'corrupt' | 'busy';

export interface DbFailure {
  readonly kind: DbFailureKind;
  /** The driver's code: `57P01`, `ECONNRESET`, `SQLITE_FULL`, `MOTCUA_ACQUIRE_TIMEOUT` … */
  readonly code: string;
  /** The driver's message, one line. */
  readonly message: string;
  /** The connection this came from is unusable and must be dropped, not returned to the pool. */
  readonly connectionLost: boolean;
}

/** Waiting for a pooled connection took longer than the acquire timeout. */
export class DbAcquireTimeoutError extends Error {
  readonly code = 'MOTCUA_ACQUIRE_TIMEOUT';
  constructor(ms: number) {
    super(`no database connection free within ${ms} ms`);
    this.name = 'DbAcquireTimeoutError';
  }
}

/** The database cannot be opened or reached at start: which one, and why (no stack trace is useful here). */
export class DatabaseOpenError extends Error {
  constructor(
    readonly target: string,
    readonly reason: string,
  ) {
    super(`cannot open the database ${target}: ${reason}`);
    this.name = 'DatabaseOpenError';
  }
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** pg's own messages for a socket that died or a client-side timeout (they carry no code). */
const PG_CLIENT_MESSAGES: ReadonlyArray<[RegExp, DbFailureKind]> = [
  [/timeout exceeded when trying to connect/i, 'timeout'],
  [/Connection terminated due to connection timeout/i, 'timeout'],
  [/Query read timeout/i, 'timeout'],
  [/Connection terminated/i, 'unavailable'],
  [/encountered a connection error and is not queryable/i, 'unavailable'],
  [/the database system is (starting up|shutting down|in recovery mode)/i, 'unavailable'],
];

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function classifyPgCode(code: string): DbFailureKind | null {
  if (code === '53100') return 'disk_full';
  if (code === '57014') return 'timeout'; // query_canceled: statement_timeout (or an admin's cancel)
  if (code === '55P03') return 'busy'; // lock_not_available: lock_timeout
  if (code === '25P03') return 'timeout'; // idle_in_transaction_session_timeout
  if (/^57P0[1-4]$/.test(code)) return 'unavailable'; // admin/crash shutdown, cannot connect now, database dropped
  if (/^08...$/.test(code) || /^53...$/.test(code)) return 'unavailable'; // connection exceptions, insufficient resources
  if (code === 'XX001' || code === 'XX002') return 'corrupt'; // data_corrupted, index_corrupted
  if (code === '58030') return 'unavailable'; // io_error
  return null;
}

function classifySqliteCode(code: string): DbFailureKind | null {
  if (code === 'SQLITE_FULL') return 'disk_full';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt';
  if (code.startsWith('SQLITE_BUSY') || code === 'SQLITE_PROTOCOL') return 'busy';
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_NOMEM') return 'unavailable';
  if (code.startsWith('SQLITE_READONLY')) return 'unavailable';
  return null;
}

/** The outage `error` stands for, or null when it is not one. */
export function dbFailureOf(error: unknown): DbFailure | null {
  if (!(error instanceof Error)) return null;
  const raw = (error as { code?: unknown }).code;
  const code = typeof raw === 'string' ? raw : '';
  const message = firstLine(error.message ?? '');
  if (error instanceof DbAcquireTimeoutError) return { kind: 'timeout', code, message, connectionLost: false };
  if (code.startsWith('SQLITE_')) {
    const kind = classifySqliteCode(code);
    return kind ? { kind, code, message, connectionLost: false } : null;
  }
  if (NETWORK_CODES.has(code)) return { kind: code === 'ETIMEDOUT' ? 'timeout' : 'unavailable', code, message, connectionLost: true };
  if (/^[0-9A-Z]{5}$/.test(code)) {
    const kind = classifyPgCode(code);
    if (!kind) return null;
    // A statement cancelled by statement_timeout leaves a healthy session; the others end it.
    const connectionLost = kind === 'unavailable' || code === '25P03';
    return { kind, code, message, connectionLost };
  }
  for (const [pattern, kind] of PG_CLIENT_MESSAGES) {
    if (pattern.test(message))
      return { kind, code: code || (kind === 'timeout' ? 'CLIENT_TIMEOUT' : 'CONNECTION_LOST'), message, connectionLost: true };
  }
  const cause = (error as { cause?: unknown }).cause;
  return cause && cause !== error ? dbFailureOf(cause) : null;
}

export function isDbFailure(error: unknown): boolean {
  return dbFailureOf(error) !== null;
}

/** How an outage is told to a client: HTTP 503 with this message and `Retry-After`. */
export function unavailableAnswer(failure: DbFailure): { readonly retryAfterSeconds: number; readonly message: string } {
  switch (failure.kind) {
    case 'disk_full':
      return { retryAfterSeconds: 60, message: 'Cơ sở dữ liệu hết dung lượng đĩa nên chưa ghi được; vui lòng thử lại sau.' };
    case 'corrupt':
      return { retryAfterSeconds: 60, message: 'Tệp cơ sở dữ liệu bị hỏng; quản trị viên cần khôi phục. Vui lòng thử lại sau.' };
    case 'timeout':
      return { retryAfterSeconds: 5, message: 'Cơ sở dữ liệu không phản hồi kịp; vui lòng thử lại sau.' };
    case 'busy':
      return { retryAfterSeconds: 5, message: 'Cơ sở dữ liệu đang bận; vui lòng thử lại sau.' };
    default:
      return { retryAfterSeconds: 5, message: 'Cơ sở dữ liệu tạm thời không khả dụng; vui lòng thử lại sau.' };
  }
}
