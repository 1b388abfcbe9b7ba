/**
 * The simulator's per-message submit log: every submit_sm, what it was answered, whether the answer
 * really left, and whether the same message (destination, part, text) had been accepted before.
 */
import type { SubmitLogEntry } from './types.js';

export class SubmitLog {
  readonly entries: SubmitLogEntry[] = [];
  duplicates = 0;
  responsesLost = 0;
  private readonly seen = new Map<string, number>();

  add(entry: Omit<SubmitLogEntry, 'n' | 'receivedAt' | 'response' | 'repeatOf'>): SubmitLogEntry {
    let repeatOf = 0;
    if (entry.outcome === 'accepted') {
      const key = `${entry.destination}|${entry.part ?? ''}|${entry.text}`;
      repeatOf = this.seen.get(key) ?? 0;
      this.seen.set(key, repeatOf + 1);
      if (repeatOf > 0) this.duplicates++;
    }
    const logged: SubmitLogEntry = { ...entry, n: this.entries.length + 1, receivedAt: Date.now(), response: 'pending', repeatOf };
    this.entries.push(logged);
    return logged;
  }

  written(entry: SubmitLogEntry): void {
    if (entry.response === 'pending') entry.response = 'written';
  }

  /** The answer never left: an accepted message the ESME may well send again. */
  lost(entry: SubmitLogEntry): void {
    if (entry.response === 'lost') return;
    entry.response = 'lost';
    if (entry.outcome === 'accepted') this.responsesLost++;
  }
}
