/**
 * Email through the product: an applicant SMS cannot reach gets the message by e-mail over SMTP (a
 * real local server from the smtp-server package), with the diacritics kept; an agency with
 * `emailAlso` sends both. Providers come from a providers file, as in production.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { admin, intakeBody, seedBasics, startHarness, type Harness } from '../../support/harness.js';

interface Mail {
  rcptTo: string[];
  raw: string;
}

describe('email through the product', () => {
  let dir: string;
  let server: SMTPServer;
  let h: Harness;
  const mails: Mail[] = [];

  before(async () => {
    server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          mails.push({ rcptTo: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    dir = mkdtempSync(join(tmpdir(), 'motcua-email-'));
    const configFile = join(dir, 'providers.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        providers: [
          { name: 'sandbox', type: 'sandbox' },
          {
            name: 'smtp',
            type: 'email',
            options: { host: '127.0.0.1', port: (server.server.address() as AddressInfo).port, from: 'Một cửa tỉnh <motcua@tinh.gov.vn>' },
          },
        ],
      }),
    );
    h = await startHarness({ env: { MOTCUA_CONFIG_FILE: configFile } });
    await seedBasics(h);
  });

  after(async () => {
    await h?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function resultReady(code: string, applicant: Record<string, unknown>) {
    const intake = await h.app.inject({
      method: 'POST',
      url: '/api/v1/dossiers',
      headers: admin,
      payload: intakeBody({ receiptCode: code, applicant }),
    });
    assert.equal(intake.statusCode, 201, intake.body);
    const res = await h.app.inject({
      method: 'POST',
      url: `/api/v1/dossiers/${code}/events`,
      headers: admin,
      payload: { type: 'result_ready' },
    });
    return res.json().notifications as { id: number; kind: string; channel: string; body: string }[];
  }

  async function drain() {
    while ((await h.ctx.dispatcher.runOnce()) > 0);
  }

  test('a landline applicant with an e-mail gets the result by e-mail, in Vietnamese with diacritics', async () => {
    const notes = await resultReady('EMAIL-0001', { name: 'Phạm Thị Dung', phone: '024 3825 1234', email: 'dung@example.vn' });
    const email = notes.find((n) => n.channel === 'email')!;
    assert.ok(email, JSON.stringify(notes));
    assert.ok(!notes.some((n) => n.channel === 'sms' && n.kind === 'result_ready'));
    await drain();
    const mail = mails.find((m) => m.rcptTo.includes('dung@example.vn'))!;
    assert.ok(mail, 'the SMTP server received it');
    assert.match(mail.raw, /^Message-ID: <thong-bao-\d+@tinh\.gov\.vn>/m);
    const row = await h.ctx.db.kysely.selectFrom('notifications').selectAll().where('id', '=', email.id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'sent');
    assert.equal(row.provider, 'smtp');
    assert.match(email.body, /Hồ sơ|hồ sơ/);
  });

  test('an agency with emailAlso sends both the SMS and the e-mail', async () => {
    await h.app.inject({
      method: 'PUT',
      url: '/api/v1/agencies/STC',
      headers: admin,
      payload: { name: 'Sở Tài chính', settings: { holdSeconds: 0, quietHours: null, emailAlso: true } },
    });
    const notes = await resultReady('EMAIL-0002', { name: 'Võ Văn E', phone: '0912 345 678', email: 'e@example.vn' });
    assert.deepEqual(
      notes
        .filter((n) => n.kind.startsWith('result_ready'))
        .map((n) => n.channel)
        .sort(),
      ['email', 'sms'],
    );
    await drain();
    assert.ok(mails.some((m) => m.rcptTo.includes('e@example.vn')));
    const sms = await h.ctx.db.kysely
      .selectFrom('notifications')
      .selectAll()
      .where('to_address', '=', '+84912345678')
      .where('kind', 'like', 'result_ready%')
      .execute();
    assert.ok(sms.some((r) => r.status === 'delivered' && r.provider === 'sandbox'));
  });
});
