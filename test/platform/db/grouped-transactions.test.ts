/**
 * GroupedTransactions on a real database: works submitted together share one transaction; one that
 * throws after writing is undone alone (its savepoint), its afterCommit effects are dropped, and the
 * others' effects run only once the group has committed. Rows go to health_probe, a table of the schema.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GroupedTransactions } from '../../../src/platform/db/group-commit.js';
import type { DbHandle } from '../../../src/platform/db/database.js';
import { startHarness, TEST_DB, type Harness } from '../../support/harness.js';

describe(`GroupedTransactions (${TEST_DB})`, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h.close());

  const names = async () =>
    (await h.ctx.db.kysely.selectFrom('health_probe').select('name').where('name', 'like', 'gt-%').orderBy('name').execute()).map(
      (r) => r.name,
    );

  test('a work that throws after writing is undone alone; only the committed works’ afterCommit effects run, after the commit', async () => {
    const groups: Array<[number, string]> = [];
    const writes = new GroupedTransactions(h.ctx.db, { maxSize: 3, delayMs: 600_000 }, (size, pass) => groups.push([size, pass]));
    const effects: string[] = [];
    const work = (name: string, fail: boolean) => async (tx: DbHandle) => {
      await tx.kysely.insertInto('health_probe').values({ name, checked_at: 1, payload: null }).execute();
      tx.afterCommit(() => effects.push(name));
      // Nothing runs before the group commits.
      assert.deepEqual(effects, []);
      if (fail) throw new Error(`refused ${name}`);
      return name;
    };
    const settled = await Promise.allSettled([
      writes.run(work('gt-1', false)),
      writes.run(work('gt-2', true)),
      writes.run(work('gt-3', false)),
    ]);
    assert.deepEqual(
      settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message)),
      ['gt-1', 'refused gt-2', 'gt-3'],
    );
    assert.deepEqual(await names(), ['gt-1', 'gt-3']);
    assert.deepEqual(effects, ['gt-1', 'gt-3']);
    assert.deepEqual(groups, [
      [3, 'plain'],
      [3, 'savepoints'],
    ]);
  });

  test('with maxSize 1 each work is its own transaction', async () => {
    const groups: Array<[number, string]> = [];
    const writes = new GroupedTransactions(h.ctx.db, { maxSize: 1, delayMs: 600_000 }, (size, pass) => groups.push([size, pass]));
    const results = await Promise.allSettled(
      ['gt-4', 'gt-5'].map((name) =>
        writes.run(async (tx) => {
          await tx.kysely.insertInto('health_probe').values({ name, checked_at: 1, payload: null }).execute();
          if (name === 'gt-5') throw new Error('refused gt-5');
        }),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected'],
    );
    assert.deepEqual(await names(), ['gt-1', 'gt-3', 'gt-4']);
    assert.deepEqual(groups, []);
  });
});
