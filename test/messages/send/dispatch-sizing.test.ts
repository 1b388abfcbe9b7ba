/**
 * The dispatcher's claim size and sends in flight: from the SMPP windows of the providers that share the
 * traffic unless the operator set them (issue 14 item 2), the general defaults without a window.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dispatchSizing } from '../../../src/messages/send/dispatch-sizing.js';
import { startHarness } from '../../support/harness.js';

const unset = { concurrency: null, batchSize: null };

describe('dispatchSizing', () => {
  test('no window (HTTP APIs, e-mail, Zalo, the sandbox): 50 in flight, batches of 100', () => {
    assert.deepEqual(dispatchSizing(unset, []), { concurrency: 50, batchSize: 100 });
  });
  test('one SMPP window of 100: 100 in flight, batches of 200', () => {
    assert.deepEqual(dispatchSizing(unset, [100]), { concurrency: 100, batchSize: 200 });
  });
  test('two providers sharing the traffic: their windows add up', () => {
    assert.deepEqual(dispatchSizing(unset, [100, 60]), { concurrency: 160, batchSize: 320 });
  });
  test('a small window never lowers the general defaults; a huge one stops at the limits', () => {
    assert.deepEqual(dispatchSizing(unset, [10]), { concurrency: 50, batchSize: 100 });
    assert.deepEqual(dispatchSizing(unset, [5000]), { concurrency: 1000, batchSize: 2000 });
    assert.deepEqual(dispatchSizing(unset, [1000, 1000, 1000]), { concurrency: 1000, batchSize: 2000 });
  });
  test('what the operator set wins; the other follows it', () => {
    assert.deepEqual(dispatchSizing({ concurrency: 10, batchSize: null }, [100]), { concurrency: 10, batchSize: 100 });
    assert.deepEqual(dispatchSizing({ concurrency: 300, batchSize: null }, []), { concurrency: 300, batchSize: 600 });
    assert.deepEqual(dispatchSizing({ concurrency: null, batchSize: 7 }, [100]), { concurrency: 100, batchSize: 7 });
    assert.deepEqual(dispatchSizing({ concurrency: 3, batchSize: 9 }, [100]), { concurrency: 3, batchSize: 9 });
  });
});

describe('the product sizes its dispatcher from the providers file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'motcua-sizing-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const providersFile = (providers: unknown[]) => {
    const path = join(dir, `providers-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify({ providers }));
    return path;
  };
  const sizingWith = async (env: Record<string, string>) => {
    const h = await startHarness({ env });
    try {
      return h.ctx.dispatcher.sizing;
    } finally {
      await h.close();
    }
  };
  const smpp = (name: string, window: number, priority = 1) => ({
    name,
    type: 'smpp',
    priority,
    options: { url: `smpp://motcua:secret@127.0.0.1:2775?window=${window}` },
  });

  test('two SMSCs of the first priority (80 + 120) and a standby (500): 200 in flight, batches of 400', async () => {
    const file = providersFile([
      smpp('viettel', 80),
      smpp('vnpt', 120),
      smpp('standby', 500, 2),
      { name: 'mail', type: 'sandbox', channel: 'email' },
    ]);
    assert.deepEqual(await sizingWith({ MOTCUA_CONFIG_FILE: file }), { concurrency: 200, batchSize: 400 });
  });

  test('MOTCUA_DISPATCH_CONCURRENCY and MOTCUA_DISPATCH_BATCH win', async () => {
    const file = providersFile([smpp('viettel', 80)]);
    assert.deepEqual(await sizingWith({ MOTCUA_CONFIG_FILE: file, MOTCUA_DISPATCH_CONCURRENCY: '20', MOTCUA_DISPATCH_BATCH: '30' }), {
      concurrency: 20,
      batchSize: 30,
    });
  });

  test('the sandbox alone: the general defaults', async () => {
    assert.deepEqual(await sizingWith({}), { concurrency: 50, batchSize: 100 });
  });
});
