import type { DossierRow } from './dossier.repository.js';
import type { ReturnMethod } from './dossier.input.js';

/** The dossier's columns as they were before an event, kept in the event so an undo restores them exactly. */
export interface ColumnsBefore {
  state: string;
  step: string;
  due_at: number;
  paused_at: number | null;
  finished_at: number | null;
  returned_at: number | null;
  return_method: ReturnMethod;
}

export function columnsBefore(row: DossierRow): ColumnsBefore {
  return {
    state: row.state,
    step: row.step,
    due_at: row.due_at,
    paused_at: row.paused_at,
    finished_at: row.finished_at,
    returned_at: row.returned_at,
    return_method: row.return_method,
  };
}

/** The columns an event recorded as "before", or null for events written before undo kept them. */
export function storedColumnsBefore(payload: string | null): ColumnsBefore | null {
  if (!payload) return null;
  const before = (JSON.parse(payload) as { before?: ColumnsBefore }).before;
  return before && typeof before.state === 'string' && typeof before.due_at === 'number' ? before : null;
}
