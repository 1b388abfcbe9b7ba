/**
 * Values kept for a few seconds per key, read through a loader on a miss or once they expire: reference
 * data that changes rarely and is read on every request (agencies, procedures, system settings). A
 * `ttlMs` of 0 keeps nothing (the tests read through every time).
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { readonly value: V; readonly expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: K, load: () => Promise<V>): Promise<V> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    const value = await load();
    this.entries.set(key, { value, expires: now + this.ttlMs });
    return value;
  }

  /** Forgets a key, so the next `get` loads it again (after a write). */
  delete(key: K): void {
    this.entries.delete(key);
  }
}
