/**
 * Password hashing with scrypt (memory-hard, in Node's crypto). The stored string names the
 * parameters — `scrypt$ln=15,r=8,p=1$<salt>$<hash>` — so they can be raised later: a hash made
 * with weaker parameters still verifies and is reported as needing a rehash.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export const SCRYPT_PARAMS = { ln: 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

/** Raised when too many hashes are already waiting: the caller answers 429 at once instead of queueing. */
export class HashesBusyError extends Error {
  constructor() {
    super('too many password hashes waiting');
  }
}

/**
 * Caps the scrypt computations running at once (each takes a libuv thread and ~32 MB for ~100 ms):
 * `max` run, up to `maxWaiting` wait in arrival order, any more are refused with HashesBusyError.
 * A burst of logins therefore cannot take every CPU, and a real login waits behind a bounded queue.
 */
export class HashGate {
  private running = 0;
  private readonly queue: Array<() => void> = [];
  /** For tests and metrics: the most ever running at once, and how many were computed / refused. */
  readonly stats = { peakRunning: 0, computed: 0, refused: 0 };

  constructor(
    readonly max: number,
    readonly maxWaiting: number,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) {
      if (this.queue.length >= this.maxWaiting) {
        this.stats.refused++;
        throw new HashesBusyError();
      }
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.running++;
    }
    this.stats.peakRunning = Math.max(this.stats.peakRunning, this.running);
    try {
      return await work();
    } finally {
      this.stats.computed++;
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** Every scrypt computation of the process goes through this gate (2 at once: the machines have 2 cores). */
export const passwordHashGate = new HashGate(2, 64);

function derive(password: string, salt: Buffer, ln: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** ln;
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  return passwordHashGate.run(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
      }),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const { ln, r, p } = SCRYPT_PARAMS;
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, ln, r, p);
  return `scrypt$ln=${ln},r=${r},p=${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

const FORMAT = /^scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

/** Compares in constant time; a malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<{ ok: boolean; needsRehash: boolean }> {
  const match = FORMAT.exec(stored);
  if (!match) return { ok: false, needsRehash: false };
  const [ln, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (ln < 10 || ln > 22 || r < 1 || p < 1) return { ok: false, needsRehash: false };
  const expected = Buffer.from(match[5]!, 'base64url');
  const key = await derive(password, Buffer.from(match[4]!, 'base64url'), ln, r, p);
  const ok = key.length === expected.length && timingSafeEqual(key, expected);
  const needsRehash = ln < SCRYPT_PARAMS.ln || r < SCRYPT_PARAMS.r || p < SCRYPT_PARAMS.p;
  return { ok, needsRehash };
}

/** Verifying against this keeps an unknown username as slow as a wrong password. */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}

/** A Vietnamese message for an unusable new password, or null. */
export function passwordProblem(password: string, username: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Mật khẩu cần ít nhất ${MIN_PASSWORD_LENGTH} ký tự.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Mật khẩu dài tối đa ${MAX_PASSWORD_LENGTH} ký tự.`;
  if (password.toLowerCase().includes(username.toLowerCase())) return 'Mật khẩu không được chứa tên đăng nhập.';
  return null;
}
