/** API bearer tokens: issued once and stored hashed, listed and revoked by administrators, resolved to principals on every API call. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/database.js';
import { badRequest, unauthorized } from '../platform/errors.js';
import type { Principal, Role } from '../platform/principal.js';
import { findAgency } from '../reference/agency.repository.js';
import { countAdminTokens, findActiveTokenByHash, findToken, insertToken, listTokens, revokeToken } from './token.repository.js';

/** Tokens carry 256 random bits, so a single SHA-256 is enough to store them safely
 *  (a slow password hash only matters for guessable secrets). */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function generateToken(): string {
  return `mcs_${randomBytes(32).toString('base64url')}`;
}

export interface TokenInput {
  role: Role;
  agencyCode?: string | null;
  label?: string;
}

/** A token as administrators see it (never the secret). */
export interface TokenView {
  id: number;
  role: Role;
  agencyCode: string | null;
  label: string;
  createdAt: number;
  revokedAt: number | null;
}

function toView(row: NonNullable<Awaited<ReturnType<typeof findToken>>>): TokenView {
  return {
    id: row.id,
    role: row.role,
    agencyCode: row.agency_code,
    label: row.label,
    createdAt: row.created_at,
    revokedAt: row.revoked_at === null ? null : row.revoked_at,
  };
}

interface CacheEntry {
  principal: Principal | null;
  expires: number;
}

export class TokenService {
  /** Resolved tokens, for a short while, so the hot path does not hit the database. */
  private readonly cache = new Map<string, CacheEntry>();
  private readonly envHash: Buffer | null;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    envAdminToken: string | null,
    private readonly ttlMs = 5_000,
  ) {
    this.envHash = envAdminToken ? Buffer.from(hashToken(envAdminToken), 'hex') : null;
  }

  async authenticate(header: string | undefined, now = this.clock.now()): Promise<Principal> {
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) throw unauthorized();
    const hash = hashToken(match[1]);
    if (this.envHash && timingSafeEqual(Buffer.from(hash, 'hex'), this.envHash)) {
      return { role: 'admin', agencyCode: null, tokenId: null };
    }
    let entry = this.cache.get(hash);
    if (!entry || entry.expires < now) {
      const row = await findActiveTokenByHash(this.db, hash);
      entry = {
        principal: row ? { role: row.role, agencyCode: row.agency_code, tokenId: row.id } : null,
        expires: now + this.ttlMs,
      };
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(hash, entry);
    }
    if (!entry.principal) throw unauthorized();
    return entry.principal;
  }

  /** Issues a token; the secret is in the result only. */
  async create(input: TokenInput): Promise<{ id: number; token: string }> {
    const agencyCode = input.agencyCode ?? null;
    if (input.role === 'agency') {
      if (!agencyCode) throw badRequest('AGENCY_REQUIRED', 'Mã truy cập vai trò "agency" cần agencyCode.', { field: 'agencyCode' });
      if (!(await findAgency(this.db, agencyCode)))
        throw badRequest('UNKNOWN_AGENCY', `Không có cơ quan mã "${agencyCode}".`, { field: 'agencyCode' });
    } else if (agencyCode) {
      throw badRequest('AGENCY_NOT_ALLOWED', `Vai trò "${input.role}" không gắn với một cơ quan.`, { field: 'agencyCode' });
    }
    const token = generateToken();
    const id = await insertToken(this.db, {
      tokenHash: hashToken(token),
      role: input.role,
      agencyCode,
      label: input.label ?? `${input.role}${agencyCode ? `:${agencyCode}` : ''}`,
      now: this.clock.now(),
    });
    return { id, token };
  }

  async list(): Promise<TokenView[]> {
    return (await listTokens(this.db)).map(toView);
  }

  /** Revokes a token still in use and returns it as it was, or null when there was nothing to revoke.
   *  The cache is emptied so the token stops working at once, not after its cache entry expires. */
  async revoke(id: number): Promise<TokenView | null> {
    const row = await findToken(this.db, id);
    if (!row || !(await revokeToken(this.db, id, this.clock.now()))) return null;
    this.cache.clear();
    return toView(row);
  }

  /** Makes sure somebody can administer a fresh install: the env token if given, else a generated one, returned to be printed once. */
  async ensureAdminAccess(): Promise<string | null> {
    if (this.envHash) return null;
    if ((await countAdminTokens(this.db)) > 0) return null;
    const { token } = await this.create({ role: 'admin', label: 'Mã quản trị đầu tiên (tạo khi khởi động)' });
    return token;
  }
}
