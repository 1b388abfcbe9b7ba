/**
 * The 02:00 retention run, once across processes: two schedulers on one database (as two processes
 * would be) run a day's slot once; before 02:00 it is yesterday's slot; a claim whose process died is
 * taken over after the lease, a live one is not.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { seedBasics, startHarness, type Harness } from '../support/harness.js';
import { RETENTION_JOB, RETENTION_LEASE_MS, RetentionScheduler } from '../../src/privacy/retention.scheduler.js';
import { ms, plantDossier } from './planted.js';

describe('retention scheduler', () => {
  let h: Harness;
  let a: RetentionScheduler;
  let b: RetentionScheduler;
  const row = () => h.ctx.db.kysely.selectFrom('scheduler_jobs').selectAll().where('name', '=', RETENTION_JOB).executeTakeFirstOrThrow();
  const closed = (code: string, updatedAt: string) =>
    plantDossier(h, {
      code,
      state: 'returned',
      name: 'Nguyễn Văn A',
      phone: '0912345678',
      receivedAt: '2026-01-05T08:00:00+07:00',
      dueAt: '2026-01-10T17:00:00+07:00',
      finishedAt: '2026-01-08T10:00:00+07:00',
      updatedAt,
    });

  before(async () => {
    h = await startHarness({ now: '2026-06-01T09:00:00+07:00' });
    await seedBasics(h);
    const silent = pino({ level: 'silent' });
    a = new RetentionScheduler(h.ctx.db, h.ctx.retention, h.ctx.audit, h.clock, silent);
    b = new RetentionScheduler(h.ctx.db, h.ctx.retention, h.ctx.audit, h.clock, silent);
  });
  after(async () => h.close());

  test('the slot is the local date of the latest 02:00', () => {
    assert.equal(a.latestSlot(ms('2026-06-02T01:59:59+07:00')), '2026-06-01');
    assert.equal(a.latestSlot(ms('2026-06-02T02:00:00+07:00')), '2026-06-02');
    assert.equal(a.latestSlot(ms('2026-06-01T19:30:00Z')), '2026-06-02', '19:30 UTC is 02:30 the next day in Hà Nội');
  });

  test('two processes ticking together run the day once', async () => {
    await closed('000.00.15.H34-260105-0001', '2026-01-09T10:00:00+07:00');
    const results = await Promise.all([a.tick(), b.tick()]);
    const ran = results.filter((r) => r !== null);
    assert.equal(ran.length, 1);
    assert.equal(ran[0]!.dossiers, 1);
    const job = await row();
    assert.equal(job.last_slot, '2026-06-01');
    assert.deepEqual(JSON.parse(job.last_result!), ran[0]);
    assert.equal(await a.tick(), null);
    assert.equal(await b.tick(), null);
    const audit = await h.ctx.db.kysely.selectFrom('web_audit').selectAll().where('action', '=', 'privacy.retention').execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.username, 'system');
    assert.equal(audit[0]!.entity_id, '2026-06-01');
  });

  test('the next day runs after 02:00, not before; it de-identifies as of 02:00', async () => {
    // last changed 90 days before 2 June 02:00 plus one minute: not yet due at 02:00 on 2 June
    await closed('000.00.15.H34-260105-0002', '2026-03-04T02:01:00+07:00');
    h.clock.set(ms('2026-06-02T01:59:00+07:00'));
    assert.equal(await a.tick(), null);
    h.clock.set(ms('2026-06-02T02:00:30+07:00'));
    const counts = await b.tick();
    assert.equal(counts?.dossiers, 0);
    assert.equal((await row()).last_slot, '2026-06-02');
    h.clock.set(ms('2026-06-03T02:00:00+07:00'));
    assert.equal((await a.tick())?.dossiers, 1);
  });

  test('a claim left by a killed process is taken over after the lease, a live one is not', async () => {
    await closed('000.00.15.H34-260105-0003', '2026-01-09T10:00:00+07:00');
    const now = ms('2026-06-04T02:05:00+07:00');
    h.clock.set(now);
    // a process claimed 4 June two minutes ago and is still renewing: nobody else runs it
    await h.ctx.db.kysely
      .updateTable('scheduler_jobs')
      .set({ last_slot: '2026-06-03', last_run_at: now - 2 * 60_000 })
      .execute();
    assert.equal(await a.tick(), null);
    // it died: its claim is older than the lease
    await h.ctx.db.kysely
      .updateTable('scheduler_jobs')
      .set({ last_run_at: now - RETENTION_LEASE_MS - 1 })
      .execute();
    assert.equal((await a.tick())?.dossiers, 1);
    assert.equal((await row()).last_slot, '2026-06-04');
  });
});
