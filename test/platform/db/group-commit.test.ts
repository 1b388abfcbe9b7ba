import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit } from '../../../src/platform/db/group-commit.js';

describe('GroupCommit', () => {
  test('items submitted together run as one group, in order, each getting its own result', async () => {
    const groups: number[][] = [];
    const commit = new GroupCommit<number, string>(
      async (items) => {
        groups.push([...items]);
        return items.map((n) => `#${n}`);
      },
      { maxSize: 100, delayMs: 2 },
    );
    const results = await Promise.all([1, 2, 3].map((n) => commit.submit(n)));
    assert.deepEqual(results, ['#1', '#2', '#3']);
    assert.deepEqual(groups, [[1, 2, 3]]);
  });

  test('delayMs 0: the items of one turn form a group, and those that arrive while it runs form the next', async () => {
    const groups: number[][] = [];
    let firstStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      firstStarted = resolve;
    });
    let releaseFirst: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const commit = new GroupCommit<number, number>(
      async (items) => {
        groups.push([...items]);
        if (groups.length === 1) {
          firstStarted();
          await released;
        }
        return [...items];
      },
      { maxSize: 100, delayMs: 0 },
    );
    const first = [1, 2].map((n) => commit.submit(n));
    await started;
    const second = [3, 4, 5].map((n) => commit.submit(n));
    releaseFirst();
    assert.deepEqual(await Promise.all([...first, ...second]), [1, 2, 3, 4, 5]);
    assert.deepEqual(groups, [
      [1, 2],
      [3, 4, 5],
    ]);
  });

  test('a group holds at most maxSize items; one group runs at a time', async () => {
    const groups: number[][] = [];
    let running = 0;
    let most = 0;
    const commit = new GroupCommit<number, number>(
      async (items) => {
        running++;
        most = Math.max(most, running);
        groups.push([...items]);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        return items.map((n) => n * 2);
      },
      { maxSize: 4, delayMs: 2 },
    );
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => commit.submit(i)));
    assert.deepEqual(
      results,
      Array.from({ length: 10 }, (_, i) => i * 2),
    );
    assert.ok(groups.every((g) => g.length <= 4));
    assert.deepEqual(
      groups.flat(),
      Array.from({ length: 10 }, (_, i) => i),
    );
    assert.equal(most, 1);
  });

  test('when a group fails its items run alone: only the bad one fails', async () => {
    const calls: number[][] = [];
    const commit = new GroupCommit<number, number>(
      async (items) => {
        calls.push([...items]);
        if (items.includes(13)) throw new Error('unlucky');
        return [...items];
      },
      { maxSize: 10, delayMs: 2 },
    );
    const settled = await Promise.allSettled([12, 13, 14].map((n) => commit.submit(n)));
    assert.deepEqual(
      settled.map((s) => s.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal((settled[1] as PromiseRejectedResult).reason.message, 'unlucky');
    assert.deepEqual(calls, [[12, 13, 14], [12], [13], [14]]);
  });

  test('drain runs what is queued without waiting for the delay', async () => {
    const done: number[] = [];
    const commit = new GroupCommit<number, void>(
      async (items) => {
        done.push(...items);
        return items.map(() => undefined);
      },
      { maxSize: 10, delayMs: 60_000 },
    );
    const pending = commit.submit(7);
    await commit.drain();
    await pending;
    assert.deepEqual(done, [7]);
  });
});
