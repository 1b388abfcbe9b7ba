import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, TEST_DB, type Harness } from '../support/harness.js';
import { DEMO_AGENCIES, loadDemoData } from '../../src/main/demo/demo.data.js';

describe(`demo data (${TEST_DB})`, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h.close());

  test('loads the 13 pilot agencies and dossiers in every state, some late and some unreachable; a second load changes nothing', async () => {
    const first = await loadDemoData(h.ctx, 300);
    assert.equal(first.agencies, 13);
    assert.equal(DEMO_AGENCIES.length, 13);
    assert.ok(first.dossiersCreated > 250, `${first.dossiersCreated} created (receipts later today than the clock are skipped)`);
    const states = await h.ctx.db.kysely.selectFrom('dossiers').select('state').distinct().execute();
    assert.deepEqual(states.map((s) => s.state).sort(), [
      'awaiting_supplement',
      'in_progress',
      'received',
      'refused',
      'result_ready',
      'returned',
      'stopped',
      'withdrawn',
    ]);
    const problems = await h.ctx.db.kysely
      .selectFrom('dossiers')
      .select('phone_problem')
      .where('phone_problem', 'is not', null)
      .distinct()
      .execute();
    assert.ok(problems.length >= 3, `phone problems: ${problems.map((p) => p.phone_problem).join(', ')}`);
    const late = await h.ctx.db.kysely
      .selectFrom('dossiers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', 'in', ['received', 'in_progress'])
      .where('due_at', '<', h.clock.now())
      .executeTakeFirstOrThrow();
    assert.ok(late.n > 0, 'some open dossiers are late');

    const counts = async () => ({
      dossiers: (
        await h.ctx.db.kysely
          .selectFrom('dossiers')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
      events: (
        await h.ctx.db.kysely
          .selectFrom('dossier_events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
      notifications: (
        await h.ctx.db.kysely
          .selectFrom('notifications')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    });
    const before = await counts();
    const second = await loadDemoData(h.ctx, 300);
    assert.equal(second.dossiersCreated, 0);
    assert.equal(second.dossiersExisting, first.dossiersCreated);
    assert.deepEqual(await counts(), before);
  });
});
