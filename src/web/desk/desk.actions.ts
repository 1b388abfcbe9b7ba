/** What the desk offers a clerk for a dossier in each state (the state machine has the final word). */
import type { DossierState } from '../../dossiers/dossier.state-machine.js';

export const DESK_ACTIONS = [
  'step',
  'supplement_requested',
  'supplement_received',
  'result_ready',
  'returned',
  'refused',
  'withdrawn',
] as const;
export type DeskAction = (typeof DESK_ACTIONS)[number];

export function isDeskAction(value: string): value is DeskAction {
  return (DESK_ACTIONS as readonly string[]).includes(value);
}

export function actionsFor(state: DossierState): DeskAction[] {
  switch (state) {
    case 'received':
    case 'in_progress':
      return ['step', 'supplement_requested', 'result_ready', 'refused', 'withdrawn'];
    case 'awaiting_supplement':
      return ['supplement_received', 'result_ready', 'refused', 'withdrawn'];
    case 'result_ready':
      return ['returned', 'supplement_requested'];
    default:
      return [];
  }
}
