/** Accounts of the people who use the web screens: creation and changes, login with lockout, sessions. */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../platform/db/database.js';
import type { Clock } from '../platform/clock.js';
import { badRequest, conflict, notFound } from '../platform/errors.js';
import { findAgency } from '../reference/agency.repository.js';
import { WEB_ROLES, type WebLang, type WebRole, type WebUser } from './web-user.js';
import { dummyPasswordHash, HashesBusyError, hashPassword, passwordProblem, verifyPassword } from './password.js';
import {
  countAttempt,
  deleteThrottle,
  deleteThrottlesOfUsername,
  listThrottles,
  purgeStaleThrottles,
  refundAttempt,
  succeededFrom,
  type ThrottleKey,
  type ThrottleRow,
  type ThrottleRule,
  type ThrottleScope,
} from './login-throttle.repository.js';
import {
  deleteExpiredSessions,
  deleteSession,
  deleteUserSessions,
  findSession,
  findUserById,
  findUserByUsername,
  insertAttempt,
  insertSession,
  insertUser,
  listUsers,
  touchSession,
  updateUser,
  type WebUserRow,
} from './account.repository.js';

const MINUTE = 60_000;
/**
 * Login throttling, after OWASP's authentication guidance: growing delays per (username, address) pair
 * and per address; per username alone only a soft, much higher limit, which spares the addresses the
 * person already logged in from (so nobody can lock a person out from elsewhere). Every attempt is
 * counted before its password is hashed; a success gives its count back.
 */
export const THROTTLE = {
  rules: {
    pair: { free: 5, baseMs: 30_000, capMs: 15 * MINUTE },
    ip: { free: 20, baseMs: 30_000, capMs: 15 * MINUTE },
    user: { free: 100, baseMs: MINUTE, capMs: 15 * MINUTE },
  } satisfies Record<ThrottleScope, ThrottleRule>,
  /** A counter starts again after this long without an attempt (and no block). */
  resetMs: 60 * MINUTE,
  /** Addresses a username logged in from within this time are spared by its per-username limit. */
  knownAddressMs: 30 * 24 * 60 * MINUTE,
} as const;
export const SESSION = { idleMs: 60 * MINUTE, absoluteMs: 12 * 60 * MINUTE, touchEveryMs: MINUTE } as const;

const USERNAME = /^[a-z0-9][a-z0-9._-]{2,63}$/;

export interface UserView extends WebUser {
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export function toWebUser(row: Pick<WebUserRow, 'id' | 'username' | 'display_name' | 'role' | 'agency_code' | 'lang'>): WebUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    agencyCode: row.agency_code,
    lang: row.lang,
  };
}

function toView(row: WebUserRow): UserView {
  return { ...toWebUser(row), disabled: row.disabled_at !== null, createdAt: row.created_at, updatedAt: row.updated_at };
}

export function normaliseUsername(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase();
}

const hashSessionId = (id: string) => createHash('sha256').update(id).digest('hex');

export type LoginResult =
  | { ok: true; user: WebUser }
  | { ok: false; reason: 'invalid' }
  /** Too many hashes already waiting: nothing was checked, try again in a moment. */
  | { ok: false; reason: 'busy' }
  | { ok: false; reason: 'locked_pair' | 'locked_ip' | 'locked_user'; until: number; retryAfterSeconds: number };

/** A throttling counter as the administrator sees it. */
export interface LoginLock extends ThrottleRow {
  /** Whether it refuses attempts now. */
  blocking: boolean;
}

export interface UserInput {
  username: string;
  displayName: string;
  role: string;
  agencyCode: string | null;
  password: string;
  lang?: WebLang;
}

export interface UserChanges {
  displayName: string;
  role: string;
  agencyCode: string | null;
  lang: WebLang;
}

export class AccountService {
  /** When stale throttling counters were last deleted (at most every 10 minutes, by a login). */
  private lastPurge = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<UserView[]> {
    return (await listUsers(this.db)).map(toView);
  }

  async get(id: number): Promise<UserView> {
    const row = await findUserById(this.db, id);
    if (!row) throw notFound(`tài khoản số ${id}`);
    return toView(row);
  }

  async findByUsername(username: string): Promise<UserView | null> {
    const row = await findUserByUsername(this.db, normaliseUsername(username));
    return row ? toView(row) : null;
  }

  private async checkRoleAgency(role: string, agencyCode: string | null): Promise<{ role: WebRole; agencyCode: string | null }> {
    if (!(WEB_ROLES as readonly string[]).includes(role)) {
      throw badRequest('VALIDATION_FAILED', `Vai trò phải là một trong: ${WEB_ROLES.join(', ')}.`, { field: 'role' });
    }
    const code = agencyCode?.trim() || null;
    if (role === 'agency_admin' || role === 'clerk') {
      if (!code) throw badRequest('AGENCY_REQUIRED', 'Vai trò này cần chọn cơ quan.', { field: 'agencyCode' });
      if (!(await findAgency(this.db, code))) throw badRequest('UNKNOWN_AGENCY', `Không có cơ quan mã "${code}".`, { field: 'agencyCode' });
    } else if (code) {
      throw badRequest('AGENCY_NOT_ALLOWED', 'Quản trị hệ thống và cơ quan giám sát không gắn với một cơ quan.', { field: 'agencyCode' });
    }
    return { role: role as WebRole, agencyCode: code };
  }

  private static displayName(value: string): string {
    const name = value.normalize('NFC').trim();
    if (!name) throw badRequest('VALIDATION_FAILED', 'Chưa nhập họ tên.', { field: 'displayName' });
    if (name.length > 100 || /[\p{Cc}]/u.test(name))
      throw badRequest('VALIDATION_FAILED', 'Họ tên tối đa 100 ký tự, không chứa ký tự điều khiển.', { field: 'displayName' });
    return name;
  }

  async create(input: UserInput): Promise<UserView> {
    const username = normaliseUsername(input.username);
    if (!USERNAME.test(username)) {
      throw badRequest('VALIDATION_FAILED', 'Tên đăng nhập gồm 3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang.', {
        field: 'username',
      });
    }
    const displayName = AccountService.displayName(input.displayName);
    const { role, agencyCode } = await this.checkRoleAgency(input.role, input.agencyCode);
    const problem = passwordProblem(input.password, username);
    if (problem) throw badRequest('WEAK_PASSWORD', problem, { field: 'password' });
    const now = this.clock.now();
    const row = await insertUser(this.db, {
      username,
      display_name: displayName,
      role,
      agency_code: agencyCode,
      password_hash: await hashPassword(input.password),
      lang: input.lang ?? 'vi',
      disabled_at: null,
      created_at: now,
      updated_at: now,
    });
    if (!row) throw conflict('USERNAME_TAKEN', `Tên đăng nhập "${username}" đã có.`, { field: 'username' });
    return toView(row);
  }

  async update(id: number, changes: UserChanges): Promise<{ before: UserView; after: UserView }> {
    const before = await this.get(id);
    const displayName = AccountService.displayName(changes.displayName);
    const { role, agencyCode } = await this.checkRoleAgency(changes.role, changes.agencyCode);
    await updateUser(this.db, id, {
      display_name: displayName,
      role,
      agency_code: agencyCode,
      lang: changes.lang,
      updated_at: this.clock.now(),
    });
    // A change of role or agency takes effect at once: open sessions carry the old rights.
    if (role !== before.role || agencyCode !== before.agencyCode) await deleteUserSessions(this.db, id);
    return { before, after: await this.get(id) };
  }

  async setLang(id: number, lang: WebLang): Promise<void> {
    await updateUser(this.db, id, { lang });
  }

  /** Sets a new password, ends the user's sessions and clears the login throttling of the username. */
  async resetPassword(id: number, password: string): Promise<{ user: UserView; loginLocksCleared: number }> {
    const user = await this.get(id);
    const problem = passwordProblem(password, user.username);
    if (problem) throw badRequest('WEAK_PASSWORD', problem, { field: 'password' });
    await updateUser(this.db, id, { password_hash: await hashPassword(password), updated_at: this.clock.now() });
    await deleteUserSessions(this.db, id);
    const cleared = await deleteThrottlesOfUsername(this.db, user.username);
    return { user, loginLocksCleared: cleared.length };
  }

  async setDisabled(id: number, disabled: boolean): Promise<{ before: UserView; after: UserView }> {
    const before = await this.get(id);
    if (before.disabled !== disabled) {
      const now = this.clock.now();
      await updateUser(this.db, id, { disabled_at: disabled ? now : null, updated_at: now });
    }
    if (disabled) await deleteUserSessions(this.db, id);
    return { before, after: await this.get(id) };
  }

  /**
   * Checks a password. The attempt is counted first (one statement for the pair, the address and the
   * username), so concurrent attempts cannot slip past a limit; only then is the password hashed, through
   * the process-wide cap on concurrent hashes.
   */
  async login(usernameInput: string, password: string, ip: string): Promise<LoginResult> {
    const now = this.clock.now();
    const username = normaliseUsername(usernameInput).slice(0, 128);
    const keys: Record<ThrottleScope, ThrottleKey> = {
      pair: { scope: 'pair', username, ip },
      ip: { scope: 'ip', username: '', ip },
      user: { scope: 'user', username, ip: '' },
    };
    if (now - this.lastPurge >= 10 * MINUTE) {
      this.lastPurge = now;
      await purgeStaleThrottles(this.db, now, now - THROTTLE.resetMs);
    }
    const counted = await countAttempt(this.db, Object.values(keys), THROTTLE.rules, now, THROTTLE.resetMs);
    const verdict = (scope: ThrottleScope) => counted.find((c) => c.scope === scope)!;
    const refused = (['pair', 'ip', 'user'] as const).find((scope) => !verdict(scope).allowed);
    if (refused !== undefined) {
      const spared =
        refused === 'user' &&
        verdict('pair').allowed &&
        verdict('ip').allowed &&
        (await succeededFrom(this.db, username, ip, now - THROTTLE.knownAddressMs));
      if (!spared) {
        const until = verdict(refused).blockedUntil;
        return { ok: false, reason: `locked_${refused}`, until, retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) };
      }
    }

    const row = await findUserByUsername(this.db, username);
    let checked: { ok: boolean; needsRehash: boolean };
    try {
      checked = await verifyPassword(password, row?.password_hash ?? (await dummyPasswordHash()));
    } catch (error) {
      if (!(error instanceof HashesBusyError)) throw error;
      for (const scope of ['pair', 'ip', 'user'] as const) await refundAttempt(this.db, keys[scope], THROTTLE.rules[scope]);
      return { ok: false, reason: 'busy' };
    }
    const ok = row !== undefined && row.disabled_at === null && checked.ok;
    await insertAttempt(this.db, { username, ip, succeeded: ok, at: now });
    if (!ok || !row) return { ok: false, reason: 'invalid' };
    await deleteThrottle(this.db, keys.pair);
    await refundAttempt(this.db, keys.ip, THROTTLE.rules.ip);
    await refundAttempt(this.db, keys.user, THROTTLE.rules.user);
    if (checked.needsRehash) await updateUser(this.db, row.id, { password_hash: await hashPassword(password) });
    return { ok: true, user: toWebUser(row) };
  }

  /** Throttling counters that block now or counted an attempt in the last hour (newest first). */
  async loginLocks(): Promise<LoginLock[]> {
    const now = this.clock.now();
    const rows = await listThrottles(this.db, now, now - THROTTLE.resetMs, 500);
    return rows.map((r) => ({ ...r, blocking: r.blockedUntil > now }));
  }

  /** Clears one counter; false when there was none. */
  async clearLoginLock(key: ThrottleKey): Promise<boolean> {
    return (await deleteThrottle(this.db, key)) > 0;
  }

  /** Clears every pair and username counter of a username (what a password reset does); returns what was cleared. */
  async clearLoginLocksOf(username: string): Promise<ThrottleRow[]> {
    return deleteThrottlesOfUsername(this.db, normaliseUsername(username));
  }

  async createSession(userId: number, ip: string | null): Promise<{ id: string; csrfToken: string }> {
    const now = this.clock.now();
    await deleteExpiredSessions(this.db, userId, now, SESSION.idleMs);
    const id = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    await insertSession(this.db, {
      id_hash: hashSessionId(id),
      user_id: userId,
      csrf_token: csrfToken,
      created_at: now,
      last_seen_at: now,
      expires_at: now + SESSION.absoluteMs,
      ip,
    });
    return { id, csrfToken };
  }

  /** The session's user and CSRF token, or null when it is unknown, idle too long, past its absolute expiry, or its user is disabled. */
  async resolveSession(id: string): Promise<{ user: WebUser; csrfToken: string; idHash: string } | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(id)) return null;
    const idHash = hashSessionId(id);
    const row = await findSession(this.db, idHash);
    if (!row) return null;
    const now = this.clock.now();
    if (row.disabled_at !== null || row.expires_at <= now || now - row.last_seen_at >= SESSION.idleMs) {
      await deleteSession(this.db, idHash);
      return null;
    }
    if (now - row.last_seen_at >= SESSION.touchEveryMs) await touchSession(this.db, idHash, now);
    return { user: toWebUser(row), csrfToken: row.csrf_token, idHash };
  }

  async endSession(idHash: string): Promise<void> {
    await deleteSession(this.db, idHash);
  }
}
