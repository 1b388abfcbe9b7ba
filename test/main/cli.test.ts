/**
 * The CLI's own answers, with real processes: help, unknown commands, a database that cannot be opened
 * (one line naming it, the documented exit code), and `check` on a sound file.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runCli } from '../support/cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'motcua-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = (extra: Record<string, string> = {}) => cleanEnv({ LOG_LEVEL: 'warn', ...extra });

describe('motcua CLI', () => {
  test('--help (also after a command) prints the usage with every exit code, exit 0', async () => {
    for (const args of [['--help'], ['serve', '--help']]) {
      const { code, output } = await runCli(args, env());
      assert.equal(code, 0, output);
      assert.match(output, /usage: motcua <command>/);
      for (const exit of ['0', '1', '2', '3', '4', '5'])
        assert.match(output, new RegExp(`^  ${exit}  `, 'm'), `exit code ${exit} documented`);
    }
  });

  test('an unknown command or option is a usage error (2), an invalid variable a configuration error (3)', async () => {
    const unknown = await runCli(['frobnicate'], env({ DATABASE_URL: `file:${join(dir, 'never.db')}` }));
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    const option = await runCli(['check', '--bogus'], env({ DATABASE_URL: `file:${join(dir, 'never.db')}` }));
    assert.equal(option.code, 2, option.output);
    const invalid = await runCli(['check'], env({ DATABASE_URL: `file:${join(dir, 'x.db')}`, MOTCUA_DB_ACQUIRE_TIMEOUT_MS: 'soon' }));
    assert.equal(invalid.code, 3);
    assert.match(invalid.stderr, /MOTCUA_DB_ACQUIRE_TIMEOUT_MS must be an integer/);
  });

  test('a database that cannot be opened: exit 4, one line naming it and why, no stack trace', async () => {
    // A directory where the file should be.
    const path = join(dir, 'a-directory.db');
    rmSync(path, { force: true, recursive: true });
    mkdtempSync(`${path}`);
    const notAFile = await runCli(['migrate'], env({ DATABASE_URL: `file:${dir}` }));
    assert.equal(notAFile.code, 4, notAFile.output);
    const lines = notAFile.stderr.trim().split('\n');
    assert.equal(lines.length, 1, notAFile.stderr);
    assert.match(lines[0]!, new RegExp(`^motcua: cannot open the database file:${dir}: `));
    assert.doesNotMatch(notAFile.output, /\n\s+at /, 'no stack trace');

    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, Buffer.alloc(8192, 0x5a));
    const notADatabase = await runCli(['serve'], env({ DATABASE_URL: `file:${garbage}` }));
    assert.equal(notADatabase.code, 4, notADatabase.output);
    assert.match(notADatabase.stderr, /^motcua: cannot open the database file:.*garbage\.db: file is not a database \(SQLITE_NOTADB\)/);
    assert.equal(notADatabase.stderr.trim().split('\n').length, 1, notADatabase.stderr);

    const missing = await runCli(['check'], env({ DATABASE_URL: `file:${join(dir, 'missing.db')}` }));
    assert.equal(missing.code, 4, missing.output);
    assert.match(missing.stderr, /missing\.db: unable to open database file/);

    // PostgreSQL nobody listens to: the connect error, once.
    const refused = await runCli(
      ['api'],
      env({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/motcua', MOTCUA_DB_CONNECT_TIMEOUT_MS: '1000' }),
    );
    assert.equal(refused.code, 4, refused.output);
    assert.match(refused.stderr, /^motcua: cannot open the database postgres:\/\/127\.0\.0\.1:1\/motcua: .*ECONNREFUSED/);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  });

  test('check on a sound database: exit 0 and says what it checked', async () => {
    const url = `file:${join(dir, 'sound.db')}`;
    assert.equal((await runCli(['migrate'], env({ DATABASE_URL: url }))).code, 0);
    const { code, output } = await runCli(['check'], env({ DATABASE_URL: url }));
    assert.equal(code, 0, output);
    assert.match(output, /sound\.db: PRAGMA quick_check: ok/);
  });
});
