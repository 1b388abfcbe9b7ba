import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  VALID_STATES,
  isTriggerOn,
  planForIntake,
  planForTransition,
  procedureGetsMessages,
} from '../../../src/messages/plan/notification.rules.js';
import type { Plan, PlannedMessage, TriggerSettings } from '../../../src/messages/plan/notification.rules.js';
import { DOSSIER_STATES, transition } from '../../../src/dossiers/dossier.state-machine.js';
import type { DossierEventType, DossierState } from '../../../src/dossiers/dossier.state-machine.js';
import {
  DEFAULT_TRIGGERS,
  NOTIFICATION_KINDS,
  TRIGGER_KINDS,
  type NotificationKind,
  TEMPLATE_KINDS,
} from '../../../src/messages/catalogue.js';

type ReturnMethod = 'counter' | 'postal' | 'online';

const DEFAULTS: TriggerSettings = { triggers: {}, notifySameDay: false };
const ALL_ON: TriggerSettings = {
  triggers: Object.fromEntries(TRIGGER_KINDS.map((k) => [k, true])),
  notifySameDay: false,
};
const ALL_OFF: TriggerSettings = {
  triggers: Object.fromEntries(TRIGGER_KINDS.map((k) => [k, false])),
  notifySameDay: true,
};
const only = (...kinds: string[]): TriggerSettings => ({
  triggers: Object.fromEntries(TRIGGER_KINDS.map((k) => [k, kinds.includes(k)])),
  notifySameDay: false,
});
const sameDay = (s: TriggerSettings): TriggerSettings => ({ ...s, notifySameDay: true });

const msg = (kind: NotificationKind, occurrence: string, held: boolean, template: string = kind): PlannedMessage => ({
  kind,
  template,
  occurrence,
  held,
});

function plan(
  before: DossierState,
  after: DossierState,
  eventType: DossierEventType,
  settings: TriggerSettings,
  opts: { seq?: number; returnMethod?: ReturnMethod; processingDays?: number } = {},
): Plan {
  return planForTransition(
    {
      before,
      after,
      eventType,
      seq: opts.seq ?? 5,
      returnMethod: opts.returnMethod ?? 'counter',
      processingDays: opts.processingDays ?? 5,
    },
    settings,
  );
}

/** What is cancelled once the dossier lands in each state: every pending message that no longer
 *  fits (a result message once the dossier is no longer result ready, and so on). */
const CANCELLED_IN: Record<DossierState, NotificationKind[]> = {
  received: ['result_ready', 'supplement_required', 'clock_stopped', 'refused', 'withdrawn'],
  in_progress: ['result_ready', 'supplement_required', 'clock_stopped', 'refused', 'withdrawn'],
  awaiting_supplement: ['result_ready', 'clock_resumed', 'apology', 'overdue_warning', 'refused', 'withdrawn'],
  result_ready: ['supplement_required', 'clock_stopped', 'clock_resumed', 'apology', 'overdue_warning', 'refused', 'withdrawn'],
  returned: ['result_ready', 'supplement_required', 'clock_stopped', 'clock_resumed', 'apology', 'overdue_warning', 'refused', 'withdrawn'],
  refused: ['result_ready', 'supplement_required', 'clock_stopped', 'clock_resumed', 'apology', 'overdue_warning', 'withdrawn'],
  withdrawn: ['result_ready', 'supplement_required', 'clock_stopped', 'clock_resumed', 'apology', 'overdue_warning', 'refused'],
  stopped: ['result_ready', 'supplement_required', 'clock_stopped', 'clock_resumed', 'apology', 'overdue_warning', 'refused', 'withdrawn'],
};
const sorted = (kinds: readonly string[]) => [...kinds].sort();

describe('trigger configuration', () => {
  test('notification kinds', () => {
    assert.deepEqual(
      [...NOTIFICATION_KINDS],
      [
        'result_ready',
        'supplement_required',
        'apology',
        'lookup_reply',
        'received_online',
        'received_postal',
        'clock_stopped',
        'clock_resumed',
        'refused',
        'withdrawn',
        'overdue_warning',
      ],
    );
  });

  test("the seeds' three messages are on by default, the rest off", () => {
    assert.deepEqual(DEFAULT_TRIGGERS, {
      result_ready: true,
      supplement_required: true,
      apology: true,
      received_online: false,
      received_postal: false,
      clock_stopped: false,
      clock_resumed: false,
      refused: false,
      withdrawn: false,
      overdue_warning: false,
    });
    assert.deepEqual(sorted(TRIGGER_KINDS), sorted(NOTIFICATION_KINDS.filter((k) => k !== 'lookup_reply')));
  });

  test('isTriggerOn: default, explicit on, explicit off', () => {
    for (const kind of TRIGGER_KINDS) {
      assert.equal(isTriggerOn(kind, DEFAULTS), DEFAULT_TRIGGERS[kind], kind);
      assert.equal(isTriggerOn(kind, ALL_ON), true, kind);
      assert.equal(isTriggerOn(kind, ALL_OFF), false, kind);
    }
    assert.equal(isTriggerOn('result_ready', { triggers: { refused: true, unknown_kind: false }, notifySameDay: false }), true);
  });

  test('procedureGetsMessages: same-day only when the agency turns it on', () => {
    assert.equal(procedureGetsMessages(5, DEFAULTS), true);
    assert.equal(procedureGetsMessages(1, DEFAULTS), true);
    assert.equal(procedureGetsMessages(0, DEFAULTS), false);
    assert.equal(procedureGetsMessages(0, sameDay(DEFAULTS)), true);
    assert.equal(procedureGetsMessages(30, sameDay(DEFAULTS)), true);
  });

  test('VALID_STATES only names real states', () => {
    for (const [kind, states] of Object.entries(VALID_STATES)) {
      assert.ok((NOTIFICATION_KINDS as readonly string[]).includes(kind), kind);
      for (const s of states!) assert.ok((DOSSIER_STATES as readonly string[]).includes(s), `${kind}: ${s}`);
    }
  });
});

describe('planForIntake', () => {
  type Row = [via: ReturnMethod, settings: TriggerSettings, processingDays: number, expected: PlannedMessage[], note: string];
  const rows: Row[] = [
    ['counter', DEFAULTS, 5, [], 'counter, defaults'],
    ['online', DEFAULTS, 5, [], 'online, trigger off by default'],
    ['postal', DEFAULTS, 5, [], 'postal, trigger off by default'],
    ['counter', ALL_ON, 5, [], 'counter never gets a receipt message'],
    ['online', ALL_ON, 5, [msg('received_online', 'intake', false)], 'online, all on'],
    ['postal', ALL_ON, 5, [msg('received_postal', 'intake', false)], 'postal, all on'],
    ['online', only('received_online'), 5, [msg('received_online', 'intake', false)], 'online, its trigger on'],
    ['postal', only('received_online'), 5, [], 'postal, only the online trigger on'],
    ['postal', only('received_postal'), 5, [msg('received_postal', 'intake', false)], 'postal, its trigger on'],
    ['online', only('received_postal'), 5, [], 'online, only the postal trigger on'],
    ['online', ALL_ON, 0, [], 'same-day, online, all on, notifySameDay off'],
    ['postal', ALL_ON, 0, [], 'same-day, postal, all on, notifySameDay off'],
    ['online', sameDay(ALL_ON), 0, [msg('received_online', 'intake', false)], 'same-day with notifySameDay'],
    ['postal', sameDay(ALL_ON), 0, [msg('received_postal', 'intake', false)], 'same-day postal with notifySameDay'],
    ['counter', sameDay(ALL_ON), 0, [], 'same-day counter with notifySameDay'],
    ['online', ALL_OFF, 0, [], 'everything off'],
  ];
  for (const [via, settings, processingDays, expected, note] of rows) {
    test(note, () => {
      assert.deepEqual(planForIntake({ submittedVia: via, processingDays }, settings), { create: expected, cancelKinds: [] });
    });
  }
});

describe('planForTransition: what is created', () => {
  /** [before, after, event, returnMethod, with default triggers, with every trigger on] (seq 5) */
  type Row = [DossierState, DossierState, DossierEventType, ReturnMethod, PlannedMessage[], PlannedMessage[]];
  const RR = msg('result_ready', 'e5', true);
  const RR_POSTAL = msg('result_ready', 'e5', true, 'result_ready_postal');
  const RR_ONLINE = msg('result_ready', 'e5', true, 'result_ready_online');
  const SUPP = msg('supplement_required', 'e5', true);
  const STOPPED = msg('clock_stopped', 'e5', true);
  const RESUMED = msg('clock_resumed', 'e5', false);
  const REFUSED = msg('refused', 'e5', true);
  const WITHDRAWN = msg('withdrawn', 'e5', true);
  const rows: Row[] = [
    // result ready, by how the result is returned
    ['in_progress', 'result_ready', 'result_ready', 'counter', [RR], [RR]],
    ['in_progress', 'result_ready', 'step', 'counter', [RR], [RR]],
    ['in_progress', 'result_ready', 'result_ready', 'postal', [RR_POSTAL], [RR_POSTAL]],
    ['in_progress', 'result_ready', 'result_ready', 'online', [RR_ONLINE], [RR_ONLINE]],
    ['received', 'result_ready', 'result_ready', 'counter', [RR], [RR]],
    ['received', 'result_ready', 'step', 'postal', [RR_POSTAL], [RR_POSTAL]],
    ['awaiting_supplement', 'result_ready', 'result_ready', 'counter', [RR], [RR]],
    ['awaiting_supplement', 'result_ready', 'step', 'online', [RR_ONLINE], [RR_ONLINE]],
    // supplement
    ['in_progress', 'awaiting_supplement', 'supplement_requested', 'counter', [SUPP], [SUPP, STOPPED]],
    ['in_progress', 'awaiting_supplement', 'step', 'postal', [SUPP], [SUPP, STOPPED]],
    ['received', 'awaiting_supplement', 'supplement_requested', 'counter', [SUPP], [SUPP, STOPPED]],
    ['result_ready', 'awaiting_supplement', 'supplement_requested', 'counter', [SUPP], [SUPP, STOPPED]],
    ['awaiting_supplement', 'in_progress', 'supplement_received', 'counter', [], [RESUMED]],
    ['awaiting_supplement', 'in_progress', 'step', 'counter', [], [RESUMED]],
    // processing steps and corrections that create nothing
    ['received', 'in_progress', 'step', 'counter', [], []],
    ['in_progress', 'in_progress', 'step', 'counter', [], []],
    ['result_ready', 'in_progress', 'step', 'counter', [], []],
    ['result_ready', 'result_ready', 'result_ready', 'counter', [], []],
    ['awaiting_supplement', 'awaiting_supplement', 'due_changed', 'counter', [], []],
    ['in_progress', 'in_progress', 'due_changed', 'counter', [], []],
    ['received', 'received', 'due_changed', 'counter', [], []],
    ['result_ready', 'returned', 'returned', 'counter', [], []],
    ['result_ready', 'returned', 'returned', 'postal', [], []],
    // endings
    ['received', 'refused', 'refused', 'counter', [], [REFUSED]],
    ['in_progress', 'refused', 'refused', 'counter', [], [REFUSED]],
    ['awaiting_supplement', 'refused', 'refused', 'postal', [], [REFUSED]],
    ['received', 'withdrawn', 'withdrawn', 'counter', [], [WITHDRAWN]],
    ['in_progress', 'withdrawn', 'withdrawn', 'counter', [], [WITHDRAWN]],
    ['awaiting_supplement', 'withdrawn', 'withdrawn', 'online', [], [WITHDRAWN]],
    ['received', 'stopped', 'stopped', 'counter', [], []],
    ['in_progress', 'stopped', 'stopped', 'counter', [], []],
    ['awaiting_supplement', 'stopped', 'stopped', 'counter', [], []],
  ];

  for (const [before, after, eventType, returnMethod, byDefault, allOn] of rows) {
    const label = `${before} → ${after} (${eventType}, ${returnMethod})`;
    test(`${label}, default triggers`, () => {
      const p = plan(before, after, eventType, DEFAULTS, { returnMethod });
      assert.deepEqual(p.create, byDefault);
      assert.deepEqual(sorted(p.cancelKinds), sorted(CANCELLED_IN[after]));
    });
    test(`${label}, every trigger on`, () => {
      const p = plan(before, after, eventType, ALL_ON, { returnMethod });
      assert.deepEqual(p.create, allOn);
      assert.deepEqual(sorted(p.cancelKinds), sorted(CANCELLED_IN[after]));
    });
    test(`${label}, every trigger off`, () => {
      const p = plan(before, after, eventType, ALL_OFF, { returnMethod });
      assert.deepEqual(p.create, []);
      assert.deepEqual(sorted(p.cancelKinds), sorted(CANCELLED_IN[after]));
    });
  }

  test('the table covers every transition the state machine allows', () => {
    const covered = new Set(rows.map(([b, a]) => `${b}→${a}`));
    const names = { resultStepName: 'Trả kết quả', supplementStepName: 'Chờ bổ sung' };
    const events: Array<{ type: DossierEventType; step?: string }> = [
      { type: 'step', step: 'Thẩm định hồ sơ' },
      { type: 'supplement_requested' },
      { type: 'supplement_received' },
      { type: 'result_ready' },
      { type: 'returned' },
      { type: 'refused' },
      { type: 'withdrawn' },
      { type: 'stopped' },
      { type: 'due_changed' },
    ];
    for (const state of DOSSIER_STATES) {
      for (const event of events) {
        const r = transition({ state, step: 'Bước X' }, event, names);
        if (r.ok && !r.noop) assert.ok(covered.has(`${state}→${r.state}`), `${state} → ${r.state} by ${event.type}`);
      }
    }
  });

  test('turning a single trigger off', () => {
    const noResult = { triggers: { result_ready: false }, notifySameDay: false };
    assert.deepEqual(plan('in_progress', 'result_ready', 'result_ready', noResult).create, []);
    const stoppedOnly = { triggers: { supplement_required: false, clock_stopped: true }, notifySameDay: false };
    assert.deepEqual(plan('in_progress', 'awaiting_supplement', 'supplement_requested', stoppedOnly).create, [
      msg('clock_stopped', 'e5', true),
    ]);
    assert.deepEqual(plan('in_progress', 'refused', 'refused', only('refused')).create, [msg('refused', 'e5', true)]);
    assert.deepEqual(plan('in_progress', 'refused', 'refused', only('withdrawn')).create, []);
    assert.deepEqual(plan('awaiting_supplement', 'in_progress', 'supplement_received', only('clock_resumed')).create, [
      msg('clock_resumed', 'e5', false),
    ]);
    assert.deepEqual(plan('result_ready', 'in_progress', 'step', only('clock_resumed')).create, [], 'resumed only after a supplement');
  });

  test('every planned template exists', () => {
    const templates = new Set<string>();
    for (const returnMethod of ['counter', 'postal', 'online'] as const) {
      for (const before of DOSSIER_STATES) {
        for (const after of DOSSIER_STATES) {
          for (const m of plan(before, after, 'step', ALL_ON, { returnMethod }).create) templates.add(m.template);
        }
      }
    }
    for (const via of ['counter', 'postal', 'online'] as const) {
      for (const m of planForIntake({ submittedVia: via, processingDays: 5 }, ALL_ON).create) templates.add(m.template);
    }
    assert.deepEqual(
      sorted([...templates]),
      sorted([
        'result_ready',
        'result_ready_postal',
        'result_ready_online',
        'supplement_required',
        'clock_stopped',
        'clock_resumed',
        'refused',
        'withdrawn',
        'received_online',
        'received_postal',
      ]),
    );
    for (const t of templates) assert.ok((TEMPLATE_KINDS as readonly string[]).includes(t), t);
  });
});

describe('planForTransition: every (before, after) pair', () => {
  for (const before of DOSSIER_STATES) {
    for (const after of DOSSIER_STATES) {
      test(`${before} → ${after}: cancels what no longer fits; creates only on a change`, () => {
        const p = plan(before, after, 'step', ALL_ON);
        assert.deepEqual(sorted(p.cancelKinds), sorted(CANCELLED_IN[after]));
        if (before === after) assert.deepEqual(p.create, []);
        for (const m of p.create) {
          assert.ok(!p.cancelKinds.includes(m.kind), `${m.kind} is not created and cancelled at once`);
          assert.ok(VALID_STATES[m.kind]?.includes(after), `${m.kind} fits ${after}`);
        }
      });
    }
  }
});

describe('same-day procedures', () => {
  const transitions: Array<[DossierState, DossierState, DossierEventType]> = [
    ['received', 'result_ready', 'result_ready'],
    ['in_progress', 'result_ready', 'step'],
    ['in_progress', 'awaiting_supplement', 'supplement_requested'],
    ['awaiting_supplement', 'in_progress', 'supplement_received'],
    ['in_progress', 'refused', 'refused'],
    ['in_progress', 'withdrawn', 'withdrawn'],
  ];
  for (const [before, after, eventType] of transitions) {
    test(`${before} → ${after}: nothing unless notifySameDay, but wrong messages are still cancelled`, () => {
      const off = plan(before, after, eventType, ALL_ON, { processingDays: 0 });
      assert.deepEqual(off.create, []);
      assert.deepEqual(sorted(off.cancelKinds), sorted(CANCELLED_IN[after]));
      const on = plan(before, after, eventType, sameDay(ALL_ON), { processingDays: 0 });
      const normal = plan(before, after, eventType, ALL_ON, { processingDays: 3 });
      assert.ok(on.create.length > 0);
      assert.deepEqual(on, normal);
    });
  }

  test('default triggers, same-day result ready', () => {
    assert.deepEqual(plan('received', 'result_ready', 'result_ready', DEFAULTS, { processingDays: 0 }).create, []);
    assert.deepEqual(plan('received', 'result_ready', 'result_ready', sameDay(DEFAULTS), { processingDays: 0 }).create, [
      msg('result_ready', 'e5', true),
    ]);
  });
});

describe('corrections and occurrences, replayed through the state machine', () => {
  const names = { resultStepName: 'Trả kết quả', supplementStepName: 'Chờ bổ sung' };

  /** Applies events in order; keeps the set of pending messages as the outbox would
   *  (keyed by kind|occurrence, cancelled by kind). */
  function replay(
    events: Array<{ type: DossierEventType; step?: string }>,
    settings: TriggerSettings = DEFAULTS,
    returnMethod: ReturnMethod = 'counter',
  ) {
    let current: { state: DossierState; step: string } = { state: 'received', step: 'Tiếp nhận hồ sơ' };
    let seq = 0;
    const pending = new Map<string, PlannedMessage>();
    const cancelled: string[] = [];
    const created: string[] = [];
    for (const event of events) {
      const r = transition(current, event, names);
      assert.ok(r.ok, `${current.state} + ${event.type}`);
      if (r.noop) continue;
      seq += 1;
      const p = planForTransition(
        { before: current.state, after: r.state, eventType: event.type, seq, returnMethod, processingDays: 5 },
        settings,
      );
      for (const [key, m] of pending) {
        if (p.cancelKinds.includes(m.kind)) {
          pending.delete(key);
          cancelled.push(key);
        }
      }
      for (const m of p.create) {
        const key = `${m.kind}|${m.occurrence}`;
        assert.ok(!created.includes(key), `dedupe key ${key} used twice`);
        created.push(key);
        pending.set(key, m);
      }
      current = { state: r.state, step: r.step };
    }
    return { pending: [...pending.keys()], cancelled, created };
  }

  test('result ready pressed by mistake, then supplement: the result message is cancelled', () => {
    const r = replay([{ type: 'step', step: 'Thẩm định hồ sơ' }, { type: 'result_ready' }, { type: 'supplement_requested' }]);
    assert.deepEqual(r.created, ['result_ready|e2', 'supplement_required|e3']);
    assert.deepEqual(r.cancelled, ['result_ready|e2']);
    assert.deepEqual(r.pending, ['supplement_required|e3']);
  });

  test('the same correction done with step names', () => {
    const r = replay([
      { type: 'step', step: 'Thẩm định hồ sơ' },
      { type: 'step', step: 'Trả kết quả' },
      { type: 'step', step: 'Chờ bổ sung' },
    ]);
    assert.deepEqual(r.cancelled, ['result_ready|e2']);
    assert.deepEqual(r.pending, ['supplement_required|e3']);
  });

  test('result ready pressed by mistake, then back to processing: cancelled, nothing new', () => {
    const r = replay([{ type: 'step', step: 'Thẩm định hồ sơ' }, { type: 'result_ready' }, { type: 'step', step: 'Thẩm định hồ sơ' }]);
    assert.deepEqual(r.cancelled, ['result_ready|e2']);
    assert.deepEqual(r.pending, []);
  });

  test('supplement pressed by mistake, then result ready: supplement (and clock stop) cancelled, result created', () => {
    const r = replay([{ type: 'step', step: 'Thẩm định hồ sơ' }, { type: 'supplement_requested' }, { type: 'result_ready' }], ALL_ON);
    assert.deepEqual(r.created, ['supplement_required|e2', 'clock_stopped|e2', 'result_ready|e3']);
    assert.deepEqual(sorted(r.cancelled), ['clock_stopped|e2', 'supplement_required|e2']);
    assert.deepEqual(r.pending, ['result_ready|e3']);
  });

  test('two supplement requests give two different occurrences', () => {
    const r = replay([
      { type: 'step', step: 'Thẩm định hồ sơ' },
      { type: 'supplement_requested' },
      { type: 'supplement_received' },
      { type: 'supplement_requested' },
    ]);
    assert.deepEqual(r.created, ['supplement_required|e2', 'supplement_required|e4']);
    assert.notEqual(r.created[0], r.created[1]);
  });

  test('a repeated supplement request while awaiting is a no-op: no second message', () => {
    const r = replay([{ type: 'supplement_requested' }, { type: 'supplement_requested' }, { type: 'step', step: 'Chờ bổ sung' }]);
    assert.deepEqual(r.created, ['supplement_required|e1']);
  });

  test('result ready twice (after a correction) gives two occurrences, the first cancelled', () => {
    const r = replay(
      [{ type: 'result_ready' }, { type: 'step', step: 'Ký duyệt' }, { type: 'result_ready' }, { type: 'returned' }],
      DEFAULTS,
      'postal',
    );
    assert.deepEqual(r.created, ['result_ready|e1', 'result_ready|e3']);
    assert.deepEqual(r.cancelled, ['result_ready|e1', 'result_ready|e3']);
  });

  test('occurrence is deterministic in seq (a replayed event dedupes) and distinct across seqs', () => {
    const a = plan('in_progress', 'awaiting_supplement', 'supplement_requested', ALL_ON, { seq: 7 });
    const b = plan('in_progress', 'awaiting_supplement', 'supplement_requested', ALL_ON, { seq: 7 });
    const c = plan('in_progress', 'awaiting_supplement', 'supplement_requested', ALL_ON, { seq: 9 });
    assert.deepEqual(a, b);
    assert.deepEqual(
      a.create.map((m) => m.occurrence),
      ['e7', 'e7'],
    );
    assert.deepEqual(
      c.create.map((m) => m.occurrence),
      ['e9', 'e9'],
    );
    const seen = new Set<string>();
    for (let seq = 1; seq <= 50; seq++) {
      for (const m of plan('in_progress', 'result_ready', 'result_ready', DEFAULTS, { seq }).create) seen.add(m.occurrence);
    }
    assert.equal(seen.size, 50);
    assert.ok(!seen.has('intake'), 'never collides with the intake occurrence');
  });
});

describe('which kinds are held', () => {
  test('result, supplement, clock stopped, refusal and withdrawal wait for the hold; the rest do not', () => {
    const held = new Map<NotificationKind, boolean>();
    const record = (p: Plan) => {
      for (const m of p.create) held.set(m.kind, m.held);
    };
    for (const before of DOSSIER_STATES) {
      for (const after of DOSSIER_STATES) record(plan(before, after, 'step', ALL_ON));
    }
    for (const via of ['online', 'postal'] as const) record(planForIntake({ submittedVia: via, processingDays: 5 }, ALL_ON));
    assert.deepEqual(Object.fromEntries([...held].sort(([a], [b]) => a.localeCompare(b))), {
      clock_resumed: false,
      clock_stopped: true,
      received_online: false,
      received_postal: false,
      refused: true,
      result_ready: true,
      supplement_required: true,
      withdrawn: true,
    });
  });

  test('every result variant is held', () => {
    for (const returnMethod of ['counter', 'postal', 'online'] as const) {
      const [m] = plan('in_progress', 'result_ready', 'result_ready', DEFAULTS, { returnMethod }).create;
      assert.equal(m?.held, true, returnMethod);
    }
  });
});
