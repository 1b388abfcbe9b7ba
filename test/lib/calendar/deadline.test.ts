// Unit tests of src/lib/calendar/deadline.ts: resuming after a supplement, judging on time.
//
// Every instant below is written with an explicit +07:00 (or Z) offset and every expectation is an
// absolute instant or a 'YYYY-MM-DD' string, so the results must not change with the process's
// TZ: the suite is run with TZ=UTC and TZ=America/New_York.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MS_PER_DAY } from '../../../src/lib/calendar/zone.js';
import { judgeOnTime, resumeAfterSupplement } from '../../../src/lib/calendar/deadline.js';
import { at, assertInstant, cal2024to2027, prng } from '../../support/calendar.js';

// ───────────────────────────── deadline.ts ─────────────────────────────

describe('resumeAfterSupplement', () => {
  const c = cal2024to2027;
  const receivedAt = at('2026-05-04T08:00+07:00');
  const dueAt = c.dueDate(receivedAt, 3, 'working');

  test('fixture: received Mon 4/5/2026 08:00 with 3 working days is due Thu 7/5 08:00', () => {
    assertInstant(dueAt, '2026-05-07T08:00+07:00');
  });

  test('pause: the due date moves by the working time spent awaiting the supplement', () => {
    const pausedAt = at('2026-05-05T10:00+07:00');
    const resumedAt = at('2026-05-08T10:00+07:00');
    const newDue = resumeAfterSupplement(c, { dueAt, pausedAt, resumedAt, rule: 'pause', processingDays: 3, dayKind: 'working' });
    assertInstant(newDue, '2026-05-12T08:00+07:00');
    // The 840 working minutes left when the clock stopped are left again when it restarts.
    assert.equal(c.workingMinutesBetween(pausedAt, dueAt), 840);
    assert.equal(c.workingMinutesBetween(resumedAt, newDue), 840);
  });

  test('pause across 30/4–1/5: only office time paused counts', () => {
    const due = c.dueDate(at('2026-04-28T07:00+07:00'), 2, 'working');
    assertInstant(due, '2026-04-29T17:00+07:00');
    const newDue = resumeAfterSupplement(c, {
      dueAt: due,
      pausedAt: at('2026-04-29T16:00+07:00'),
      resumedAt: at('2026-05-04T07:00+07:00'),
      rule: 'pause',
      processingDays: 2,
      dayKind: 'working',
    });
    assertInstant(newDue, '2026-05-04T08:00+07:00');
  });

  test('pause with no office time in between leaves a 17:00 due date alone', () => {
    const due = at('2026-05-08T17:00+07:00');
    const newDue = resumeAfterSupplement(c, {
      dueAt: due,
      pausedAt: at('2026-05-08T17:30+07:00'),
      resumedAt: at('2026-05-11T06:30+07:00'),
      rule: 'pause',
      processingDays: 1,
      dayKind: 'working',
    });
    assertInstant(newDue, '2026-05-08T17:00+07:00');
  });

  test('pause of a dossier already late: shifted, and still late', () => {
    const due = at('2026-05-04T17:00+07:00');
    const pausedAt = at('2026-05-05T09:00+07:00');
    const resumedAt = at('2026-05-06T09:00+07:00');
    const newDue = resumeAfterSupplement(c, { dueAt: due, pausedAt, resumedAt, rule: 'pause', processingDays: 1, dayKind: 'working' });
    assertInstant(newDue, '2026-05-05T17:00+07:00');
    assert.equal(judgeOnTime({ dueAt: newDue, now: resumedAt, pausedAt: null, finishedAt: null }), false);
    assert.equal(judgeOnTime({ dueAt: due, now: resumedAt, pausedAt, finishedAt: null }), false);
  });

  test('pause keeps the remaining working time (random cases)', () => {
    const random = prng(99);
    for (let i = 0; i < 300; i += 1) {
      const received = new Date(Date.UTC(2025, 0, 1) + Math.floor(random() * 2 * 365 * MS_PER_DAY));
      const days = 1 + Math.floor(random() * 10);
      const due = c.dueDate(received, days, 'working');
      const pausedAt = new Date(received.getTime() + Math.floor(random() * (due.getTime() - received.getTime())));
      const resumedAt = new Date(pausedAt.getTime() + Math.floor(random() * 20 * MS_PER_DAY));
      const newDue = resumeAfterSupplement(c, { dueAt: due, pausedAt, resumedAt, rule: 'pause', processingDays: days, dayKind: 'working' });
      assert.equal(c.workingMinutesBetween(resumedAt, newDue), c.workingMinutesBetween(pausedAt, due));
      assert.ok(newDue.getTime() >= due.getTime());
    }
  });

  test('restart: the full processing time starts again when the supplement arrives', () => {
    const base = {
      dueAt,
      pausedAt: at('2026-05-05T10:00+07:00'),
      rule: 'restart' as const,
      processingDays: 3,
      dayKind: 'working' as const,
    };
    assertInstant(resumeAfterSupplement(c, { ...base, resumedAt: at('2026-05-08T10:00+07:00') }), '2026-05-13T10:00+07:00');
    assertInstant(resumeAfterSupplement(c, { ...base, resumedAt: at('2026-05-08T17:45+07:00') }), '2026-05-13T17:00+07:00');
    assertInstant(
      resumeAfterSupplement(c, { ...base, processingDays: 1, resumedAt: at('2026-04-29T15:00+07:00') }),
      '2026-05-04T15:00+07:00',
      'restart across 30/4–1/5',
    );
  });

  test('calendar-day procedures: pause shifts by elapsed time, then rolls to a working day', () => {
    const due = c.dueDate(at('2026-06-03T10:00+07:00'), 3, 'calendar');
    assertInstant(due, '2026-06-08T10:00+07:00');
    const twoDays = { pausedAt: at('2026-06-04T10:00+07:00'), resumedAt: at('2026-06-06T10:00+07:00') };
    assertInstant(
      resumeAfterSupplement(c, { dueAt: due, ...twoDays, rule: 'pause', processingDays: 3, dayKind: 'calendar' }),
      '2026-06-10T10:00+07:00',
    );
    assertInstant(
      resumeAfterSupplement(c, { dueAt: at('2026-06-04T10:00+07:00'), ...twoDays, rule: 'pause', processingDays: 1, dayKind: 'calendar' }),
      '2026-06-08T10:00+07:00',
      'lands on Saturday → Monday',
    );
    assertInstant(
      resumeAfterSupplement(c, {
        dueAt: due,
        pausedAt: twoDays.pausedAt,
        resumedAt: twoDays.pausedAt,
        rule: 'pause',
        processingDays: 3,
        dayKind: 'calendar',
      }),
      '2026-06-08T10:00+07:00',
      'no time paused',
    );
    assertInstant(
      resumeAfterSupplement(c, { dueAt: due, ...twoDays, rule: 'restart', processingDays: 3, dayKind: 'calendar' }),
      '2026-06-09T10:00+07:00',
    );
  });
});

describe('judgeOnTime', () => {
  const dueAt = at('2026-05-05T09:00+07:00');

  test('open dossier: on time until the due date passes', () => {
    const open = (now: string): boolean => judgeOnTime({ dueAt, now: at(now), pausedAt: null, finishedAt: null });
    assert.equal(open('2026-05-05T08:59+07:00'), true);
    assert.equal(open('2026-05-05T09:00+07:00'), true, 'exactly at the due date is still on time');
    assert.equal(open('2026-05-05T09:00:01+07:00'), false);
    assert.equal(open('2026-05-20T09:00+07:00'), false);
  });

  test('finished dossier: judged by its finish time, whatever the time now', () => {
    const late = at('2026-06-01T09:00+07:00');
    assert.equal(judgeOnTime({ dueAt, now: late, pausedAt: null, finishedAt: at('2026-05-05T08:00+07:00') }), true);
    assert.equal(judgeOnTime({ dueAt, now: late, pausedAt: null, finishedAt: dueAt }), true);
    assert.equal(judgeOnTime({ dueAt, now: late, pausedAt: null, finishedAt: at('2026-05-05T10:00+07:00') }), false);
    assert.equal(
      judgeOnTime({ dueAt, now: at('2026-05-01T09:00+07:00'), pausedAt: null, finishedAt: at('2026-05-05T10:00+07:00') }),
      false,
    );
  });

  test('dossier awaiting a supplement: judged when its clock stopped; finish time wins', () => {
    const late = at('2026-06-01T09:00+07:00');
    assert.equal(judgeOnTime({ dueAt, now: late, pausedAt: at('2026-05-05T08:00+07:00'), finishedAt: null }), true);
    assert.equal(judgeOnTime({ dueAt, now: late, pausedAt: at('2026-05-05T10:00+07:00'), finishedAt: null }), false);
    assert.equal(
      judgeOnTime({ dueAt, now: late, pausedAt: at('2026-05-05T08:00+07:00'), finishedAt: at('2026-05-05T10:00+07:00') }),
      false,
    );
  });
});
