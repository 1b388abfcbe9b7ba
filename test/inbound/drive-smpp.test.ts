/**
 * Kannel's own SMSC emulator against the product (issue 14): `/usr/lib/kannel/test/drive_smpp` (Debian's
 * kannel-extras) listens for an ESME (transmitter and receiver binds), sends MOs from the sender "456"
 * and prints "ESME has submitted all messages to SMSC." once every MO got its reply. Every MO is stored
 * and answered exactly once, back to "456". It also dials a bearerbox at 127.0.0.1:13001 as an smsbox:
 * a plain TCP listener there is enough. Skipped, saying so, when the binary is not installed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarness, TEST_DB, type Harness } from '../support/harness.js';

const DRIVE_SMPP = '/usr/lib/kannel/test/drive_smpp';
const MESSAGES = 300;
const DONE = 'ESME has submitted all messages to SMSC.';
const missing = existsSync(DRIVE_SMPP) ? false : `${DRIVE_SMPP} is not installed (apt-get install kannel-extras)`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A listener where drive_smpp looks for a bearerbox; one already there (another run) serves as well. */
async function fakeBearerbox(): Promise<Server | null> {
  const server = createServer((socket) => socket.on('error', () => undefined));
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(null) : reject(error)));
    server.listen(13001, '127.0.0.1', () => resolve(server));
  });
}

describe(`Kannel's drive_smpp against the product (${TEST_DB})`, { skip: missing }, () => {
  let dir: string;
  let bearerbox: Server | null = null;
  let driver: ChildProcess;
  let output = '';
  let h: Harness;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'motcua-drive-smpp-'));
    bearerbox = await fakeBearerbox();
    const port = await freePort();
    driver = spawn(DRIVE_SMPP, ['-v', '1', '-p', String(port), '-m', String(MESSAGES)], { stdio: ['ignore', 'pipe', 'pipe'] });
    driver.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('latin1');
    });
    driver.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString('latin1');
    });
    const configFile = join(dir, 'providers.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        providers: [
          { name: 'kannel-emulator', type: 'smpp', options: { url: `smpp://motcua:secret@127.0.0.1:${port}?bind=tx_rx&shortCode=8083` } },
        ],
      }),
    );
    h = await startHarness({ env: { MOTCUA_CONFIG_FILE: configFile } });
    h.ctx.providers.start();
    h.ctx.dispatcher.start();
  });

  after(async () => {
    driver?.kill('SIGKILL');
    await h?.close();
    await new Promise((resolve) => (bearerbox ? bearerbox.close(resolve) : resolve(undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  test(`drive_smpp -m ${MESSAGES} completes: every MO stored and answered once, back to "456"`, async () => {
    const deadline = Date.now() + 120_000;
    while (!output.includes(DONE)) {
      if (driver.exitCode !== null) assert.fail(`drive_smpp exited (${driver.exitCode}) before completing:\n${output.slice(-2000)}`);
      if (Date.now() > deadline) assert.fail(`drive_smpp did not complete within 120 s:\n${output.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const mos = await h.ctx.db.kysely.selectFrom('inbound_messages').select(['sender', 'reply_notification_id']).execute();
    assert.equal(mos.length, MESSAGES, `MOs stored; drive_smpp said:\n${output.slice(-1500)}`);
    assert.ok(mos.every((m) => m.sender === '456' && m.reply_notification_id !== null));
    const replyRows = () =>
      h.ctx.db.kysely.selectFrom('notifications').select(['to_address', 'status', 'segments']).where('kind', '=', 'lookup_reply').execute();
    // drive_smpp counts the submit_sm; the `sent` updates commit right after.
    let replies = await replyRows();
    for (let i = 0; i < 600 && replies.some((r) => r.status === 'sending' || r.status === 'pending'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      replies = await replyRows();
    }
    assert.equal(replies.length, MESSAGES);
    assert.ok(
      replies.every((r) => r.to_address === '456' && (r.status === 'sent' || r.status === 'delivered') && r.segments === 1),
      JSON.stringify(replies.find((r) => r.to_address !== '456' || (r.status !== 'sent' && r.status !== 'delivered') || r.segments !== 1)),
    );
  });
});
