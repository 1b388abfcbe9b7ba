/**
 * `motcua backup <file>`: a consistent copy of a SQLite database another process is writing to (the
 * online backup API), refused with exit 3 on PostgreSQL (pg_dump) or when the file exists.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  TEST_DB,
  createTestDatabase,
  seedBasics,
  startHarness,
  type Harness,
  type TestDatabase,
  intakeDossier,
} from '../support/harness.js';
import { cleanEnv, runCli } from '../support/cli-process.js';

describe('motcua backup', () => {
  let database: TestDatabase;
  let h: Harness;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'motcua-backup-'));
    database = await createTestDatabase();
    h = await startHarness({ database });
    await seedBasics(h);
  });
  after(async () => {
    await h.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('copies the live database while it is being written; the copy opens and holds what was committed', {
    skip: TEST_DB !== 'sqlite',
  }, async () => {
    let written = 0;
    let stop = false;
    // the server keeps taking dossiers while the backup runs
    const writer = (async () => {
      while (!stop) {
        const code = `000.00.15.H34-261123-${String(++written).padStart(4, '0')}`;
        await intakeDossier(h, { receiptCode: code });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const file = join(dir, 'copy.db');
    const result = await runCli(['backup', file], cleanEnv({ DATABASE_URL: database.url }));
    stop = true;
    await writer;
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /Đã sao lưu/);
    const copy = new SQLite(file, { readonly: true });
    try {
      assert.equal(copy.pragma('quick_check', { simple: true }), 'ok');
      const dossiers = (copy.prepare('select count(*) as n from dossiers').get() as { n: number }).n;
      assert.ok(dossiers >= 1 && dossiers <= written, `${dossiers} of ${written}`);
      const migrations = copy.prepare('select name from kysely_migration order by name').all() as Array<{ name: string }>;
      assert.ok(migrations.some((m) => m.name === '0007_personal_data'));
    } finally {
      copy.close();
    }
    const again = await runCli(['backup', file], cleanEnv({ DATABASE_URL: database.url }));
    assert.equal(again.code, 3, 'an existing file is never overwritten');
    assert.equal((await runCli(['backup'], cleanEnv({ DATABASE_URL: database.url }))).code, 2);
  });

  test('PostgreSQL: refused, pointing to pg_dump', { skip: TEST_DB !== 'postgres' }, async () => {
    const result = await runCli(['backup', join(dir, 'x.db')], cleanEnv({ DATABASE_URL: database.url }));
    assert.equal(result.code, 3, result.output);
    assert.match(result.output, /pg_dump/);
  });
});
