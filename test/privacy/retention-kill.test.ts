/**
 * kill -9 in the middle of the retention job (a real `motcua retention` process, one row per batch),
 * then a rerun: the same end state as an uninterrupted run — every closed dossier de-identified once,
 * the open ones untouched, nothing else changed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, seedBasics, startHarness, type Harness, type TestDatabase } from '../support/harness.js';
import { cleanEnv, runCli, startCli } from '../support/cli-process.js';
import { receiptKey } from '../../src/dossiers/dossier.repository.js';
import { ms } from './planted.js';

const TOTAL = 3000;

describe('retention job killed mid-run', () => {
  let database: TestDatabase;
  let h: Harness;

  before(async () => {
    database = await createTestDatabase();
    h = await startHarness({ database, now: '2026-06-01T09:00:00+07:00' });
    await seedBasics(h);
    const rows = Array.from({ length: TOTAL }, (_, i) => {
      const open = i % 10 === 0;
      const code = `000.00.15.H34-260105-${String(i).padStart(4, '0')}`;
      return {
        receipt_code: code,
        receipt_key: receiptKey(code),
        agency_code: 'STC',
        procedure_code: '1.004227',
        applicant_name: `Người ${i}`,
        search_name: `nguoi ${i}`,
        phone_input: `0912${String(i).padStart(6, '0')}`,
        phone_e164: `+84912${String(i).padStart(6, '0')}`,
        phone_carrier: 'vinaphone',
        phone_problem: null,
        email: null,
        return_method: 'counter' as const,
        state: open ? 'in_progress' : 'returned',
        step: 'Thẩm định',
        received_at: ms('2026-01-05T08:00:00+07:00'),
        due_at: ms('2026-01-10T08:00:00+07:00'),
        finished_at: open ? null : ms('2026-01-08T08:00:00+07:00'),
        returned_at: open ? null : ms('2026-01-08T08:00:00+07:00'),
        intake_hash: `h${i}`,
        event_count: 0,
        created_at: ms('2026-01-05T08:00:00+07:00'),
        updated_at: ms('2026-01-08T08:00:00+07:00'),
      };
    });
    for (let i = 0; i < rows.length; i += 200)
      await h.ctx.db.kysely
        .insertInto('dossiers')
        .values(rows.slice(i, i + 200))
        .execute();
  });
  after(async () => {
    await h.close();
    await database.drop();
  });

  const snapshot = async () =>
    (await h.ctx.db.kysely.selectFrom('dossiers').selectAll().orderBy('id').execute()).map(({ deidentified_at, ...rest }) => ({
      ...rest,
      deidentified: deidentified_at !== null,
    }));

  test('kill -9 after the first batches, rerun, same end state as one uninterrupted run', async () => {
    const before = await snapshot();
    const expected = before.map((d) =>
      d.state === 'in_progress'
        ? d
        : { ...d, applicant_name: null, search_name: null, phone_input: null, phone_e164: null, email: null, deidentified: true },
    );
    const env = cleanEnv({ DATABASE_URL: database.url, MOTCUA_RETENTION_BATCH: '1', LOG_LEVEL: 'silent' });
    const args = ['retention', '--as-of', '2030-01-01T02:00:00+07:00'];
    const first = startCli('retention-1', args, env);
    let batches = 0;
    first.child.stdout!.on('data', (chunk: Buffer) => {
      batches += (chunk.toString().match(/^batch dossiers/gm) ?? []).length;
      if (batches >= 5) first.child.kill('SIGKILL');
    });
    const ended = await first.exited;
    assert.equal(ended.signal, 'SIGKILL', first.output());
    const midway = await snapshot();
    const done = midway.filter((d) => d.deidentified).length;
    assert.ok(done >= 5 && done < TOTAL - TOTAL / 10, `killed mid-job: ${done} of ${TOTAL - TOTAL / 10} done`);
    for (const d of midway) if (d.deidentified) assert.equal(d.applicant_name, null, 'a batch commits whole or not at all');

    const second = await runCli(args, { ...env, MOTCUA_RETENTION_BATCH: '500' });
    assert.equal(second.code, 0, second.output);
    const counts = JSON.parse(second.output.trim().split('\n').pop()!) as { dossiers: number };
    assert.equal(counts.dossiers, TOTAL - TOTAL / 10 - done, 'the rerun does only what the killed run had not');
    assert.deepEqual(await snapshot(), expected);

    const third = await runCli(args, { ...env, MOTCUA_RETENTION_BATCH: '500' });
    assert.equal(JSON.parse(third.output.trim().split('\n').pop()!).dossiers, 0);
    assert.deepEqual(await snapshot(), expected);
  });
});
