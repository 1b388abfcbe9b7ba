/** Issue 13 item 7: far-future dates and control characters got 500s; each is now a 400 naming the field. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_TOKEN, admin, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../../support/harness.js';

const PASSWORD = 'mot-khau-du-dai-2026';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe(`edge input gets a 400 naming the field, never a 500 (${TEST_DB})`, () => {
  let h: Harness;
  let cookie = '';
  const code = '000.00.15.H34-261123-0001';
  const count = async (table: 'dossiers' | 'dossier_events' | 'inbound_messages') =>
    (
      await h.ctx.db.kysely
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
  const expect400 = (res: { statusCode: number; body: string }, field: string, label: string) => {
    assert.equal(res.statusCode, 400, `${label}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    if (res.body.startsWith('{')) assert.equal(JSON.parse(res.body).error.field, field, label);
    else assert.ok(res.body.includes(field), `${label}: the page names ${field}`);
  };
  const loginPage = async () => {
    const page = await h.app.inject({ method: 'GET', url: '/dang-nhap' });
    return { cookie: String(page.headers['set-cookie']).split(';')[0]!, csrf: /name="_csrf" value="([^"]*)"/.exec(page.body)![1]! };
  };
  const login = (pre: { cookie: string; csrf: string }, username: string) =>
    h.app.inject({
      method: 'POST',
      url: '/dang-nhap',
      headers: { ...FORM, cookie: pre.cookie },
      payload: new URLSearchParams({ _csrf: pre.csrf, username, password: PASSWORD }).toString(),
    });

  before(async () => {
    h = await startHarness();
    await seedBasics(h);
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: admin, payload: intakeBody({ receiptCode: code }) });
    assert.equal(res.statusCode, 201, res.body);
    await h.ctx.accounts.create({ username: 'giamsat', displayName: 'Giám sát', role: 'oversight', agencyCode: null, password: PASSWORD });
    const loggedIn = await login(await loginPage(), 'giamsat');
    assert.equal(loggedIn.statusCode, 303, loggedIn.body);
    cookie = String(loggedIn.headers['set-cookie']).split(';')[0]!;
  });
  after(async () => h.close());

  test('dates outside 2000–2100: stats, the dashboard and message log, intake, events and the apology job', async () => {
    const before = { dossiers: await count('dossiers'), events: await count('dossier_events') };
    const stats = await h.app.inject({ method: 'GET', url: '/api/v1/stats?from=9999-12-30&to=9999-12-31', headers: admin });
    expect400(stats, 'querystring.from', 'stats');
    assert.match(stats.json().error.message, /2000–2100/);
    expect400(
      await h.app.inject({ method: 'GET', url: '/api/v1/stats?from=1999-12-31', headers: admin }),
      'querystring.from',
      'stats 1999',
    );
    expect400(
      await h.app.inject({ method: 'GET', url: '/giam-sat?from=9999-12-30&to=9999-12-31', headers: { cookie } }),
      'from',
      '/giam-sat',
    );
    expect400(
      await h.app.inject({ method: 'GET', url: '/tin-nhan?from=9999-12-31&to=9999-12-31', headers: { cookie } }),
      'from',
      '/tin-nhan',
    );
    const intake = await h.app.inject({
      method: 'POST',
      url: '/api/v1/dossiers',
      headers: admin,
      payload: intakeBody({ receiptCode: '000.00.15.H34-261123-0002', receivedAt: '9999-12-30T08:00:00+07:00' }),
    });
    expect400(intake, 'receivedAt', 'intake receivedAt');
    const apology = await h.app.inject({
      method: 'POST',
      url: '/api/v1/jobs/apology',
      headers: admin,
      payload: { asOf: '9999-12-30T17:30:00+07:00' },
    });
    expect400(apology, 'asOf', 'apology asOf');
    const event = (payload: Record<string, unknown>) =>
      h.app.inject({ method: 'POST', url: `/api/v1/dossiers/${code}/events`, headers: admin, payload });
    assert.equal((await event({ type: 'supplement_requested' })).statusCode, 200);
    expect400(await event({ type: 'due_changed', dueAt: '9999-12-31T17:00:00+07:00' }), 'dueAt', 'due_changed 9999');
    expect400(await event({ type: 'step', step: 'Thẩm định', at: '0001-01-01T00:00:00Z' }), 'at', 'event at year 1');
    // The dossier is not stuck: the supplement still arrives.
    const received = await event({ type: 'supplement_received' });
    assert.equal(received.statusCode, 200, received.body);
    assert.equal(received.json().dossier.state, 'in_progress');
    // The edges themselves are business dates.
    assert.equal((await event({ type: 'due_changed', dueAt: '2100-12-31T23:00:00+07:00' })).statusCode, 200);
    assert.equal(
      (await h.app.inject({ method: 'GET', url: '/api/v1/stats?from=2100-12-01&to=2100-12-31', headers: admin })).statusCode,
      200,
    );
    assert.equal(await count('dossiers'), before.dossiers);
    assert.equal(await count('dossier_events'), before.events + 3);
  });

  test('NUL and other control characters: MO sender, intake phone, login name, forms and queries get 400; an MO text is taken with spaces', async () => {
    const before = { dossiers: await count('dossiers'), inbound: await count('inbound_messages') };
    const mo = (payload: Record<string, unknown>) => h.app.inject({ method: 'POST', url: '/api/v1/inbound/sms', headers: admin, payload });
    expect400(await mo({ from: '0912345678\u0000', to: '8083', text: `MCKH ${code}` }), 'from', 'MO from');
    expect400(await mo({ from: '0912345678', to: '80\u000183', text: `MCKH ${code}` }), 'to', 'MO to');
    const kannel = (query: Record<string, string>) =>
      h.app.inject({ method: 'GET', url: `/api/v1/inbound/kannel?${new URLSearchParams({ token: ADMIN_TOKEN, to: '8083', ...query })}` });
    expect400(await kannel({ from: '0912345678\u0000', text: `MCKH ${code}` }), 'querystring.from', 'kannel from');
    assert.equal(await count('inbound_messages'), before.inbound);

    // A carrier's text is accepted as it comes (GSM "@" badly decoded is a NUL): control characters become spaces.
    const text = await mo({ from: '0912345678', to: '8083', text: `MCKH\u0000${code}\u0007` });
    assert.equal(text.statusCode, 200, text.body);
    assert.equal(text.json().outcome, 'found');
    const viaKannel = await kannel({ from: '0912345679', text: `MCKH\u0000${code}` });
    assert.equal(viaKannel.statusCode, 200, viaKannel.body);
    assert.match(viaKannel.body, /Tiep nhan ho so/);
    const stored = await h.ctx.db.kysely.selectFrom('inbound_messages').select('text').orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.equal(stored.text, `MCKH ${code}`);

    const intake = await h.app.inject({
      method: 'POST',
      url: '/api/v1/dossiers',
      headers: admin,
      payload: intakeBody({ receiptCode: '000.00.15.H34-261123-0003', applicant: { name: 'Nguyễn Văn B', phone: '0912\u0000345678' } }),
    });
    expect400(intake, 'applicant.phone', 'intake phone');
    assert.match(intake.json().error.message, /ký tự điều khiển/);
    expect400(
      await h.app.inject({ method: 'GET', url: '/api/v1/lookup/A%00', remoteAddress: '192.0.2.50' }),
      'params.receiptCode',
      'lookup',
    );
    expect400(await h.app.inject({ method: 'GET', url: '/api/v1/dossiers?q=%00', headers: admin }), 'querystring.q', 'search');

    const pre = await loginPage();
    const nul = await login(pre, 'admin\u0000');
    assert.equal(nul.statusCode, 400, nul.body.slice(0, 300));
    assert.match(nul.body, /username/);
    assert.equal(await count('dossiers'), before.dossiers);
  });
});
