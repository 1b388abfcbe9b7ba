import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deadlineStatus } from '../../src/dossiers/dossier.deadline.js';
import { DOSSIER_STATES } from '../../src/dossiers/dossier.state-machine.js';

const at = (iso: string) => Date.parse(iso);
const due = at('2026-11-27T16:30:00+07:00');
const before = at('2026-11-27T10:00:00+07:00');
const after = at('2026-11-28T08:00:00+07:00');

describe('deadlineStatus: the one on-time rule', () => {
  test('an open dossier is on time until its due date passes, then late', () => {
    const open = { state: 'in_progress', due_at: due, paused_at: null, finished_at: null };
    assert.deepEqual(deadlineStatus(open, before), { onTime: true, statusText: 'Đúng hạn' });
    assert.deepEqual(deadlineStatus(open, due), { onTime: true, statusText: 'Đúng hạn' });
    assert.deepEqual(deadlineStatus(open, after), { onTime: false, statusText: 'Trễ hạn' });
  });

  test('a dossier with its result is judged by when it reached Trả kết quả, whatever the time now', () => {
    const early = { state: 'returned', due_at: due, paused_at: null, finished_at: before };
    const lateFinish = { state: 'result_ready', due_at: due, paused_at: null, finished_at: after };
    assert.deepEqual(deadlineStatus(early, after + 30 * 86_400_000), { onTime: true, statusText: 'Đúng hạn' });
    assert.deepEqual(deadlineStatus(lateFinish, after), { onTime: false, statusText: 'Trễ hạn' });
  });

  test('a dossier awaiting a supplement is judged when its clock stopped', () => {
    const paused = { state: 'awaiting_supplement', due_at: due, paused_at: before, finished_at: null };
    assert.deepEqual(deadlineStatus(paused, after), { onTime: true, statusText: 'Đúng hạn' });
  });

  for (const state of ['refused', 'withdrawn', 'stopped']) {
    test(`a ${state} dossier is neither on time nor late, even long past its due date`, () => {
      const closed = { state, due_at: due, paused_at: null, finished_at: after };
      assert.deepEqual(deadlineStatus(closed, after), { onTime: null, statusText: null });
      assert.deepEqual(deadlineStatus({ ...closed, finished_at: before }, before), { onTime: null, statusText: null });
    });
  }

  test('every other state gets a label', () => {
    const labelled = DOSSIER_STATES.filter(
      (state) => deadlineStatus({ state, due_at: due, paused_at: null, finished_at: null }, before).onTime !== null,
    );
    assert.deepEqual(labelled, ['received', 'in_progress', 'awaiting_supplement', 'result_ready', 'returned']);
  });
});
