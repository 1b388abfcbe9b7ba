/** Issue 12 item 8: AIMD after a throttle, between a floor above 1 TPS and the account's TPS. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AimdRate, TokenBucket } from '../../../../src/lib/smpp/session/throttle.js';

function clockAt(start = 0) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('AimdRate', () => {
  test('halves once per storm, never below the floor, and climbs back additively to the account TPS', () => {
    const clock = clockAt();
    const rate = new AimdRate({ accountTps: 100, floorTps: 5, cutEveryMs: 1_000, raiseEveryMs: 1_000 }, clock);
    assert.equal(rate.onThrottle(80), 50, 'first cut: half the account TPS');
    assert.equal(rate.onThrottle(80), null, 'the same storm is one cut');
    const cuts: number[] = [];
    for (let i = 0; i < 6; i++) {
      clock.advance(1_000);
      const cut = rate.onThrottle(0);
      if (cut !== null) cuts.push(cut);
    }
    assert.deepEqual(cuts, [25, 12.5, 6.25, 5], 'halved each period until the floor');
    assert.equal(rate.allowedTps, 5);
    const climb: Array<number | null> = [];
    for (let i = 0; i < 12; i++) {
      clock.advance(1_000);
      rate.tick();
      climb.push(rate.allowedTps);
    }
    assert.deepEqual(climb.slice(0, 3), [15, 25, 35], 'additive: a tenth of the ceiling per quiet period');
    assert.equal(climb.at(-1), null, 'back to the account TPS');
  });

  test('the floor stays above 1 TPS even when configured lower', () => {
    const clock = clockAt();
    const rate = new AimdRate({ accountTps: 2, floorTps: 0.5, cutEveryMs: 10, raiseEveryMs: 10 }, clock);
    for (let i = 0; i < 10; i++) {
      clock.advance(10);
      rate.onThrottle(0);
    }
    assert.ok(rate.allowedTps! > 1, `${rate.allowedTps} TPS`);
  });

  test('without an account TPS, recovery lifts the limit altogether', () => {
    const clock = clockAt();
    const rate = new AimdRate({ accountTps: 0, floorTps: 2, cutEveryMs: 100, raiseEveryMs: 100 }, clock);
    assert.equal(rate.onThrottle(40), 20);
    for (let i = 0; i < 20 && rate.allowedTps !== null; i++) {
      clock.advance(100);
      rate.tick();
    }
    assert.equal(rate.allowedTps, null);
  });
});

describe('TokenBucket', () => {
  test('a rate of 10 TPS gives one token per 100 ms after the burst', () => {
    const clock = clockAt();
    const bucket = new TokenBucket(clock);
    bucket.setRate(10);
    assert.equal(bucket.take(), true);
    assert.equal(bucket.take(), false);
    assert.equal(bucket.msUntilToken(), 100);
    clock.advance(100);
    assert.equal(bucket.take(), true);
  });
});
