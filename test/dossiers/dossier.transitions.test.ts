/** transition(): step events, step names carried by other events, an agency's own result step, whole lifecycles. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_STEP_NAMES, transition } from '../../src/dossiers/dossier.state-machine.js';
import type { DossierEventType, DossierState, StepNames, TransitionResult } from '../../src/dossiers/dossier.state-machine.js';
import { CURRENT_STEP, NAMES, forbiddenReason } from '../support/dossier-states.js';

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
