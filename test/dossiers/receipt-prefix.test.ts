/** Issue 13 item 4: receipt codes are global, so agency A could take a code of agency B's format. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, bearer, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../support/harness.js';

const PASSWORD = 'mot-khau-du-dai-2026';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const STC_PREFIX = '000.00.15.H34';
const STP_PREFIX = '000.00.08.H34';

describe(`receipt prefixes per agency (${TEST_DB})`, () => {
  let h: Harness;
  let stcToken: string;
  let sytToken: string;
  const dossiers = async () =>
    (
      await h.ctx.db.kysely
        .selectFrom('dossiers')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
  const token = async (agencyCode: string) =>
    (await h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { role: 'agency', agencyCode } })).json()
      .token as string;
  const putAgency = (code: string, name: string, settings: Record<string, unknown>) =>
    h.app.inject({ method: 'PUT', url: `/api/v1/agencies/${code}`, headers: admin, payload: { name, settings } });
  const intake = (headers: Record<string, string>, overrides: Record<string, unknown>) =>
    h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers, payload: intakeBody(overrides) });

  before(async () => {
    h = await startHarness();
    await seedBasics(h);
    assert.equal((await putAgency('STC', 'Sở Tài chính', { holdSeconds: 0, receiptPrefixes: [STC_PREFIX] })).statusCode, 200);
    assert.equal((await putAgency('STP', 'Sở Tư pháp', { holdSeconds: 0, receiptPrefixes: [STP_PREFIX] })).statusCode, 200);
    assert.equal((await putAgency('SYT', 'Sở Y tế', { holdSeconds: 0 })).statusCode, 201);
    const procedure = await h.app.inject({
      method: 'PUT',
      url: '/api/v1/procedures/1.001',
      headers: admin,
      payload: { agencyCode: 'SYT', name: 'Cấp chứng chỉ hành nghề', processingDays: 5 },
    });
    assert.equal(procedure.statusCode, 201, procedure.body);
    stcToken = await token('STC');
    sytToken = await token('SYT');
  });
  after(async () => h.close());

  test('settings.receiptPrefixes: the national agency segment only, and one agency per prefix', async () => {
    const bad = await putAgency('STC', 'Sở Tài chính', { receiptPrefixes: ['STC'] });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(bad.json().error.field, 'settings.receiptPrefixes.0');
    const taken = await putAgency('SYT', 'Sở Y tế', { receiptPrefixes: [STP_PREFIX] });
    assert.equal(taken.statusCode, 409, taken.body);
    assert.equal(taken.json().error.code, 'RECEIPT_PREFIX_TAKEN');
    const read = await h.app.inject({ method: 'GET', url: '/api/v1/agencies/STC', headers: admin });
    assert.deepEqual(read.json().agency.settings.receiptPrefixes, [STC_PREFIX]);
  });

  test("another agency's prefix is refused with 403 RECEIPT_PREFIX_MISMATCH, with or without prefixes of its own; nothing is written", async () => {
    const before = await dossiers();
    const squat = `${STP_PREFIX}-261123-0001`;
    for (const [label, headers, overrides] of [
      ['STC (has prefixes)', bearer(stcToken), {}],
      ['STC, lower case', bearer(stcToken), { receiptCode: squat.toLowerCase() }],
      ['SYT (no prefixes)', bearer(sytToken), { agencyCode: 'SYT', procedureCode: '1.001' }],
    ] as const) {
      const res = await intake(headers, { receiptCode: squat, ...overrides });
      assert.equal(res.statusCode, 403, `${label}: ${res.body}`);
      assert.equal(res.json().error.code, 'RECEIPT_PREFIX_MISMATCH', label);
      assert.equal(res.json().error.field, 'receiptCode', label);
    }
    assert.equal(await dossiers(), before);
    // The owner takes it, and so may an admin for an agency without prefixes (repairs).
    const stpToken = await token('STP');
    const own = await intake(bearer(stpToken), { receiptCode: squat, agencyCode: 'STP', procedureCode: '2.000488' });
    assert.equal(own.statusCode, 201, own.body);
    const repair = await intake(admin, { receiptCode: `${STP_PREFIX}-261123-0099`, agencyCode: 'SYT', procedureCode: '1.001' });
    assert.equal(repair.statusCode, 201, repair.body);
  });

  test('an agency with prefixes must use one of them (400 naming receiptCode), even through an admin; its own prefix is accepted', async () => {
    for (const headers of [bearer(stcToken), admin]) {
      const res = await intake(headers, { receiptCode: 'STC-261123-0001' });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, 'RECEIPT_PREFIX_REQUIRED');
      assert.equal(res.json().error.field, 'receiptCode');
      assert.match(res.json().error.message, /000\.00\.15\.H34-/);
    }
    const ok = await intake(bearer(stcToken), { receiptCode: `${STC_PREFIX}-261123-0001` });
    assert.equal(ok.statusCode, 201, ok.body);
    const free = await intake(bearer(sytToken), { receiptCode: 'SYT-261123-0001', agencyCode: 'SYT', procedureCode: '1.001' });
    assert.equal(free.statusCode, 201, free.body);
  });

  test('the desk suggests <prefix>-YYMMDD-NNNN, skips a number already taken, and refuses a squatted code on the form', async () => {
    // STC took -0001 above; with -0003 taken too, two dossiers today make -0003 the next number, which is taken.
    assert.equal((await intake(admin, { receiptCode: `${STC_PREFIX}-261123-0003` })).statusCode, 201);
    assert.equal(await h.ctx.dossierQueries.suggestReceiptCode('STC'), `${STC_PREFIX}-261123-0004`);
    assert.equal(await h.ctx.dossierQueries.suggestReceiptCode('SYT'), 'SYT-261123-0003');

    await h.ctx.accounts.create({
      username: 'stc-motcua',
      displayName: 'Lê Thị Mai',
      role: 'clerk',
      agencyCode: 'STC',
      password: PASSWORD,
    });
    const loginPage = await h.app.inject({ method: 'GET', url: '/dang-nhap' });
    const preCookie = String(loginPage.headers['set-cookie']).split(';')[0]!;
    const loggedIn = await h.app.inject({
      method: 'POST',
      url: '/dang-nhap',
      headers: { ...FORM, cookie: preCookie },
      payload: new URLSearchParams({
        _csrf: /name="_csrf" value="([^"]*)"/.exec(loginPage.body)![1]!,
        username: 'stc-motcua',
        password: PASSWORD,
      }).toString(),
    });
    assert.equal(loggedIn.statusCode, 303, loggedIn.body);
    const cookie = String(loggedIn.headers['set-cookie']).split(';')[0]!;
    const desk = await h.app.inject({ method: 'GET', url: '/mot-cua', headers: { cookie } });
    assert.match(desk.body, new RegExp(`name="receiptCode" value="${STC_PREFIX.replace(/\./g, '\\.')}-261123-0004"`));
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(desk.body)![1]!;
    const before = await dossiers();
    const res = await h.app.inject({
      method: 'POST',
      url: '/mot-cua/tiep-nhan',
      headers: { ...FORM, cookie },
      payload: new URLSearchParams({
        _csrf: csrf,
        agencyCode: 'STC',
        receiptCode: `${STP_PREFIX}-261123-0042`,
        procedureCode: '1.004227',
        applicantName: 'Nguyễn Văn An',
        phone: '0912 345 678',
        returnMethod: 'counter',
        submittedVia: 'counter',
      }).toString(),
    });
    assert.equal(res.statusCode, 403, res.body.slice(0, 300));
    assert.match(res.body, /id="f-receiptCode-error"[^>]*>[^<]*tiền tố của cơ quan khác/);
    assert.equal(await dossiers(), before);
  });
});
