import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TtlCache } from '../../src/lib/ttl-cache.js';

test('a value is loaded once per key while fresh, again once it expires or is deleted; ttl 0 keeps nothing', async () => {
  let now = 1_000;
  const loads: string[] = [];
  const cache = new TtlCache<string, string | null>(5_000, () => now);
  const get = (key: string) =>
    cache.get(key, async () => {
      loads.push(key);
      return key === 'SXD' ? null : `Sở ${key}`;
    });
  assert.equal(await get('STC'), 'Sở STC');
  assert.equal(await get('SXD'), null);
  now += 4_999;
  assert.equal(await get('STC'), 'Sở STC');
  assert.equal(await get('SXD'), null, 'a missing row is remembered too');
  assert.deepEqual(loads, ['STC', 'SXD']);
  now += 1;
  await get('STC');
  cache.delete('SXD');
  await get('SXD');
  assert.deepEqual(loads, ['STC', 'SXD', 'STC', 'SXD']);

  const none = new TtlCache<string, number>(0, () => now);
  let n = 0;
  await none.get('k', async () => ++n);
  await none.get('k', async () => ++n);
  assert.equal(n, 2);
});
