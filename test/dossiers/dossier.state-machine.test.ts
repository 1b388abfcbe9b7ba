import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_STEP_NAMES,
  DOSSIER_STATES,
  EVENT_TYPES,
  PORTAL_STATUS,
  PORTAL_STATUS_NAMES,
  TERMINAL_STATES,
  normaliseEvent,
  stateFromPortalStatus,
  transition,
} from '../../src/dossiers/dossier.state-machine.js';
import type { DossierEventType, DossierState, StepNames, TransitionResult } from '../../src/dossiers/dossier.state-machine.js';
import { CURRENT_STEP, NAMES, forbiddenReason } from '../support/dossier-states.js';

/** The event sent for each type in the table: a `step` names an ordinary processing step. */
const EVENT: Record<DossierEventType, { type: DossierEventType; step?: string }> = {
  step: { type: 'step', step: 'Thẩm định hồ sơ' },
  supplement_requested: { type: 'supplement_requested' },
  supplement_received: { type: 'supplement_received' },
  result_ready: { type: 'result_ready' },
  returned: { type: 'returned' },
  refused: { type: 'refused' },
  withdrawn: { type: 'withdrawn' },
  stopped: { type: 'stopped' },
  due_changed: { type: 'due_changed' },
};

type Expect = { to: DossierState; step: string; noop?: true } | 'forbidden';
const to = (state: DossierState, step: string): Expect => ({ to: state, step });
const noop = (state: DossierState): Expect => ({ to: state, step: CURRENT_STEP[state], noop: true });
const F = 'forbidden' as const;

/** Worked out from SPEC.md: received → in progress (named steps) ⇄ awaiting supplement → result ready
 *  → returned; refused / withdrawn / stopped end an open dossier; result ready ⇄ in progress /
 *  awaiting supplement both ways (wrong-button corrections); terminal states accept nothing but a
 *  repeat of the event that ended them. */
const EXPECTED: Record<DossierState, Record<DossierEventType, Expect>> = {
  received: {
    step: to('in_progress', 'Thẩm định hồ sơ'),
    supplement_requested: to('awaiting_supplement', 'Chờ bổ sung'),
    supplement_received: F,
    result_ready: to('result_ready', 'Trả kết quả'),
    returned: F,
    refused: to('refused', 'Không đủ điều kiện giải quyết'),
    withdrawn: to('withdrawn', 'Rút hồ sơ'),
    stopped: to('stopped', 'Dừng xử lý'),
    due_changed: to('received', 'Tiếp nhận hồ sơ'),
  },
  in_progress: {
    step: to('in_progress', 'Thẩm định hồ sơ'),
    supplement_requested: to('awaiting_supplement', 'Chờ bổ sung'),
    supplement_received: F,
    result_ready: to('result_ready', 'Trả kết quả'),
    returned: F,
    refused: to('refused', 'Không đủ điều kiện giải quyết'),
    withdrawn: to('withdrawn', 'Rút hồ sơ'),
    stopped: to('stopped', 'Dừng xử lý'),
    due_changed: to('in_progress', 'Xử lý hồ sơ'),
  },
  awaiting_supplement: {
    step: to('in_progress', 'Thẩm định hồ sơ'),
    supplement_requested: noop('awaiting_supplement'),
    supplement_received: to('in_progress', 'Tiếp nhận hồ sơ bổ sung'),
    result_ready: to('result_ready', 'Trả kết quả'),
    returned: F,
    refused: to('refused', 'Không đủ điều kiện giải quyết'),
    withdrawn: to('withdrawn', 'Rút hồ sơ'),
    stopped: to('stopped', 'Dừng xử lý'),
    due_changed: to('awaiting_supplement', 'Chờ bổ sung'),
  },
  result_ready: {
    step: to('in_progress', 'Thẩm định hồ sơ'),
    supplement_requested: to('awaiting_supplement', 'Chờ bổ sung'),
    supplement_received: F,
    result_ready: noop('result_ready'),
    returned: to('returned', 'Đã trả kết quả'),
    refused: F,
    withdrawn: F,
    stopped: F,
    due_changed: F,
  },
  returned: {
    step: F,
    supplement_requested: F,
    supplement_received: F,
    result_ready: F,
    returned: noop('returned'),
    refused: F,
    withdrawn: F,
    stopped: F,
    due_changed: F,
  },
  refused: {
    step: F,
    supplement_requested: F,
    supplement_received: F,
    result_ready: F,
    returned: F,
    refused: noop('refused'),
    withdrawn: F,
    stopped: F,
    due_changed: F,
  },
  withdrawn: {
    step: F,
    supplement_requested: F,
    supplement_received: F,
    result_ready: F,
    returned: F,
    refused: F,
    withdrawn: noop('withdrawn'),
    stopped: F,
    due_changed: F,
  },
  stopped: {
    step: F,
    supplement_requested: F,
    supplement_received: F,
    result_ready: F,
    returned: F,
    refused: F,
    withdrawn: F,
    stopped: noop('stopped'),
    due_changed: F,
  },
};

function expectedResult(state: DossierState, type: DossierEventType): TransitionResult {
  const e = EXPECTED[state][type];
  if (e === 'forbidden') return { ok: false, reason: forbiddenReason(state, type) };
  return { ok: true, noop: e.noop ?? false, state: e.to, step: e.step };
}

describe('constants', () => {
  test('states, event types and terminal states', () => {
    assert.deepEqual(
      [...DOSSIER_STATES],
      ['received', 'in_progress', 'awaiting_supplement', 'result_ready', 'returned', 'refused', 'withdrawn', 'stopped'],
    );
    assert.deepEqual(
      [...EVENT_TYPES],
      ['step', 'supplement_requested', 'supplement_received', 'result_ready', 'returned', 'refused', 'withdrawn', 'stopped', 'due_changed'],
    );
    assert.deepEqual([...TERMINAL_STATES].sort(), ['refused', 'returned', 'stopped', 'withdrawn']);
  });

  test('default step names', () => {
    assert.deepEqual(DEFAULT_STEP_NAMES, {
      received: 'Tiếp nhận hồ sơ',
      awaiting_supplement: 'Chờ bổ sung',
      supplement_received: 'Tiếp nhận hồ sơ bổ sung',
      returned: 'Đã trả kết quả',
      refused: 'Không đủ điều kiện giải quyết',
      withdrawn: 'Rút hồ sơ',
      stopped: 'Dừng xử lý',
    });
  });
});

describe('transition: every (state, event type) pair', () => {
  test('the expected table covers the whole cross product', () => {
    assert.deepEqual(Object.keys(EXPECTED).sort(), [...DOSSIER_STATES].sort());
    for (const state of DOSSIER_STATES) {
      assert.deepEqual(Object.keys(EXPECTED[state]).sort(), [...EVENT_TYPES].sort(), state);
    }
    assert.equal(DOSSIER_STATES.length * EVENT_TYPES.length, 72);
  });

  for (const state of DOSSIER_STATES) {
    for (const type of EVENT_TYPES) {
      const e = EXPECTED[state][type];
      const label = e === 'forbidden' ? 'forbidden' : `${e.noop ? 'noop' : '→'} ${e.to} "${e.step}"`;
      test(`${state} + ${type}: ${label}`, () => {
        const result = transition({ state, step: CURRENT_STEP[state] }, EVENT[type], NAMES);
        assert.deepEqual(result, expectedResult(state, type));
      });
    }
  }

  test('counts of allowed, no-op and forbidden pairs', () => {
    let changed = 0;
    let noops = 0;
    let forbidden = 0;
    for (const state of DOSSIER_STATES) {
      for (const type of EVENT_TYPES) {
        const r = transition({ state, step: CURRENT_STEP[state] }, EVENT[type], NAMES);
        if (!r.ok) forbidden++;
        else if (r.noop) noops++;
        else changed++;
      }
    }
    assert.deepEqual({ changed, noops, forbidden }, { changed: 24, noops: 6, forbidden: 42 });
  });

  test('nothing leaves a terminal state', () => {
    for (const state of TERMINAL_STATES) {
      for (const type of EVENT_TYPES) {
        const r = transition({ state, step: CURRENT_STEP[state] }, EVENT[type], NAMES);
        if (r.ok) {
          assert.equal(r.noop, true, `${state} + ${type}`);
          assert.equal(r.state, state);
        }
      }
    }
  });

  test('the forbidden reason names the event and the state, in Vietnamese', () => {
    const r = transition({ state: 'returned', step: 'Đã trả kết quả' }, { type: 'result_ready' }, NAMES);
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.reason.includes('"result_ready"') && r.reason.includes('"returned"'));
    assert.ok(!r.ok && r.reason.startsWith('Không thể áp dụng'));
  });
});

describe('normaliseEvent', () => {
  const cases: Array<[DossierEventType, string | undefined, DossierEventType, string]> = [
    ['step', 'Trả kết quả', 'result_ready', 'exact result step'],
    ['step', 'trả kết quả', 'result_ready', 'lower case'],
    ['step', 'TRẢ KẾT QUẢ', 'result_ready', 'upper case'],
    ['step', '  Trả kết quả\t', 'result_ready', 'surrounding whitespace'],
    ['step', 'Trả kết quả'.normalize('NFD'), 'result_ready', 'decomposed diacritics'],
    ['step', 'Chờ bổ sung', 'supplement_requested', 'supplement step'],
    ['step', 'CHỜ BỔ SUNG', 'supplement_requested', 'supplement step upper case'],
    ['step', 'Chờ bổ sung'.normalize('NFD'), 'supplement_requested', 'supplement step decomposed'],
    ['step', 'Tra ket qua', 'step', 'ascii-folded name is not the result step'],
    ['step', 'Trả kết quả cho công dân', 'step', 'longer name'],
    ['step', 'Đã trả kết quả', 'step', 'returned step name is an ordinary step'],
    ['step', 'Thẩm định hồ sơ', 'step', 'ordinary step'],
    ['step', '', 'step', 'empty'],
    ['step', undefined, 'step', 'missing'],
    ['result_ready', 'Chờ bổ sung', 'result_ready', 'other types are never rewritten'],
    ['supplement_received', 'Trả kết quả', 'supplement_received', 'supplement_received with the result step name'],
    ['refused', 'Trả kết quả', 'refused', 'refused with the result step name'],
    ['due_changed', 'Chờ bổ sung', 'due_changed', 'due_changed with the supplement step name'],
  ];
  for (const [type, step, expected, note] of cases) {
    test(`${note}: ${type} ${JSON.stringify(step)}`, () => {
      assert.equal(normaliseEvent(type, step, NAMES), expected);
    });
  }

  test('every event type without a step is unchanged', () => {
    for (const type of EVENT_TYPES) assert.equal(normaliseEvent(type, undefined, NAMES), type);
  });

  test('uses the names it is given', () => {
    const names: StepNames = { resultStepName: 'Hoàn thành', supplementStepName: 'Yêu cầu bổ sung' };
    assert.equal(normaliseEvent('step', 'hoàn thành', names), 'result_ready');
    assert.equal(normaliseEvent('step', 'Yêu cầu bổ sung', names), 'supplement_requested');
    assert.equal(normaliseEvent('step', 'Trả kết quả', names), 'step');
    assert.equal(normaliseEvent('step', 'Chờ bổ sung', names), 'step');
  });
});

describe('portal status codes', () => {
  test('export: each state has its code', () => {
    assert.deepEqual(PORTAL_STATUS, {
      received: 2,
      in_progress: 4,
      awaiting_supplement: 5,
      result_ready: 9,
      returned: 10,
      refused: 3,
      withdrawn: 7,
      stopped: 8,
    });
  });

  test('export: codes are distinct and within 1..10', () => {
    const codes = DOSSIER_STATES.map((s) => PORTAL_STATUS[s]);
    assert.equal(new Set(codes).size, DOSSIER_STATES.length);
    for (const c of codes) assert.ok(Number.isInteger(c) && c >= 1 && c <= 10, String(c));
  });

  test('names of the ten codes', () => {
    assert.deepEqual(PORTAL_STATUS_NAMES, {
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
    });
  });

  const IMPORT: Array<[number, DossierState]> = [
    [1, 'received'],
    [2, 'received'],
    [3, 'refused'],
    [4, 'in_progress'],
    [5, 'awaiting_supplement'],
    [6, 'in_progress'],
    [7, 'withdrawn'],
    [8, 'stopped'],
    [9, 'result_ready'],
    [10, 'returned'],
  ];
  for (const [code, state] of IMPORT) {
    test(`import: ${code} ${PORTAL_STATUS_NAMES[code]} → ${state}`, () => {
      assert.equal(stateFromPortalStatus(code), state);
    });
  }

  test('import then export is the identity on every state', () => {
    for (const state of DOSSIER_STATES) assert.equal(stateFromPortalStatus(PORTAL_STATUS[state]), state);
  });

  test('import: unknown codes', () => {
    for (const code of [0, 11, -1, 2.5, Number.NaN, 100]) assert.equal(stateFromPortalStatus(code), null, String(code));
  });
});
