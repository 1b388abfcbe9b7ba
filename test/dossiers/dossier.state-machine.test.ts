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

const NAMES: StepNames = { resultStepName: 'Trả kết quả', supplementStepName: 'Chờ bổ sung' };

/** The step a dossier carries in each state in the table below. */
const CURRENT_STEP: Record<DossierState, string> = {
  received: 'Tiếp nhận hồ sơ',
  in_progress: 'Xử lý hồ sơ',
  awaiting_supplement: 'Chờ bổ sung',
  result_ready: 'Trả kết quả',
  returned: 'Đã trả kết quả',
  refused: 'Không đủ điều kiện giải quyết',
  withdrawn: 'Rút hồ sơ',
  stopped: 'Dừng xử lý',
};

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

const forbiddenReason = (state: DossierState, type: DossierEventType) =>
  `Không thể áp dụng sự kiện "${type}" cho hồ sơ đang ở trạng thái "${state}".`;

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

describe('transition: step events', () => {
  const cases: Array<[label: string, state: DossierState, current: string, step: string | undefined, expected: TransitionResult]> = [
    [
      'named step moves a received dossier to in progress',
      'received',
      'Tiếp nhận hồ sơ',
      'Phân công thụ lý',
      { ok: true, noop: false, state: 'in_progress', step: 'Phân công thụ lý' },
    ],
    [
      'repeating the receipt step keeps the dossier received',
      'received',
      'Tiếp nhận hồ sơ',
      'Tiếp nhận hồ sơ',
      { ok: true, noop: true, state: 'received', step: 'Tiếp nhận hồ sơ' },
    ],
    [
      'repeating the receipt step in other case and spacing',
      'received',
      'Tiếp nhận hồ sơ',
      '  TIẾP NHẬN HỒ SƠ ',
      { ok: true, noop: true, state: 'received', step: 'Tiếp nhận hồ sơ' },
    ],
    [
      'same step again is a no-op',
      'in_progress',
      'Thẩm định hồ sơ',
      'Thẩm định hồ sơ',
      { ok: true, noop: true, state: 'in_progress', step: 'Thẩm định hồ sơ' },
    ],
    [
      'same step, other case and surrounding spaces',
      'in_progress',
      'Thẩm định hồ sơ',
      '  THẨM ĐỊNH HỒ SƠ  ',
      { ok: true, noop: true, state: 'in_progress', step: 'Thẩm định hồ sơ' },
    ],
    [
      'same step in decomposed Unicode (NFD)',
      'in_progress',
      'Thẩm định hồ sơ',
      'Thẩm định hồ sơ'.normalize('NFD'),
      { ok: true, noop: true, state: 'in_progress', step: 'Thẩm định hồ sơ' },
    ],
    [
      'next step is a change and is trimmed',
      'in_progress',
      'Thẩm định hồ sơ',
      '  Trình ký  ',
      { ok: true, noop: false, state: 'in_progress', step: 'Trình ký' },
    ],
    [
      'the result step name means result ready',
      'in_progress',
      'Thẩm định hồ sơ',
      'Trả kết quả',
      { ok: true, noop: false, state: 'result_ready', step: 'Trả kết quả' },
    ],
    [
      'the result step name, upper case, gets the canonical name',
      'in_progress',
      'Thẩm định hồ sơ',
      'TRẢ KẾT QUẢ',
      { ok: true, noop: false, state: 'result_ready', step: 'Trả kết quả' },
    ],
    [
      'the result step name straight from intake (same-day)',
      'received',
      'Tiếp nhận hồ sơ',
      'Trả kết quả',
      { ok: true, noop: false, state: 'result_ready', step: 'Trả kết quả' },
    ],
    [
      'the result step name again in result ready is a no-op',
      'result_ready',
      'Trả kết quả',
      'trả kết quả',
      { ok: true, noop: true, state: 'result_ready', step: 'Trả kết quả' },
    ],
    [
      'the result step name from awaiting supplement',
      'awaiting_supplement',
      'Chờ bổ sung',
      'Trả kết quả',
      { ok: true, noop: false, state: 'result_ready', step: 'Trả kết quả' },
    ],
    [
      'the supplement step name means supplement requested',
      'in_progress',
      'Thẩm định hồ sơ',
      'Chờ bổ sung',
      { ok: true, noop: false, state: 'awaiting_supplement', step: 'Chờ bổ sung' },
    ],
    [
      'the supplement step name corrects a wrong result ready',
      'result_ready',
      'Trả kết quả',
      'chờ bổ sung',
      { ok: true, noop: false, state: 'awaiting_supplement', step: 'Chờ bổ sung' },
    ],
    [
      'the supplement step name again is a no-op',
      'awaiting_supplement',
      'Chờ bổ sung',
      'Chờ bổ sung',
      { ok: true, noop: true, state: 'awaiting_supplement', step: 'Chờ bổ sung' },
    ],
    [
      'a processing step after a wrong result ready goes back to in progress',
      'result_ready',
      'Trả kết quả',
      'Thẩm định hồ sơ',
      { ok: true, noop: false, state: 'in_progress', step: 'Thẩm định hồ sơ' },
    ],
    [
      'a processing step while awaiting a supplement resumes processing',
      'awaiting_supplement',
      'Chờ bổ sung',
      'Tiếp nhận hồ sơ bổ sung',
      { ok: true, noop: false, state: 'in_progress', step: 'Tiếp nhận hồ sơ bổ sung' },
    ],
    ['missing step name', 'in_progress', 'Thẩm định hồ sơ', undefined, { ok: false, reason: 'Sự kiện "step" cần tên bước (step).' }],
    ['empty step name', 'received', 'Tiếp nhận hồ sơ', '', { ok: false, reason: 'Sự kiện "step" cần tên bước (step).' }],
    ['blank step name', 'in_progress', 'Thẩm định hồ sơ', '   ', { ok: false, reason: 'Sự kiện "step" cần tên bước (step).' }],
    [
      'blank step name on a terminal state',
      'returned',
      'Đã trả kết quả',
      ' ',
      { ok: false, reason: 'Sự kiện "step" cần tên bước (step).' },
    ],
    [
      'the result step name after the result was returned',
      'returned',
      'Đã trả kết quả',
      'Trả kết quả',
      { ok: false, reason: forbiddenReason('returned', 'result_ready') },
    ],
    [
      'the supplement step name on a refused dossier',
      'refused',
      'Không đủ điều kiện giải quyết',
      'Chờ bổ sung',
      { ok: false, reason: forbiddenReason('refused', 'supplement_requested') },
    ],
    [
      'an ordinary step on a withdrawn dossier',
      'withdrawn',
      'Rút hồ sơ',
      'Thẩm định hồ sơ',
      { ok: false, reason: forbiddenReason('withdrawn', 'step') },
    ],
  ];
  for (const [label, state, current, step, expected] of cases) {
    test(label, () => {
      assert.deepEqual(transition({ state, step: current }, { type: 'step', step }, NAMES), expected);
    });
  }
});

describe('transition: step names carried by other events', () => {
  test('refused / withdrawn / stopped / returned / supplement_received keep a given step name, trimmed', () => {
    const cases: Array<[from: DossierState, type: DossierEventType, target: DossierState, defaultStep: string]> = [
      ['in_progress', 'refused', 'refused', 'Không đủ điều kiện giải quyết'],
      ['in_progress', 'withdrawn', 'withdrawn', 'Rút hồ sơ'],
      ['in_progress', 'stopped', 'stopped', 'Dừng xử lý'],
      ['result_ready', 'returned', 'returned', 'Đã trả kết quả'],
      ['awaiting_supplement', 'supplement_received', 'in_progress', 'Tiếp nhận hồ sơ bổ sung'],
    ];
    for (const [from, type, target, defaultStep] of cases) {
      const current = { state: from, step: CURRENT_STEP[from] };
      assert.deepEqual(
        transition(current, { type, step: '  Bước riêng của cơ quan ' }, NAMES),
        { ok: true, noop: false, state: target, step: 'Bước riêng của cơ quan' },
        `${from} + ${type}`,
      );
      assert.deepEqual(
        transition(current, { type, step: '   ' }, NAMES),
        { ok: true, noop: false, state: target, step: defaultStep },
        `${from} + ${type} blank`,
      );
    }
  });

  test('result_ready and supplement_requested always use the agency step names', () => {
    assert.deepEqual(transition({ state: 'in_progress', step: 'X' }, { type: 'result_ready', step: 'Ký duyệt' }, NAMES), {
      ok: true,
      noop: false,
      state: 'result_ready',
      step: 'Trả kết quả',
    });
    assert.deepEqual(transition({ state: 'in_progress', step: 'X' }, { type: 'supplement_requested', step: 'Bổ sung lần 2' }, NAMES), {
      ok: true,
      noop: false,
      state: 'awaiting_supplement',
      step: 'Chờ bổ sung',
    });
  });

  test('due_changed keeps state and step', () => {
    for (const state of ['received', 'in_progress', 'awaiting_supplement'] as const) {
      assert.deepEqual(transition({ state, step: 'Bước hiện tại' }, { type: 'due_changed', step: 'Bỏ qua' }, NAMES), {
        ok: true,
        noop: false,
        state,
        step: 'Bước hiện tại',
      });
    }
  });
});

describe('transition: agency with its own result step name', () => {
  const names: StepNames = { resultStepName: 'Hoàn thành giải quyết', supplementStepName: 'Chờ bổ sung' };

  test('its result step means result ready, with its spelling', () => {
    assert.deepEqual(transition({ state: 'in_progress', step: 'Thẩm định' }, { type: 'step', step: 'hoàn thành giải quyết' }, names), {
      ok: true,
      noop: false,
      state: 'result_ready',
      step: 'Hoàn thành giải quyết',
    });
  });

  test('"Trả kết quả" is then an ordinary step', () => {
    assert.deepEqual(transition({ state: 'in_progress', step: 'Thẩm định' }, { type: 'step', step: 'Trả kết quả' }, names), {
      ok: true,
      noop: false,
      state: 'in_progress',
      step: 'Trả kết quả',
    });
  });

  test('a result_ready event gets its step name', () => {
    assert.deepEqual(transition({ state: 'received', step: 'Tiếp nhận hồ sơ' }, { type: 'result_ready' }, names), {
      ok: true,
      noop: false,
      state: 'result_ready',
      step: 'Hoàn thành giải quyết',
    });
  });
});

describe('transition: whole lifecycles', () => {
  function walk(events: Array<{ type: DossierEventType; step?: string }>, names: StepNames = NAMES) {
    let current: { state: DossierState; step: string } = { state: 'received', step: DEFAULT_STEP_NAMES.received };
    const trail: string[] = [];
    for (const event of events) {
      const r = transition(current, event, names);
      if (!r.ok) {
        trail.push(`forbidden:${event.type}`);
        continue;
      }
      current = { state: r.state, step: r.step };
      trail.push(r.noop ? `noop:${r.state}` : `${r.state}/${r.step}`);
    }
    return trail;
  }

  test('the ordinary path', () => {
    assert.deepEqual(
      walk([
        { type: 'step', step: 'Thẩm định hồ sơ' },
        { type: 'step', step: 'Trình ký' },
        { type: 'step', step: 'Trả kết quả' },
        { type: 'returned' },
      ]),
      ['in_progress/Thẩm định hồ sơ', 'in_progress/Trình ký', 'result_ready/Trả kết quả', 'returned/Đã trả kết quả'],
    );
  });

  test("the pilot's wrong button: result ready pressed instead of supplement, then corrected", () => {
    assert.deepEqual(
      walk([
        { type: 'step', step: 'Thẩm định hồ sơ' },
        { type: 'result_ready' },
        { type: 'supplement_requested' },
        { type: 'supplement_received' },
        { type: 'result_ready' },
        { type: 'returned' },
        { type: 'supplement_requested' },
      ]),
      [
        'in_progress/Thẩm định hồ sơ',
        'result_ready/Trả kết quả',
        'awaiting_supplement/Chờ bổ sung',
        'in_progress/Tiếp nhận hồ sơ bổ sung',
        'result_ready/Trả kết quả',
        'returned/Đã trả kết quả',
        'forbidden:supplement_requested',
      ],
    );
  });

  test('supplement pressed by mistake, corrected back to processing and to result ready', () => {
    assert.deepEqual(
      walk([
        { type: 'supplement_requested' },
        { type: 'step', step: 'Thẩm định hồ sơ' },
        { type: 'supplement_requested' },
        { type: 'result_ready' },
      ]),
      ['awaiting_supplement/Chờ bổ sung', 'in_progress/Thẩm định hồ sơ', 'awaiting_supplement/Chờ bổ sung', 'result_ready/Trả kết quả'],
    );
  });

  test('one-stop software forwarding only step names', () => {
    assert.deepEqual(
      walk([
        { type: 'step', step: 'Tiếp nhận hồ sơ' },
        { type: 'step', step: 'Thẩm định hồ sơ' },
        { type: 'step', step: 'Chờ bổ sung' },
        { type: 'step', step: 'Chờ bổ sung' },
        { type: 'step', step: 'Thẩm định hồ sơ' },
        { type: 'step', step: 'Trả kết quả' },
        { type: 'step', step: 'Trả kết quả' },
      ]),
      [
        'noop:received',
        'in_progress/Thẩm định hồ sơ',
        'awaiting_supplement/Chờ bổ sung',
        'noop:awaiting_supplement',
        'in_progress/Thẩm định hồ sơ',
        'result_ready/Trả kết quả',
        'noop:result_ready',
      ],
    );
  });

  test('refusal, then nothing more', () => {
    assert.deepEqual(walk([{ type: 'refused' }, { type: 'refused' }, { type: 'step', step: 'Thẩm định' }, { type: 'withdrawn' }]), [
      'refused/Không đủ điều kiện giải quyết',
      'noop:refused',
      'forbidden:step',
      'forbidden:withdrawn',
    ]);
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
