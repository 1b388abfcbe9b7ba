/** The desk screens (/mot-cua) through app.inject(): intake with the phone check, actions, hold and undo. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seedBasics, startHarness, TEST_DB, type Harness } from '../../support/harness.js';

const PASSWORD = 'mot-khau-du-dai-2026';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

interface Session {
  cookie: string;
  csrf: string;
}

function setCookies(res: { headers: Record<string, unknown> }): Record<string, string> {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  return Object.fromEntries(list.map((c: string) => c.split(';')[0]!.split('=') as [string, string]));
}

const csrfIn = (body: string) => /name="_csrf" value="([^"]*)"/.exec(body)?.[1] ?? '';

async function login(h: Harness, username: string): Promise<Session> {
  const page = await h.app.inject({ method: 'GET', url: '/dang-nhap' });
  const pre = setCookies(page).mcs_login!;
  const res = await h.app.inject({
    method: 'POST',
    url: '/dang-nhap',
    headers: { ...FORM, cookie: `mcs_login=${pre}` },
    payload: new URLSearchParams({ _csrf: csrfIn(page.body), username, password: PASSWORD }).toString(),
  });
  assert.equal(res.statusCode, 303, res.body);
  const cookie = `mcs_session=${setCookies(res).mcs_session}`;
  const home = await h.app.inject({ method: 'GET', url: '/mot-cua', headers: { cookie } });
  assert.equal(home.statusCode, 200);
  return { cookie, csrf: /<meta name="csrf-token" content="([^"]+)">/.exec(home.body)![1]! };
}

const post = (h: Harness, s: Session, url: string, fields: Record<string, string>) =>
  h.app.inject({
    method: 'POST',
    url,
    headers: { ...FORM, cookie: s.cookie },
    payload: new URLSearchParams({ _csrf: s.csrf, ...fields }).toString(),
  });

describe(`desk screens (${TEST_DB})`, () => {
  let h: Harness;
  let clerk: Session;
  const count = async (table: 'dossiers' | 'notifications' | 'dossier_events') =>
    (
      await h.ctx.db.kysely
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
  const intakeFields = (overrides: Record<string, string> = {}) => ({
    agencyCode: 'STC',
    receiptCode: 'STC-261123-0001',
    procedureCode: '1.004227',
    applicantName: 'Nguyễn Văn An',
    phone: '0912 345 678',
    email: '',
    returnMethod: 'counter',
    submittedVia: 'counter',
    ...overrides,
  });

  before(async () => {
    h = await startHarness();
    await seedBasics(h, { holdSeconds: 120, quietHours: null });
    await h.ctx.accounts.create({
      username: 'stc-motcua',
      displayName: 'Lê Thị Mai',
      role: 'clerk',
      agencyCode: 'STC',
      password: PASSWORD,
    });
    clerk = await login(h, 'stc-motcua');
  });
  after(async () => h.close());

  test('the phone check endpoint says at once why a number cannot receive SMS', async () => {
    const ask = async (phone: string, lang = 'vi') =>
      (
        await h.app.inject({
          method: 'GET',
          url: `/mot-cua/kiem-tra-so?lang=${lang}&phone=${encodeURIComponent(phone)}`,
          headers: { cookie: clerk.cookie },
        })
      ).json();
    assert.deepEqual(await ask('0258 3822 123').then((r) => [r.ok, r.problem]), [false, 'landline']);
    assert.match((await ask('0258 3822 123')).message, /máy bàn/);
    assert.equal((await ask('+1 415 555 0100')).problem, 'foreign');
    assert.equal((await ask('091234')).problem, 'invalid');
    assert.match((await ask('091234', 'en')).message, /Invalid phone number/);
    const good = await ask('0168 234 5678');
    assert.equal(good.ok, true);
    assert.equal(good.e164, '+84382345678');
    assert.match(good.message, /đầu số cũ/);
    const anonymous = await h.app.inject({ method: 'GET', url: '/mot-cua/kiem-tra-so?phone=0912345678' });
    assert.equal(anonymous.statusCode, 303);
  });

  test('intake with a malformed or missing phone: the form shows why next to the field, nothing is written', async () => {
    const before = { dossiers: await count('dossiers'), notifications: await count('notifications') };
    for (const [phone, text] of [
      ['091234', 'không hợp lệ'],
      ['', 'Chưa nhập số điện thoại'],
    ] as const) {
      const res = await post(h, clerk, '/mot-cua/tiep-nhan', intakeFields({ phone }));
      assert.equal(res.statusCode, 400, phone);
      assert.match(res.body, /id="f-phone"[^>]*aria-invalid="true"/);
      const error = /<p class="error" id="f-phone-error">([^<]*)<\/p>/.exec(res.body)?.[1] ?? '';
      assert.ok(error.includes(text), `${phone}: ${error}`);
      assert.match(res.body, /value="Nguyễn Văn An"/, 'the form keeps what was typed');
    }
    assert.deepEqual({ dossiers: await count('dossiers'), notifications: await count('notifications') }, before);
  });

  test('intake with a good phone creates the dossier; result ready holds the SMS; undo within the hold cancels it', async () => {
    const res = await post(h, clerk, '/mot-cua/tiep-nhan', intakeFields());
    assert.equal(res.statusCode, 303, res.body);
    assert.equal(res.headers.location, '/mot-cua/ho-so/STC-261123-0001?ok=intake&via=counter&n=');
    const dossier = await h.ctx.db.kysely
      .selectFrom('dossiers')
      .selectAll()
      .where('receipt_key', '=', 'STC-261123-0001')
      .executeTakeFirstOrThrow();
    assert.equal(dossier.phone_e164, '+84912345678');
    assert.equal(dossier.agency_code, 'STC');

    const page = await h.app.inject({ method: 'GET', url: '/mot-cua/ho-so/STC-261123-0001', headers: { cookie: clerk.cookie } });
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /data-testid="hold"/);

    const step = await post(h, clerk, '/mot-cua/ho-so/STC-261123-0001/su-kien', { action: 'step', version: '0', step: 'Thẩm định hồ sơ' });
    assert.equal(step.statusCode, 303, step.body);
    const result = await post(h, clerk, '/mot-cua/ho-so/STC-261123-0001/su-kien', {
      action: 'result_ready',
      version: '1',
      returnMethod: 'counter',
    });
    assert.equal(result.statusCode, 303, result.body);
    const held = await h.ctx.db.kysely.selectFrom('notifications').selectAll().where('dossier_id', '=', dossier.id).execute();
    assert.equal(held.length, 1);
    assert.equal(held[0]!.kind, 'result_ready');
    assert.equal(held[0]!.status, 'pending');
    assert.equal(held[0]!.send_after, h.clock.now() + 120_000);

    const withHold = await h.app.inject({
      method: 'GET',
      url: '/mot-cua/ho-so/STC-261123-0001?ok=action',
      headers: { cookie: clerk.cookie },
    });
    assert.match(withHold.body, /data-countdown-seconds="120"/);
    assert.match(withHold.body, /Hoàn tác/);

    h.clock.advance(30_000);
    const undo = await post(h, clerk, '/mot-cua/ho-so/STC-261123-0001/hoan-tac', { seq: '2' });
    assert.equal(undo.statusCode, 303, undo.body);
    assert.equal(undo.headers.location, '/mot-cua/ho-so/STC-261123-0001?ok=undo');
    const after = await h.ctx.db.kysely.selectFrom('dossiers').selectAll().where('id', '=', dossier.id).executeTakeFirstOrThrow();
    assert.equal(after.state, 'in_progress');
    assert.equal(after.step, 'Thẩm định hồ sơ');
    const cancelled = await h.ctx.db.kysely.selectFrom('notifications').selectAll().where('id', '=', held[0]!.id).executeTakeFirstOrThrow();
    assert.equal(cancelled.status, 'cancelled');

    const audit = await h.ctx.db.kysely
      .selectFrom('web_audit')
      .selectAll()
      .where('entity_id', '=', 'STC-261123-0001')
      .where('action', '!=', 'dossier.read') // each showing of the page is logged too (test/privacy/read-audit.test.ts)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['dossier.intake', 'dossier.step', 'dossier.result_ready', 'dossier.undo'],
    );
    assert.equal(JSON.parse(audit[3]!.before_json!).state, 'result_ready');
    assert.equal(JSON.parse(audit[3]!.after_json!).state, 'in_progress');
    assert.equal(audit[3]!.username, 'stc-motcua');

    const again = await post(h, clerk, '/mot-cua/ho-so/STC-261123-0001/hoan-tac', { seq: '2' });
    assert.equal(again.statusCode, 409, 'a second undo of the same action is refused');
  });

  test('after the hold there is no undo: the button is gone and a late request changes nothing', async () => {
    const code = 'STC-261123-0002';
    assert.equal((await post(h, clerk, '/mot-cua/tiep-nhan', intakeFields({ receiptCode: code }))).statusCode, 303);
    assert.equal(
      (await post(h, clerk, `/mot-cua/ho-so/${code}/su-kien`, { action: 'supplement_requested', version: '0' })).statusCode,
      303,
    );
    h.clock.advance(121_000);
    const page = await h.app.inject({ method: 'GET', url: `/mot-cua/ho-so/${code}`, headers: { cookie: clerk.cookie } });
    assert.doesNotMatch(page.body, /data-testid="hold"/);
    const events = await count('dossier_events');
    const undo = await post(h, clerk, `/mot-cua/ho-so/${code}/hoan-tac`, { seq: '1' });
    assert.equal(undo.statusCode, 409);
    assert.match(undo.body, /Đã hết thời gian chờ/);
    assert.equal(await count('dossier_events'), events);
    const row = await h.ctx.db.kysely.selectFrom('dossiers').select(['state']).where('receipt_key', '=', code).executeTakeFirstOrThrow();
    assert.equal(row.state, 'awaiting_supplement');
  });

  test('undo of a supplement request restores the due date; a stale screen cannot act', async () => {
    const code = 'STC-261123-0003';
    assert.equal((await post(h, clerk, '/mot-cua/tiep-nhan', intakeFields({ receiptCode: code }))).statusCode, 303);
    const due = (await h.ctx.db.kysely.selectFrom('dossiers').select('due_at').where('receipt_key', '=', code).executeTakeFirstOrThrow())
      .due_at;
    assert.equal(
      (await post(h, clerk, `/mot-cua/ho-so/${code}/su-kien`, { action: 'supplement_requested', version: '0' })).statusCode,
      303,
    );
    h.clock.advance(60_000);
    assert.equal((await post(h, clerk, `/mot-cua/ho-so/${code}/hoan-tac`, { seq: '1' })).statusCode, 303);
    const row = await h.ctx.db.kysely.selectFrom('dossiers').selectAll().where('receipt_key', '=', code).executeTakeFirstOrThrow();
    // Back exactly to what it was before the wrong button (not to a new step), with "undo" in the history.
    assert.equal(row.state, 'received');
    assert.equal(row.paused_at, null);
    assert.equal(row.due_at, due);
    const history = await h.ctx.db.kysely
      .selectFrom('dossier_events')
      .select(['seq', 'type'])
      .where('dossier_id', '=', row.id)
      .orderBy('seq')
      .execute();
    assert.deepEqual(
      history.map((e) => e.type),
      ['supplement_requested', 'undo'],
    );
    const stale = await post(h, clerk, `/mot-cua/ho-so/${code}/su-kien`, { action: 'result_ready', version: '1' });
    assert.equal(stale.statusCode, 409);
    assert.match(stale.body, /vừa được cập nhật/);
  });

  test('result by post: the return method chosen at the result is stored and the postal wording is used', async () => {
    const code = 'STC-261123-0004';
    assert.equal((await post(h, clerk, '/mot-cua/tiep-nhan', intakeFields({ receiptCode: code }))).statusCode, 303);
    assert.equal(
      (await post(h, clerk, `/mot-cua/ho-so/${code}/su-kien`, { action: 'result_ready', version: '0', returnMethod: 'postal' })).statusCode,
      303,
    );
    const row = await h.ctx.db.kysely.selectFrom('dossiers').selectAll().where('receipt_key', '=', code).executeTakeFirstOrThrow();
    assert.equal(row.return_method, 'postal');
    const message = await h.ctx.db.kysely
      .selectFrom('notifications')
      .selectAll()
      .where('dossier_id', '=', row.id)
      .executeTakeFirstOrThrow();
    assert.match(message.body ?? '', /buu chinh/);
  });

  test('a clerk cannot act on another agency’s dossier; refusal needs a confirmation', async () => {
    await h.ctx.accounts.create({
      username: 'stp-motcua',
      displayName: 'Phạm Văn Bình',
      role: 'clerk',
      agencyCode: 'STP',
      password: PASSWORD,
    });
    const other = await login(h, 'stp-motcua');
    const res = await post(h, other, '/mot-cua/ho-so/STC-261123-0001/su-kien', { action: 'returned', version: '2' });
    assert.equal(res.statusCode, 403);
    const page = await h.app.inject({ method: 'GET', url: '/mot-cua/ho-so/STC-261123-0001', headers: { cookie: other.cookie } });
    assert.equal(page.statusCode, 403);
    const code = 'STC-261123-0001';
    const version = String(
      (await h.ctx.db.kysely.selectFrom('dossiers').select('event_count').where('receipt_key', '=', code).executeTakeFirstOrThrow())
        .event_count,
    );
    const unconfirmed = await post(h, clerk, `/mot-cua/ho-so/${code}/su-kien`, { action: 'refused', version });
    assert.equal(unconfirmed.statusCode, 400);
    assert.match(unconfirmed.body, /xác nhận/);
  });
});
