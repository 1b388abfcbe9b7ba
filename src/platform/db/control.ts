/** Which transaction-control statement `text` is (BEGIN/START, COMMIT/END, ROLLBACK but not ROLLBACK TO), if any. */
export type Control = 'begin' | 'commit' | 'rollback' | null;

export function controlOf(text: string): Control {
  const word = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase();
  if (word === 'begin' || word === 'start') return 'begin';
  if (word === 'commit' || word === 'end') return 'commit';
  if (word === 'rollback') return text.toLowerCase().includes(' to ') ? null : 'rollback';
  return null;
}
