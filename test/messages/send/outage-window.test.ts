/**
 * The duplicate window of a database outage in the middle of a claimed batch. The provider accepts
 * the batch's first sends, then their `sent` updates fail with a real database failure (SQLite: a real
 * SQLITE_FULL from max_page_count; PostgreSQL: a trigger raising disk_full, SQLSTATE 53100). The batch
 * must stop starting sends at once: each further send would be one more message accepted but not
 * recorded, sent again when its lease ends. Once the database is back, every message is sent, and the
 * duplicates are the sends that were in flight, `concurrency` at most. (Before this, each worker of the
 * batch went on to its next row while the lease looked long enough, and a 1.5 s outage of the private
 * cluster duplicated 12 messages with a window of 10.)
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { dbFailureOf } from '../../../src/platform/db/failure.js';
import { TEST_DB, dossierWithResult, seedBasics, startHarness, type Harness } from '../../support/harness.js';
import { countBy, readJournal } from '../../support/workers.js';

const DOSSIERS = 15;
const CONCURRENCY = 3;
const LEASE_SECONDS = 2;

describe(`a database outage in the middle of a batch (${TEST_DB})`, () => {
  let h: Harness;
  let dir: string;
  let journal: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'motcua-outage-window-'));
    journal = join(dir, 'journal.jsonl');
    h = await startHarness({
      env: {
        MOTCUA_SANDBOX_DELAY_MS: '50',
        MOTCUA_SANDBOX_JOURNAL: journal,
        MOTCUA_DISPATCH_CONCURRENCY: String(CONCURRENCY),
        MOTCUA_DISPATCH_LEASE_SECONDS: String(LEASE_SECONDS),
        MOTCUA_DISPATCH_BATCH: '100',
      },
    });
    await seedBasics(h);
    h.ctx.providers.start();
  });
  after(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const db = () => h.ctx.db.kysely;

  /** Every update that records a send fails as an outage would; claims still succeed. */
  async function failSentUpdates(): Promise<void> {
    if (h.ctx.db.dialect === 'sqlite') {
      await sql.raw('create table outage_scratch (b blob)').execute(db());
      await sql
        .raw(
          `create trigger outage_on_sent before update on notifications when new.status in ('sent', 'delivered')
           begin insert into outage_scratch values (randomblob(4000000)); end`,
        )
        .execute(db());
      const pages = Number((await sql<{ page_count: number }>`pragma page_count`.execute(db())).rows[0]!.page_count);
      // Room for the claim's own writes, not for the trigger's 4 MB: that insert fails with SQLITE_FULL.
      await sql.raw(`pragma max_page_count = ${pages + 64}`).execute(db());
      return;
    }
    await sql
      .raw(
        `create or replace function outage_on_sent() returns trigger as $$
         begin raise exception 'could not extend file' using errcode = '53100'; end $$ language plpgsql`,
      )
      .execute(db());
    await sql
      .raw(
        `create trigger outage_on_sent before update on notifications for each row
         when (new.status in ('sent', 'delivered')) execute function outage_on_sent()`,
      )
      .execute(db());
  }

  async function restore(): Promise<void> {
    if (h.ctx.db.dialect === 'sqlite') {
      await sql.raw('pragma max_page_count = 1073741823').execute(db());
      await sql.raw('drop trigger outage_on_sent').execute(db());
      await sql.raw('drop table outage_scratch').execute(db());
      return;
    }
    await sql.raw('drop trigger outage_on_sent on notifications').execute(db());
  }

  test(`sends stop at the first unrecorded one: at most ${CONCURRENCY} (the concurrency) sent twice, none lost`, async (t: TestContext) => {
    for (let i = 1; i <= DOSSIERS; i++) await dossierWithResult(h, 900 + i);
    const ids = (await db().selectFrom('notifications').select('id').where('status', '=', 'pending').execute()).map((r) => r.id);
    assert.ok(ids.length >= DOSSIERS);

    await failSentUpdates();
    try {
      await assert.rejects(h.ctx.dispatcher.runOnce(), (error) => {
        assert.equal(dbFailureOf(error)?.kind, 'disk_full', String(error));
        return true;
      });
    } finally {
      await restore();
    }
    const duringOutage = readJournal(journal).length;
    assert.ok(duringOutage >= 1, 'the provider accepted the first sends');
    assert.ok(duringOutage <= CONCURRENCY, `${duringOutage} sends during the outage > the ${CONCURRENCY} in flight`);
    const unrecorded = await db().selectFrom('notifications').select('id').where('status', '=', 'sending').execute();
    assert.equal(unrecorded.length, ids.length, 'nothing was recorded: the whole batch stays claimed');

    // The database is back; the batch's leases run out and every message goes, once more at most.
    h.clock.advance(LEASE_SECONDS * 1000 + 1);
    for (let round = 0; round < 20 && (await h.ctx.dispatcher.runOnce()) > 0; round++);
    const rows = await db().selectFrom('notifications').select(['id', 'status']).where('id', 'in', ids).execute();
    assert.deepEqual(
      rows.filter((r) => r.status !== 'delivered' && r.status !== 'sent'),
      [],
    );
    const sends = countBy(readJournal(journal), (line) => line.id);
    assert.deepEqual(
      ids.filter((id) => !sends.has(id)),
      [],
      'every message reached the provider',
    );
    const duplicates = [...sends.values()].filter((n) => n > 1).length;
    assert.equal(duplicates, duringOutage, 'the duplicates are exactly the sends that were not recorded');
    t.diagnostic(`${ids.length} messages, ${duringOutage} sent during the outage, ${duplicates} sent twice (concurrency ${CONCURRENCY})`);
  });
});
