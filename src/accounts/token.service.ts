import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../platform/db/database.js';
import { badRequest, unauthorized, forbidden } from '../platform/errors.js';
import type { Principal, Role } from '../platform/principal.js';
import { countAdminTokens, findActiveTokenByHash, insertToken } from './token.repository.js';
import { findAgency } from '../reference/agency.repository.js';

/** Tokens carry 256 random bits, so a single SHA-256 is enough to store them safely
 *  (a slow password hash only matters for guessable secrets). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function generateToken(): string {
  return `mcs_${randomBytes(32).toString('base64url')}`;
}

export async function createToken(
  db: Db,
  input: { role: Role; agencyCode?: string | null; label?: string },
  now: number,
): Promise<{ id: number; token: string }> {
  const agencyCode = input.agencyCode ?? null;
  if (input.role === 'agency') {
    if (!agencyCode) throw badRequest('AGENCY_REQUIRED', 'Mã truy cập vai trò "agency" cần agencyCode.', { field: 'agencyCode' });
    if (!(await findAgency(db, agencyCode)))
      throw badRequest('UNKNOWN_AGENCY', `Không có cơ quan mã "${agencyCode}".`, { field: 'agencyCode' });
  } else if (agencyCode) {
    throw badRequest('AGENCY_NOT_ALLOWED', `Vai trò "${input.role}" không gắn với một cơ quan.`, { field: 'agencyCode' });
  }
  const token = generateToken();
  const id = await insertToken(db, {
    tokenHash: hashToken(token),
    role: input.role,
    agencyCode,
    label: input.label ?? `${input.role}${agencyCode ? `:${agencyCode}` : ''}`,
    now,
  });
  return { id, token };
}

/** Makes sure somebody can administer a fresh install: the env token if given, else a generated one printed once. */
export async function ensureAdminAccess(db: Db, envToken: string | null, now: number): Promise<string | null> {
  if (envToken) return null;
  if ((await countAdminTokens(db)) > 0) return null;
  const { token } = await createToken(db, { role: 'admin', label: 'bootstrap admin' }, now);
  return token;
}

interface CacheEntry {
  principal: Principal | null;
  expires: number;
}

/** Resolves bearer tokens to principals, with a short cache so the hot path does not hit the database. */
export class TokenAuthenticator {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly envHash: Buffer | null;

  constructor(
    private readonly db: Db,
    envAdminToken: string | null,
    private readonly ttlMs = 5_000,
  ) {
    this.envHash = envAdminToken ? Buffer.from(hashToken(envAdminToken), 'hex') : null;
  }

  async authenticate(header: string | undefined, now = Date.now()): Promise<Principal> {
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
        principal: row ? { role: row.role, agencyCode: row.agency_code, tokenId: Number(row.id) } : null,
        expires: now + this.ttlMs,
      };
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(hash, entry);
    }
    if (!entry.principal) throw unauthorized();
    return entry.principal;
  }

  forget(): void {
    this.cache.clear();
  }
}
