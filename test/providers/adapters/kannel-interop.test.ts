/**
 * Interop with a real Kannel (Debian's kannel package: bearerbox + smsbox), started by the test:
 *   our Kannel provider → sendsms → bearerbox → SMPP (separate tx + rx binds) → our SMSC simulator,
 *   the simulator's receipt → bearerbox → smsbox → our dlr-url → the message is delivered;
 *   an MO from the simulator → Kannel → sms-service get-url → look-up → the reply back over SMPP.
 * Skipped when Kannel is not installed, except under CI=true, where it must run.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admin, intakeBody, seedBasics, startHarness, type Harness } from '../../support/harness.js';
import { freePort, waitFor } from '../../support/wait.js';
import { startSmscSimulator, type SmscSimulator } from '../../../src/lib/smpp/simulator/smsc-simulator.js';

const BEARERBOX = '/usr/sbin/bearerbox';
const SMSBOX = '/usr/sbin/smsbox';
const installed = existsSync(BEARERBOX) && existsSync(SMSBOX);
if (!installed && process.env.CI === 'true') throw new Error('Kannel is not installed (apt-get install kannel): CI runs the interop test');

const RECEIPT_SECRET = 'kannel-receipt-secret-0123456789';

describe('Kannel interop', { skip: installed ? false : 'Kannel is not installed (apt-get install kannel)' }, () => {
  let dir: string;
  let sim: SmscSimulator;
  let h: Harness;
  let gatewayToken: string;
  const boxes: ChildProcess[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'motcua-kannel-'));
    sim = await startSmscSimulator({ systemId: 'kannel', password: 'kpass', idStyle: 'hex', receiptDelayMs: 50, enquireLinkMs: 0 });
    const [appPort, adminPort, smsboxPort, sendsmsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const configFile = join(dir, 'motcua.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        publicBaseUrl: `http://127.0.0.1:${appPort}`,
        providers: [
          {
            name: 'kannel',
            type: 'kannel',
            receiptSecret: RECEIPT_SECRET,
            options: { url: `http://127.0.0.1:${sendsmsPort}/cgi-bin/sendsms`, username: 'motcua', password: 'sendpass' },
          },
          { name: 'mail', type: 'sandbox', channel: 'email' },
        ],
      }),
    );
    h = await startHarness({ env: { MOTCUA_CONFIG_FILE: configFile } });
    await seedBasics(h);
    await h.app.listen({ port: appPort, host: '127.0.0.1' });
    gatewayToken = (
      await h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { role: 'gateway', label: 'kannel' } })
    ).json().token;

    const getUrl = `http://127.0.0.1:${appPort}/api/v1/inbound/kannel?token=${gatewayToken}&from=%p&to=%P&text=%a&id=%I`;
    writeFileSync(
      join(dir, 'kannel.conf'),
      `group = core
admin-port = ${adminPort}
admin-password = adminpass
smsbox-port = ${smsboxPort}
box-allow-ip = 127.0.0.1
log-file = "${dir}/bearerbox.log"
log-level = 1
dlr-storage = internal

${['port', 'receive-port']
  .map(
    (portKey) => `group = smsc
smsc = smpp
smsc-id = sim
host = 127.0.0.1
${portKey} = ${sim.port}
smsc-username = kannel
smsc-password = kpass
system-type = VMA
transceiver-mode = false
msg-id-type = 0x03
reconnect-delay = 1
`,
  )
  .join('\n')}
group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${smsboxPort}
sendsms-port = ${sendsmsPort}
log-file = "${dir}/smsbox.log"
log-level = 1
mo-recode = true

group = sendsms-user
username = motcua
password = sendpass
concatenation = true
max-messages = 3

group = sms-service
keyword = default
catch-all = true
get-url = "${getUrl}"
concatenation = true
max-messages = 3
omit-empty = true
accept-x-kannel-headers = true
`,
    );
    const start = (binary: string) => {
      const box = spawn(binary, [join(dir, 'kannel.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      box.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
      box.on('exit', (code) => {
        if (code !== null && code !== 0) process.stderr.write(`${binary} exited ${code}: ${stderr}\n`);
      });
      boxes.push(box);
    };
    start(BEARERBOX);
    await waitFor('bearerbox to bind tx and rx at the simulator', () => sim.stats().bound >= 2);
    start(SMSBOX);
    await waitFor('smsbox sendsms', async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${sendsmsPort}/cgi-bin/sendsms`);
        return res.status > 0;
      } catch {
        return false;
      }
    });
  });

  after(async () => {
    for (const box of boxes) box.kill('SIGTERM');
    await Promise.all(boxes.map((box) => (box.exitCode !== null ? null : new Promise((resolve) => box.once('exit', resolve)))));
    await h?.close();
    await sim?.close();
    if (process.env.KEEP_KANNEL_LOGS) process.stderr.write(`${readFileSync(join(dir, 'bearerbox.log'), 'utf8').slice(-3000)}\n`);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a result message goes out through sendsms, and its receipt comes back through dlr-url', async () => {
    const code = '000.00.15.H34-261123-0001';
    assert.equal(
      (await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: admin, payload: intakeBody({ receiptCode: code }) }))
        .statusCode,
      201,
    );
    const event = await h.app.inject({
      method: 'POST',
      url: `/api/v1/dossiers/${code}/events`,
      headers: admin,
      payload: { type: 'result_ready' },
    });
    const note = (event.json().notifications as { id: number; kind: string; body: string }[]).find((n) => n.kind === 'result_ready')!;
    assert.equal(await h.ctx.dispatcher.runOnce(), 1);

    const submitted = await waitFor('the simulator to receive the message from Kannel', () =>
      sim.submitted.find((m) => m.destination.addr === '84912345678'),
    );
    assert.equal(submitted.text, note.body);
    assert.equal(submitted.source.addr, 'MotcuaSMS');
    assert.equal(submitted.dataCoding, 0);

    const delivered = await waitFor('the receipt to reach our dlr-url', async () => {
      const row = await h.ctx.db.kysely.selectFrom('notifications').selectAll().where('id', '=', note.id).executeTakeFirstOrThrow();
      return row.status === 'delivered' ? row : null;
    });
    assert.equal(delivered.provider, 'kannel');
    assert.equal(delivered.provider_message_id, `kannel-${note.id}`);
    const receipts = await h.ctx.db.kysely.selectFrom('delivery_receipts').selectAll().where('notification_id', '=', note.id).execute();
    assert.ok(
      receipts.some((r) => r.status === 'delivered'),
      JSON.stringify(receipts),
    );
  });

  test('an MO through sms-service get-url is looked up and the reply goes back over SMPP', async () => {
    const before = sim.submitted.length;
    await sim.injectMo({ from: '84987654321', to: '8083', text: 'MCKH 000.00.15.H34-261123-0001' });
    const inbound = await waitFor('the MO to reach the look-up', async () =>
      h.ctx.db.kysely.selectFrom('inbound_messages').selectAll().where('gateway', '=', 'kannel').executeTakeFirst(),
    );
    assert.equal(inbound.outcome, 'found');
    assert.equal(inbound.parsed_code, '000.00.15.H34-261123-0001');
    const reply = await waitFor('Kannel to send the whole reply to the simulator', () => {
      const parts = sim.submitted.slice(before).filter((m) => m.destination.addr.endsWith('987654321'));
      return parts.map((part) => part.text).join('').length >= (inbound.reply ?? '').length ? parts : null;
    });
    const text = reply.map((part) => part.text).join('');
    assert.equal(text, inbound.reply);
    assert.equal(reply[0]!.source.addr, '8083');
  });
});
