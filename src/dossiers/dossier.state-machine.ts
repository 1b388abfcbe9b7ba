/** The dossier lifecycle of SPEC.md as a pure function: no I/O, no clock. */

export const DOSSIER_STATES = [
  'received',
  'in_progress',
  'awaiting_supplement',
  'result_ready',
  'returned',
  'refused',
  'withdrawn',
  'stopped',
] as const;
export type DossierState = (typeof DOSSIER_STATES)[number];

export const EVENT_TYPES = [
  'step',
  'supplement_requested',
  'supplement_received',
  'result_ready',
  'returned',
  'refused',
  'withdrawn',
  'stopped',
  'due_changed',
] as const;
export type DossierEventType = (typeof EVENT_TYPES)[number];

export const TERMINAL_STATES: ReadonlySet<DossierState> = new Set(['returned', 'refused', 'withdrawn', 'stopped']);

/** Codes of the national public-service portal (Cổng Dịch vụ công quốc gia). */
export const PORTAL_STATUS: Readonly<Record<DossierState, number>> = {
  received: 2,
  in_progress: 4,
  awaiting_supplement: 5,
  result_ready: 9,
  returned: 10,
  refused: 3,
  withdrawn: 7,
  stopped: 8,
};

/** The portal's names of its codes. */
export const PORTAL_STATUS_NAMES: Readonly<Record<number, string>> = {
  1: 'Mới đăng ký',
  2: 'Được tiếp nhận',
  3: 'Không được tiếp nhận',
  4: 'Đang xử lý',
  5: 'Yêu cầu bổ sung',
  6: 'Nghĩa vụ tài chính',
  7: 'Rút hồ sơ',
  8: 'Dừng xử lý',
  9: 'Đã xử lý xong',
  10: 'Đã trả kết quả',
};

/** The state a portal code means on import; null for a code outside 1..10. Code 1 (registered
 *  online, not yet accepted) is taken as received, code 6 (waiting for fees or taxes while the
 *  dossier is processed) as in progress: neither has a state of its own. */
export function stateFromPortalStatus(code: number): DossierState | null {
  switch (code) {
    case 1:
    case 2:
      return 'received';
    case 3:
      return 'refused';
    case 4:
    case 6:
      return 'in_progress';
    case 5:
      return 'awaiting_supplement';
    case 7:
      return 'withdrawn';
    case 8:
      return 'stopped';
    case 9:
      return 'result_ready';
    case 10:
      return 'returned';
    default:
      return null;
  }
}

export const DEFAULT_STEP_NAMES = {
  received: 'Tiếp nhận hồ sơ',
  awaiting_supplement: 'Chờ bổ sung',
  supplement_received: 'Tiếp nhận hồ sơ bổ sung',
  returned: 'Đã trả kết quả',
  refused: 'Không đủ điều kiện giải quyết',
  withdrawn: 'Rút hồ sơ',
  stopped: 'Dừng xử lý',
} as const;

export interface StepNames {
  readonly resultStepName: string;
  readonly supplementStepName: string;
}

export type TransitionResult =
  | { readonly ok: true; readonly noop: boolean; readonly state: DossierState; readonly step: string }
  | { readonly ok: false; readonly reason: string };

const sameName = (a: string, b: string) =>
  a.normalize('NFC').trim().toLocaleLowerCase('vi') === b.normalize('NFC').trim().toLocaleLowerCase('vi');

/** Where an event of this type may come from. Result ready ⇄ in progress / awaiting supplement are
 *  allowed both ways because the pilot's staff pressed the wrong action and corrected it. */
const ALLOWED_FROM: Readonly<Record<Exclude<DossierEventType, 'step'>, readonly DossierState[]>> = {
  supplement_requested: ['received', 'in_progress', 'result_ready'],
  supplement_received: ['awaiting_supplement'],
  result_ready: ['received', 'in_progress', 'awaiting_supplement'],
  returned: ['result_ready'],
  refused: ['received', 'in_progress', 'awaiting_supplement'],
  withdrawn: ['received', 'in_progress', 'awaiting_supplement'],
  stopped: ['received', 'in_progress', 'awaiting_supplement'],
  due_changed: ['received', 'in_progress', 'awaiting_supplement'],
};

const TARGET: Readonly<Record<Exclude<DossierEventType, 'step' | 'due_changed' | 'supplement_received'>, DossierState>> = {
  supplement_requested: 'awaiting_supplement',
  result_ready: 'result_ready',
  returned: 'returned',
  refused: 'refused',
  withdrawn: 'withdrawn',
  stopped: 'stopped',
};

function forbidden(from: DossierState, type: DossierEventType): TransitionResult {
  return { ok: false, reason: `Không thể áp dụng sự kiện "${type}" cho hồ sơ đang ở trạng thái "${from}".` };
}

/** A `step` event naming the agency's result step or supplement step means that state, as one-stop
 *  software that only forwards step names expects. */
export function normaliseEvent(type: DossierEventType, step: string | undefined, names: StepNames): DossierEventType {
  if (type !== 'step' || step === undefined) return type;
  if (sameName(step, names.resultStepName)) return 'result_ready';
  if (sameName(step, names.supplementStepName)) return 'supplement_requested';
  return 'step';
}

export function transition(
  current: { state: DossierState; step: string },
  event: { type: DossierEventType; step?: string | undefined },
  names: StepNames,
): TransitionResult {
  const type = normaliseEvent(event.type, event.step, names);
  const { state } = current;

  if (type === 'step') {
    const step = event.step?.trim();
    if (!step) return { ok: false, reason: 'Sự kiện "step" cần tên bước (step).' };
    if (TERMINAL_STATES.has(state)) return forbidden(state, type);
    // Repeating the current step changes nothing: one-stop software that forwards every step name
    // sends "Tiếp nhận hồ sơ" right after intake, which must not move the dossier to in progress.
    if ((state === 'received' || state === 'in_progress') && sameName(current.step, step)) {
      return { ok: true, noop: true, state, step: current.step };
    }
    return { ok: true, noop: false, state: 'in_progress', step };
  }

  if (type === 'supplement_received') {
    if (!ALLOWED_FROM.supplement_received.includes(state)) return forbidden(state, type);
    return { ok: true, noop: false, state: 'in_progress', step: event.step?.trim() || DEFAULT_STEP_NAMES.supplement_received };
  }

  if (type === 'due_changed') {
    if (!ALLOWED_FROM.due_changed.includes(state)) return forbidden(state, type);
    return { ok: true, noop: false, state, step: current.step };
  }

  const target = TARGET[type];
  if (state === target) return { ok: true, noop: true, state, step: current.step };
  if (!ALLOWED_FROM[type].includes(state)) return forbidden(state, type);
  const step =
    type === 'result_ready'
      ? names.resultStepName
      : type === 'supplement_requested'
        ? names.supplementStepName
        : event.step?.trim() || DEFAULT_STEP_NAMES[target as keyof typeof DEFAULT_STEP_NAMES];
  return { ok: true, noop: false, state: target, step };
}
