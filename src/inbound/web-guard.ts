/**
 * The enumeration guard of the web look-ups (page and JSON API), per client address: what the SMS guard
 * does per number, in memory. An address that tried more than `limit` distinct unknown codes in the last
 * hour is refused until the oldest of them is an hour old. Each process keeps its own counts (like the
 * per-minute budget), and the map is bounded so a flood of addresses cannot grow it without end.
 */
const HOUR_MS = 3_600_000;

export class UnknownCodeGuard {
  /** address → unknown code → when it was last tried (insertion order = least recently seen first). */
  private readonly misses = new Map<string, Map<string, number>>();

  constructor(
    private readonly limit: number,
    private readonly maxAddresses = 10_000,
  ) {}

  /** Whether the address may look up now. */
  allows(address: string, now: number): boolean {
    if (this.limit === 0) return true;
    const codes = this.misses.get(address);
    if (!codes) return true;
    for (const [code, at] of codes) if (at <= now - HOUR_MS) codes.delete(code);
    if (codes.size === 0) this.misses.delete(address);
    return codes.size <= this.limit;
  }

  /** Records an unknown code tried by the address. */
  miss(address: string, code: string, now: number): void {
    if (this.limit === 0) return;
    let codes = this.misses.get(address);
    if (codes) this.misses.delete(address);
    else codes = new Map();
    this.misses.set(address, codes);
    codes.delete(code);
    codes.set(code, now);
    // Past limit + 1 the address is refused anyway: older codes add nothing.
    if (codes.size > this.limit + 1) codes.delete(codes.keys().next().value as string);
    if (this.misses.size > this.maxAddresses) this.misses.delete(this.misses.keys().next().value as string);
  }
}
