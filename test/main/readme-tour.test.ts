/**
 * The README's "A 5-minute tour", run as printed: the fenced shell blocks of that section are read from
 * README.md, and each command runs in order against a fresh demo server (`motcua serve --demo` on a new
 * database, as `npm start` does), with the admin token it prints. `curl` lines become HTTP requests
 * (localhost:3000 becomes the server's address), `sleep N` sleeps, `export`/assignments set variables.
 * Every request must succeed (2xx), so the README and this test cannot drift apart. A command this
 * reader does not understand fails the test: extend the reader, or keep the tour to these commands.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliProcess, ROOT, cleanEnv, http, startCli } from '../support/cli-process.js';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../support/database.js';
import { freePort, sleep, waitFor } from '../support/wait.js';

const SECTION = '## A 5-minute tour';
const README_HOST = 'localhost:3000';

/** The fenced ```sh blocks between the tour's heading and the next heading of the same level. */
export function tourBlocks(readme: string): string[] {
  const start = readme.indexOf(`\n${SECTION}\n`);
  assert.ok(start >= 0, `README.md has no "${SECTION}" section`);
  const rest = readme.slice(start + SECTION.length + 2);
  const end = rest.search(/\n## /);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/**
 * Splits a shell script into commands of words: single quotes (may span lines), double quotes with
 * $VAR expansion, backslash-newline continuations, # comments. Enough for the tour; no pipes or $( ).
 * Lazy, as a shell is: a variable the consumer sets after one command is seen by the next.
 */
export function* shellCommands(script: string, vars: ReadonlyMap<string, string>): Generator<string[]> {
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | null = null;
  const expand = (text: string) =>
    text.replace(/\$(\w+)|\$\{(\w+)\}/g, (_, a: string | undefined, b: string | undefined) => vars.get((a ?? b)!) ?? '');
  const endWord = () => {
    if (word !== null) words.push(word);
    word = null;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < script.length; i++) {
    const ch = script[i]!;
    if (ch === '\\' && script[i + 1] === '\n') {
      i++;
      continue;
    }
    if (ch === '\n' || ch === ';') {
      endCommand();
      yield* commands.splice(0);
      continue;
    }
    if (ch === ' ' || ch === '\t') {
      endWord();
      continue;
    }
    if (ch === '#' && word === null) {
      while (i < script.length && script[i] !== '\n') i++;
      i--;
      continue;
    }
    if (ch === "'") {
      const close = script.indexOf("'", i + 1);
      assert.ok(close > 0, 'unterminated single quote in the tour');
      word = (word ?? '') + script.slice(i + 1, close);
      i = close;
      continue;
    }
    if (ch === '"') {
      const close = script.indexOf('"', i + 1);
      assert.ok(close > 0, 'unterminated double quote in the tour');
      word = (word ?? '') + expand(script.slice(i + 1, close));
      i = close;
      continue;
    }
    if (ch === '$') {
      const m = /^\$(\w+)|^\$\{(\w+)\}/.exec(script.slice(i));
      if (m) {
        word = (word ?? '') + expand(m[0]);
        i += m[0].length - 1;
        continue;
      }
    }
    word = (word ?? '') + ch;
  }
  endCommand();
  yield* commands.splice(0);
}

interface CurlRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** `curl [-s] [-X METHOD | -sX METHOD] [-H 'Name: value']… [-d DATA] URL` as a request. */
export function parseCurl(args: readonly string[], base: string): CurlRequest {
  let method: string | undefined;
  let url: string | undefined;
  let body: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (/^-[a-zA-Z]+$/.test(arg)) {
      for (const flag of arg.slice(1)) {
        if (flag === 's' || flag === 'S' || flag === 'f') continue;
        const value = args[++i];
        assert.ok(value !== undefined, `curl ${arg} needs a value`);
        if (flag === 'X') method = value;
        else if (flag === 'H') {
          const colon = value.indexOf(':');
          headers[value.slice(0, colon).trim().toLowerCase()] = value.slice(colon + 1).trim();
        } else if (flag === 'd') body = value;
        else assert.fail(`curl -${flag}: the tour test does not know this option`);
      }
    } else if (arg === '--data' || arg === '--data-raw') body = args[++i];
    else if (arg.startsWith('-')) assert.fail(`curl ${arg}: the tour test does not know this option`);
    else url = arg;
  }
  assert.ok(url, `curl without a URL: ${args.join(' ')}`);
  const absolute = /^https?:\/\//.test(url) ? url : `http://${url}`;
  return {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    url: absolute.replace(`//${README_HOST}`, `//${base}`),
    headers,
    body,
  };
}

describe(`README: the 5-minute tour, as printed (${TEST_DB})`, { timeout: 600_000 }, () => {
  let database: TestDatabase;
  let server: CliProcess;
  let base: string;
  let token: string;

  before(async () => {
    database = await createTestDatabase();
    const port = await freePort();
    base = `127.0.0.1:${port}`;
    server = startCli(
      'demo server',
      ['serve', '--demo'],
      cleanEnv({ DATABASE_URL: database.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' }),
    );
    token = await waitFor('the admin token', () => /export MOTCUA_TOKEN=(\S+)/.exec(server.output())?.[1], {
      processes: [server],
      timeoutMs: 300_000,
    });
    await waitFor('the demo server to answer', async () => (await http(`http://${base}/healthz`)).status === 200, {
      processes: [server],
      timeoutMs: 300_000,
    });
  });

  after(async () => {
    await server?.stop();
    await database?.drop();
  });

  test('every command of the tour succeeds against a fresh demo server', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const blocks = tourBlocks(readme);
    assert.ok(blocks.length > 0, 'the tour has no ```sh block');
    const vars = new Map<string, string>();
    let requests = 0;
    for (const block of blocks) {
      for (const command of shellCommands(block, vars)) {
        const [name, ...args] = command;
        const assignment = /^(\w+)=(.*)$/s.exec(name === 'export' ? args.join(' ') : name!);
        if (assignment && (name === 'export' || args.length === 0)) {
          // The token the README shows is a placeholder: the one this server printed stands in for it.
          vars.set(assignment[1]!, assignment[1] === 'MOTCUA_TOKEN' ? token : assignment[2]!);
          continue;
        }
        if (name === 'sleep') {
          await sleep(Number(args[0]) * 1000);
          continue;
        }
        assert.equal(name, 'curl', `the tour test runs curl, sleep and assignments only, not: ${command.join(' ')}`);
        const request = parseCurl(args, base);
        const answer = await http(request.url, {
          method: request.method,
          headers: request.headers,
          ...(request.body === undefined ? {} : { rawBody: request.body }),
        });
        requests++;
        assert.ok(
          answer.status >= 200 && answer.status < 300,
          `${request.method} ${request.url.replace(`//${base}`, `//${README_HOST}`)} → ${answer.status} ${answer.body.slice(0, 500)}`,
        );
      }
    }
    assert.ok(requests >= 5, `only ${requests} requests found in the tour`);
  });
});
