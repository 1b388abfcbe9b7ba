/** Which automatic messages a dossier change causes: configuration over the dossier's events, pure. */
import type { DossierEventType, DossierState } from '../../dossiers/dossier.state-machine.js';
import { DEFAULT_TRIGGERS, kindEntry, NOTIFICATION_KINDS, type NotificationKind, type TriggerKind } from '../catalogue.js';

export const VALID_STATES = Object.fromEntries(
  NOTIFICATION_KINDS.flatMap((kind) => {
    const states = kindEntry(kind).validStates;
    return states ? [[kind, states]] : [];
  }),
) as Readonly<Partial<Record<NotificationKind, readonly DossierState[]>>>;

export interface TriggerSettings {
  readonly triggers: Readonly<Record<string, boolean>>;
  readonly notifySameDay: boolean;
}

export interface PlannedMessage {
  readonly kind: NotificationKind;
  /** The template to render: a variant of the kind (e.g. result_ready_postal) or the kind itself. */
  readonly template: string;
  /** Distinguishes repeated occurrences of the same trigger on one dossier (part of the dedupe key). */
  readonly occurrence: string;
  readonly held: boolean;
}

export interface Plan {
  readonly create: readonly PlannedMessage[];
  readonly cancelKinds: readonly NotificationKind[];
}

export function isTriggerOn(kind: TriggerKind, settings: TriggerSettings): boolean {
  return settings.triggers[kind] ?? DEFAULT_TRIGGERS[kind];
}

/** Same-day procedures get no automatic messages unless the agency turns that on. */
export function procedureGetsMessages(processingDays: number, settings: TriggerSettings): boolean {
  return processingDays > 0 || settings.notifySameDay;
}

function message(kind: NotificationKind, occurrence: string, template: string = kind): PlannedMessage {
  return { kind, template, occurrence, held: kindEntry(kind).held };
}

export function planForIntake(
  input: { submittedVia: 'counter' | 'online' | 'postal'; processingDays: number },
  settings: TriggerSettings,
): Plan {
  if (!procedureGetsMessages(input.processingDays, settings)) return { create: [], cancelKinds: [] };
  const create: PlannedMessage[] = [];
  if (input.submittedVia === 'online' && isTriggerOn('received_online', settings)) create.push(message('received_online', 'intake'));
  if (input.submittedVia === 'postal' && isTriggerOn('received_postal', settings)) create.push(message('received_postal', 'intake'));
  return { create, cancelKinds: [] };
}

export function planForTransition(
  change: {
    before: DossierState;
    after: DossierState;
    eventType: DossierEventType;
    seq: number;
    returnMethod: 'counter' | 'postal' | 'online';
    processingDays: number;
  },
  settings: TriggerSettings,
): Plan {
  const cancelKinds = (Object.keys(VALID_STATES) as NotificationKind[]).filter((kind) => !VALID_STATES[kind]!.includes(change.after));
  if (!procedureGetsMessages(change.processingDays, settings) || change.before === change.after) {
    return { create: [], cancelKinds };
  }
  const occurrence = `e${change.seq}`;
  const create: PlannedMessage[] = [];
  switch (change.after) {
    case 'result_ready':
      if (isTriggerOn('result_ready', settings)) {
        const template = change.returnMethod === 'counter' ? 'result_ready' : `result_ready_${change.returnMethod}`;
        create.push(message('result_ready', occurrence, template));
      }
      break;
    case 'awaiting_supplement':
      if (isTriggerOn('supplement_required', settings)) create.push(message('supplement_required', occurrence));
      if (isTriggerOn('clock_stopped', settings)) create.push(message('clock_stopped', occurrence));
      break;
    case 'in_progress':
      if (change.before === 'awaiting_supplement' && isTriggerOn('clock_resumed', settings)) {
        create.push(message('clock_resumed', occurrence));
      }
      break;
    case 'refused':
      if (isTriggerOn('refused', settings)) create.push(message('refused', occurrence));
      break;
    case 'withdrawn':
      if (isTriggerOn('withdrawn', settings)) create.push(message('withdrawn', occurrence));
      break;
    default:
      break;
  }
  return { create, cancelKinds };
}
