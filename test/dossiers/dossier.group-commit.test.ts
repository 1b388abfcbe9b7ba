/**
 * Intakes and events committed in groups (platform/db/group-commit.ts, GroupedTransactions): five
 * requests at once share one transaction (group size 5, a gathering delay no test waits for), and each
 * still gets its own outcome. A refusal (409) or a failure after writing (a real trigger fault on the
 * outbox insert) fails that request alone: the others commit, and the failed one leaves nothing. An
 * outage (SQLite: a real SQLITE_FULL from max_page_count; PostgreSQL: a trigger raising disk_full,
 * SQLSTATE 53100) fails the whole group: every request answers 503 and nothing of any is written.
 * Grouping is on for both databases here, whatever their default.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Principal } from '../../src/platform/principal.js';
import { dbFailureOf } from '../../src/platform/db/failure.js';
import { admin, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../support/harness.js';

const ADMIN: Principal = { role: 'admin', agencyCode: null, tokenId: null };
const CODES = [1, 2, 3, 4, 5].map((n) => `000.00.15.H34-261123-07${n}0`);

async function createTrigger(h: Harness, name: string, table: string, sqliteWhen: string, pgWhen: string, pgRaise: string): Promise<void> {
  const db = h.ctx.db.kysely;
  if (h.ctx.db.dialect === 'sqlite') {
    await sql
      .raw(`create trigger ${name} before insert on ${table} when ${sqliteWhen} begin select raise(abort, 'injected fault'); end`)
      .execute(db);
    return;
  }
  await sql.raw(`create or replace function ${name}() returns trigger as $$ begin ${pgRaise}; end $$ language plpgsql`).execute(db);
  await sql.raw(`create trigger ${name} before insert on ${table} for each row when (${pgWhen}) execute function ${name}()`).execute(db);
}

async function dropTrigger(h: Harness, name: string, table: string): Promise<void> {
  const on = h.ctx.db.dialect === 'postgres' ? ` on ${table}` : '';
  await sql.raw(`drop trigger if exists ${name}${on}`).execute(h.ctx.db.kysely);
}

async function snapshot(h: Harness, code: string) {
  const db = h.ctx.db.kysely;
  const dossier = await db.selectFrom('dossiers').selectAll().where('receipt_key', '=', code.toUpperCase()).executeTakeFirstOrThrow();
  const events = await db.selectFrom('dossier_events').selectAll().where('dossier_id', '=', dossier.id).orderBy('seq').execute();
  const notifications = await db.selectFrom('notifications').selectAll().where('dossier_id', '=', dossier.id).orderBy('id').execute();
  return { dossier, events, notifications };
}

/** How many group transactions ran with this pass, and how many works they held. */
async function groups(h: Harness, pass: 'plain' | 'savepoints'): Promise<{ count: number; sum: number }> {
  const values = (await h.ctx.metrics.ingestGroupSize.get()).values.filter((v) => v.labels.pass === pass);
  const of = (name: string) => values.find((v) => v.metricName === name)?.value ?? 0;
  return { count: of('motcua_ingest_group_size_count'), sum: of('motcua_ingest_group_size_sum') };
}

const event = (h: Harness, code: string, payload: Record<string, unknown>) =>
  h.app.inject({ method: 'POST', url: `/api/v1/dossiers/${code}/events`, headers: admin, payload });

describe(`intakes and events committed in groups (${TEST_DB})`, () => {
  let h: Harness;
  before(async () => {
    // One PostgreSQL connection: the reads each request makes before it joins the group (the dossier, cached
    // reference data) answer in the order asked, so the five join in the order sent, as on SQLite; with a pool
    // the reads race and a supplement could be received before it was requested.
    h = await startHarness({ env: { MOTCUA_INGEST_GROUP_SIZE: '5', MOTCUA_INGEST_GROUP_DELAY_MS: '600000', MOTCUA_PG_POOL: '1' } });
    await seedBasics(h);
  });
  after(async () => h.close());

  test('five intakes at once: one transaction, five dossiers, each answered with its own', async () => {
    const before = await groups(h, 'plain');
    const answers = await Promise.all(
      CODES.map((code) =>
        h.app.inject({
          method: 'POST',
          url: '/api/v1/dossiers',
          headers: admin,
          payload: intakeBody({ receiptCode: code, applicant: { name: 'Nguyễn Văn A', phone: '0912 345 678' } }),
        }),
      ),
    );
    assert.deepEqual(
      answers.map((a) => a.statusCode),
      [201, 201, 201, 201, 201],
    );
    assert.deepEqual(
      answers.map((a) => a.json().receiptCode),
      CODES,
    );
    assert.deepEqual(await groups(h, 'plain'), { count: before.count + 1, sum: before.sum + 5 });
  });

  test('a 409, a stale version and a failure after writing fail alone; the other two commit with their messages', async () => {
    const [d1, d2, d3, d4, d5] = CODES as [string, string, string, string, string];
    const untouched = await Promise.all([d2, d3, d4].map((code) => snapshot(h, code)));
    const savepointsBefore = await groups(h, 'savepoints');
    // d3's result message cannot be written: its dossier row and event are written first, then undone.
    await createTrigger(
      h,
      'injected_outbox_fault',
      'notifications',
      `new.dedupe_key like '${d3}|%'`,
      `new.dedupe_key like '${d3}|%'`,
      `raise exception 'injected fault'`,
    );
    try {
      const [ok1, stale2, failed3, forbidden4, ok5] = await Promise.allSettled([
        event(h, d1, { type: 'step', step: 'Thẩm định hồ sơ', eventId: 'g-1' }),
        h.ctx.dossiers.applyEvent(ADMIN, d2, { type: 'step', step: 'Thẩm định hồ sơ' }, { expectedVersion: 7 }),
        h.ctx.dossiers.applyEvent(ADMIN, d3, { type: 'result_ready', eventId: 'g-3' }),
        event(h, d4, { type: 'returned', eventId: 'g-4' }),
        event(h, d5, { type: 'result_ready', eventId: 'g-5' }),
      ]);
      assert.equal(ok1.status === 'fulfilled' && ok1.value.statusCode, 200);
      assert.equal(stale2.status === 'rejected' && (stale2.reason as { code: string }).code, 'DOSSIER_CHANGED');
      assert.match(failed3.status === 'rejected' ? String(failed3.reason) : 'fulfilled', /injected fault/);
      assert.equal(forbidden4.status === 'fulfilled' && forbidden4.value.statusCode, 409);
      assert.equal(forbidden4.status === 'fulfilled' && forbidden4.value.json().error.code, 'TRANSITION_FORBIDDEN');
      assert.equal(ok5.status === 'fulfilled' && ok5.value.statusCode, 200);
      assert.equal(ok5.status === 'fulfilled' && ok5.value.json().notifications.length, 1);
    } finally {
      await dropTrigger(h, 'injected_outbox_fault', 'notifications');
    }
    // They ran as one group, again with savepoints once one failed.
    assert.deepEqual(await groups(h, 'savepoints'), { count: savepointsBefore.count + 1, sum: savepointsBefore.sum + 5 });
    assert.deepEqual(await Promise.all([d2, d3, d4].map((code) => snapshot(h, code))), untouched);
    const one = await snapshot(h, d1);
    assert.equal(one.dossier.state, 'in_progress');
    assert.deepEqual(
      one.events.map((e) => [e.seq, e.event_id]),
      [[1, 'g-1']],
    );
    const five = await snapshot(h, d5);
    assert.equal(five.dossier.state, 'result_ready');
    assert.equal(five.dossier.event_count, 1);
    assert.deepEqual(
      five.notifications.map((n) => [n.kind, n.status]),
      [['result_ready', 'pending']],
    );
  });

  test('an outage in one request fails its whole group with 503: nothing of the five is written; then all five go through', async () => {
    const before = await Promise.all(CODES.map((code) => snapshot(h, code)));
    // The third request's event needs new pages (SQLite) or meets the trigger (PostgreSQL).
    const outageNote = `outage ${'x'.repeat(h.ctx.db.dialect === 'sqlite' ? 400_000 : 10)}`;
    if (h.ctx.db.dialect === 'sqlite') {
      const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(h.ctx.db.kysely);
      await sql.raw(`pragma max_page_count = ${rows[0]!.page_count}`).execute(h.ctx.db.kysely);
    } else {
      await createTrigger(
        h,
        'injected_outage',
        'dossier_events',
        '',
        `new.payload like '%outage%'`,
        `raise exception 'disk full' using errcode = '53100'`,
      );
    }
    const send = () =>
      Promise.allSettled([
        event(h, CODES[0]!, { type: 'step', step: 'Trình lãnh đạo phê duyệt', eventId: 'o-1' }),
        event(h, CODES[1]!, { type: 'step', step: 'Thẩm định hồ sơ', eventId: 'o-2' }),
        h.ctx.dossiers.applyEvent(ADMIN, CODES[2]!, { type: 'step', step: 'Thẩm định hồ sơ', eventId: 'o-3', note: outageNote }),
        event(h, CODES[3]!, { type: 'step', step: 'Thẩm định hồ sơ', eventId: 'o-4' }),
        event(h, CODES[4]!, { type: 'returned', eventId: 'o-5' }),
      ]);
    let answers: Awaited<ReturnType<typeof send>>;
    try {
      answers = await send();
    } finally {
      if (h.ctx.db.dialect === 'sqlite') await sql.raw('pragma max_page_count = 1073741823').execute(h.ctx.db.kysely);
      else await dropTrigger(h, 'injected_outage', 'dossier_events');
    }
    for (const i of [0, 1, 3, 4]) {
      const answer = answers[i]!;
      assert.equal(answer.status, 'fulfilled');
      if (answer.status !== 'fulfilled') continue;
      const res = answer.value as Awaited<ReturnType<typeof event>>;
      assert.equal(res.statusCode, 503, `request ${i + 1}: ${res.body}`);
      assert.equal(res.json().error.code, 'DATABASE_UNAVAILABLE');
      assert.equal(res.json().error.details.reason, 'disk_full');
    }
    assert.equal(answers[2]!.status, 'rejected');
    assert.equal(answers[2]!.status === 'rejected' && dbFailureOf(answers[2]!.reason)?.kind, 'disk_full');
    assert.deepEqual(await Promise.all(CODES.map((code) => snapshot(h, code))), before);

    // The same five once the fault is gone: each its own outcome again.
    const again = await send();
    const statuses = again.map((a) => (a.status === 'fulfilled' ? ('statusCode' in a.value ? a.value.statusCode : 'ok') : 'rejected'));
    assert.deepEqual(statuses, [200, 200, 'ok', 200, 200]);
    const after = await Promise.all(CODES.map((code) => snapshot(h, code)));
    assert.deepEqual(
      after.map((a) => a.dossier.event_count),
      before.map((b) => b.dossier.event_count + 1),
    );
    assert.equal(after[4]!.dossier.state, 'returned');
  });

  test('events on one dossier in one group are each decided on the dossier the ones before left: a replayed eventId changes nothing', async () => {
    const code = CODES[0]!;
    const start = (await snapshot(h, code)).dossier.event_count;
    const plain = await groups(h, 'plain');
    const answers = await Promise.all([
      event(h, code, { type: 'step', step: 'Bước một', eventId: 's-1' }),
      event(h, code, { type: 'step', step: 'Bước hai', eventId: 's-2' }),
      event(h, code, { type: 'step', step: 'Bước một', eventId: 's-1' }),
      event(h, code, { type: 'supplement_requested', eventId: 's-3' }),
      event(h, code, { type: 'supplement_received', eventId: 's-4' }),
    ]);
    assert.deepEqual(
      answers.map((a) => a.statusCode),
      [200, 200, 200, 200, 200],
    );
    assert.deepEqual(
      answers.map((a) => a.json().dossier.step),
      ['Bước một', 'Bước hai', 'Bước hai', answers[3]!.json().dossier.step, answers[4]!.json().dossier.step],
    );
    const { dossier, events } = await snapshot(h, code);
    assert.deepEqual(
      events.filter((e) => e.seq > start).map((e) => [e.seq - start, e.event_id, e.state_after]),
      [
        [1, 's-1', 'in_progress'],
        [2, 's-2', 'in_progress'],
        [3, 's-3', 'awaiting_supplement'],
        [4, 's-4', 'in_progress'],
      ],
    );
    assert.equal(dossier.event_count, start + 4);
    // One group, no failure: the four after the first found the dossier moved on and read it again.
    assert.deepEqual(await groups(h, 'plain'), { count: plain.count + 1, sum: plain.sum + 5 });
    assert.equal(dossier.paused_at, null);
  });
});
