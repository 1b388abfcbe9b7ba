/**
 * The personal-data retention job (issue 16, item 2) on planted rows with hand-computed oversight
 * figures: what is de-identified as of now and as of a far future instant, open dossiers untouched,
 * look-ups still answered, every past figure (API and /giam-sat) the same, idempotent, audited.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, seedBasics, startHarness, type Harness } from '../support/harness.js';
import { ms, plantDossier, plantInbound, plantMessage } from './planted.js';

const PASSWORD = 'Kiem-tra-rieng-tu-2026';
const CODE = {
  returned: '000.00.15.H34-260105-0001',
  refused: '000.00.15.H34-260106-0002',
  open: '000.00.15.H34-260107-0003',
  recent: '000.00.15.H34-260110-0004',
};
const PHONE_A = '0912345678';
const PHONE_OPEN = '0987654321';
const MO_PHONE = '+84911111111';
const MO_PHONE_2 = '+84922222222';

describe('retention job', () => {
  let h: Harness;
  const ids: Record<string, number> = {};

  before(async () => {
    h = await startHarness({ now: '2026-06-01T09:00:00+07:00' });
    await seedBasics(h);
    ids.returned = await plantDossier(h, {
      code: CODE.returned,
      state: 'returned',
      name: 'Nguyễn Văn A',
      phone: PHONE_A,
      email: 'a@example.vn',
      receivedAt: '2026-01-05T08:00:00+07:00',
      dueAt: '2026-01-10T17:00:00+07:00',
      finishedAt: '2026-01-08T10:00:00+07:00',
      updatedAt: '2026-01-09T10:00:00+07:00',
    });
    ids.refused = await plantDossier(h, {
      code: CODE.refused,
      state: 'refused',
      name: 'Trần Thị B',
      phone: null,
      receivedAt: '2026-01-06T08:00:00+07:00',
      dueAt: '2026-01-11T17:00:00+07:00',
      finishedAt: '2026-01-07T10:00:00+07:00',
      updatedAt: '2026-01-07T10:00:00+07:00',
    });
    ids.open = await plantDossier(h, {
      code: CODE.open,
      state: 'in_progress',
      name: 'Lê Văn C',
      phone: PHONE_OPEN,
      receivedAt: '2026-01-07T08:00:00+07:00',
      dueAt: '2026-01-20T17:00:00+07:00',
      updatedAt: '2026-01-07T08:00:00+07:00',
    });
    ids.recent = await plantDossier(h, {
      code: CODE.recent,
      state: 'returned',
      name: 'Phạm Thị D',
      phone: '0913000444',
      receivedAt: '2026-01-10T08:00:00+07:00',
      dueAt: '2026-01-15T17:00:00+07:00',
      finishedAt: '2026-01-20T10:00:00+07:00',
      updatedAt: '2026-05-20T10:00:00+07:00',
    });
    const at = (d: string) => `${d}T09:00:00+07:00`;
    ids.n1 = await plantMessage(h, {
      dossierId: ids.returned,
      kind: 'received_online',
      to: '+84912345678',
      body: `Nguyen Van A: ho so ${CODE.returned}`,
      status: 'delivered',
      cost: 750,
      createdAt: at('2026-01-05'),
    });
    ids.n2 = await plantMessage(h, {
      dossierId: ids.returned,
      kind: 'result_ready',
      to: '+84912345678',
      body: 'Ket qua da co',
      status: 'delivered',
      cost: 1500,
      segments: 2,
      createdAt: at('2026-01-08'),
    });
    ids.n3 = await plantMessage(h, {
      dossierId: ids.open,
      kind: 'received_online',
      to: '+84987654321',
      body: 'Le Van C',
      status: 'failed',
      failureReason: 'invalid_phone',
      cost: 0,
      createdAt: at('2026-01-07'),
    });
    ids.n4 = await plantMessage(h, {
      dossierId: ids.recent,
      kind: 'result_ready',
      to: '+84913000444',
      body: 'Pham Thi D',
      status: 'pending',
      cost: 750,
      createdAt: at('2026-01-20'),
    });
    ids.n5 = await plantMessage(h, {
      dossierId: ids.returned,
      kind: 'lookup_reply',
      to: MO_PHONE,
      body: 'Tra loi tra cuu',
      status: 'delivered',
      cost: 750,
      createdAt: at('2026-01-12'),
    });
    ids.n6 = await plantMessage(h, {
      dossierId: ids.returned,
      kind: 'received_online',
      to: 'a@example.vn',
      body: 'Email Nguyen Van A',
      status: 'delivered',
      cost: 0,
      createdAt: at('2026-01-05'),
    });
    ids.n7 = await plantMessage(h, {
      dossierId: ids.recent,
      kind: 'received_online',
      to: '+84913000444',
      body: 'Pham Thi D',
      status: 'delivered',
      cost: 750,
      createdAt: at('2026-05-20'),
    });
    ids.i1 = await plantInbound(h, {
      from: MO_PHONE,
      text: `MCKH ${CODE.returned}`,
      dossierId: ids.returned,
      fee: 1000,
      receivedAt: at('2026-01-12'),
      messageId: 'mo-1',
    });
    ids.i2 = await plantInbound(h, {
      from: MO_PHONE_2,
      text: 'MCKH 000.00.15.H34-999999-0009',
      dossierId: null,
      fee: 1000,
      receivedAt: at('2026-05-25'),
      messageId: 'mo-2',
    });
    await h.ctx.db.kysely
      .insertInto('web_login_attempts')
      .values([
        { username: 'nguoi-cu', ip: '203.0.113.7', succeeded: 0, at: ms('2026-01-01T08:00:00+07:00') },
        { username: 'nguoi-moi', ip: '203.0.113.8', succeeded: 1, at: ms('2026-05-31T08:00:00+07:00') },
      ])
      .execute();
    await h.ctx.db.kysely
      .insertInto('web_audit')
      .values([
        {
          at: ms('2025-01-01T08:00:00+07:00'),
          user_id: null,
          username: 'cu',
          action: 'agency.update',
          entity: 'agency',
          entity_id: 'STC',
          ip: '198.51.100.1',
        },
        {
          at: ms('2026-05-01T08:00:00+07:00'),
          user_id: null,
          username: 'moi',
          action: 'agency.update',
          entity: 'agency',
          entity_id: 'STC',
          ip: '198.51.100.2',
        },
      ])
      .execute();
    await h.ctx.accounts.create({
      username: 'giamsat-rieng-tu',
      displayName: 'Giám sát',
      role: 'oversight',
      agencyCode: null,
      password: PASSWORD,
    });
  });
  after(async () => h.close());

  const stats = async (from: string, to: string) => {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/stats?from=${from}&to=${to}&groupBy=agency`, headers: admin });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { rows: Array<Record<string, unknown> & { messages: Record<string, number> }> };
  };
  const run = async (asOf?: string) => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/jobs/retention', headers: admin, payload: asOf ? { asOf } : {} });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as Record<string, number | string>;
  };
  const login = async () => {
    const form = await h.app.inject({ method: 'GET', url: '/dang-nhap' });
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1];
    assert.ok(token);
    const res = await h.app.inject({
      method: 'POST',
      url: '/dang-nhap',
      headers: { cookie: `mcs_login=${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: token, username: 'giamsat-rieng-tu', password: PASSWORD, next: '' }).toString(),
    });
    assert.equal(res.statusCode, 303, res.body);
    return `mcs_session=${res.cookies.find((c) => c.name === 'mcs_session')!.value}`;
  };
  /** The dashboard and its CSV for January and May, minus the per-page CSRF token. */
  const oversightPages = async () => {
    const cookie = await login();
    const pages: string[] = [];
    for (const period of ['from=2026-01-01&to=2026-01-31', 'from=2026-05-01&to=2026-05-31', 'from=2026-01-01&to=2026-06-01']) {
      for (const url of [`/giam-sat?${period}`, `/giam-sat/thong-ke.csv?${period}`]) {
        const res = await h.app.inject({ method: 'GET', url, headers: { cookie } });
        assert.equal(res.statusCode, 200, `${url}: ${res.body.slice(0, 300)}`);
        pages.push(
          res.body.replace(/content="[A-Za-z0-9_-]{30,}"/g, 'content="csrf"').replace(/value="[A-Za-z0-9_-]{30,}"/g, 'value="csrf"'),
        );
      }
    }
    return pages;
  };
  const openRow = () => h.ctx.db.kysely.selectFrom('dossiers').selectAll().where('id', '=', ids.open!).executeTakeFirstOrThrow();

  test('hand-computed January figures, then as of now: exactly the rows past their period, figures the same', async () => {
    const january = await stats('2026-01-01', '2026-01-31');
    const stc = january.rows.find((r) => r.agencyCode === 'STC')!;
    // received: 4 dossiers (05, 06, 07, 10 Jan); reach 3/4 (the refused one has no phone)
    assert.equal(stc.dossiersReceived, 4);
    assert.equal(stc.reach, 0.75);
    // resolved: returned on 8 Jan (due 10, on time) and on 20 Jan (due 15, late); refused is not resolved
    assert.equal(stc.dossiersResolved, 2);
    assert.equal(stc.resolvedOnTime, 1);
    assert.equal(stc.resolvedLate, 1);
    // messages created in January, look-up replies aside: n1, n2, n3, n4, n6
    assert.equal(stc.messages.created, 5);
    assert.equal(stc.messages.sent, 3);
    assert.equal(stc.messages.delivered, 3);
    assert.equal(stc.messages.failed, 1);
    assert.deepEqual(stc.failedByReason, { invalid_phone: 1 });
    // cost of what left: 750 + 1500 + 0 (e-mail)
    assert.equal(stc.costVnd, 2250);
    assert.equal(stc.lookups, 1);
    assert.equal(stc.lookupRevenueVnd, 1000);

    const beforeStats = [january, await stats('2026-05-01', '2026-05-31'), await stats('2025-12-01', '2026-06-01')];
    const beforePages = await oversightPages();
    const openBefore = await openRow();

    const counts = await run();
    // as of 1 June, 90 days back is 3 March: the two closed January dossiers; n1, n2, n5, n6 (n3 is an
    // open dossier's, n4 pending, n7 recent); MO 1; the January login attempt; the 2025 audit address.
    assert.deepEqual(
      { ...counts, asOf: undefined },
      { asOf: undefined, dossiers: 2, notifications: 4, statusCallbacks: 0, inbound: 1, loginAttempts: 1, sessions: 0, auditAddresses: 1 },
    );

    assert.deepEqual(
      [await stats('2026-01-01', '2026-01-31'), await stats('2026-05-01', '2026-05-31'), await stats('2025-12-01', '2026-06-01')],
      beforeStats,
    );
    assert.deepEqual(await oversightPages(), beforePages);
    assert.deepEqual(await openRow(), openBefore);

    const d = await h.ctx.db.kysely.selectFrom('dossiers').selectAll().where('id', '=', ids.returned!).executeTakeFirstOrThrow();
    assert.equal(d.applicant_name, null);
    assert.equal(d.search_name, null);
    assert.equal(d.phone_e164, null);
    assert.equal(d.phone_input, null);
    assert.equal(d.email, null);
    assert.equal(d.phone_carrier, 'vinaphone');
    assert.equal(d.phone_problem, null);
    assert.equal(d.state, 'returned');
    assert.ok(d.deidentified_at !== null);
    const n2 = await h.ctx.db.kysely.selectFrom('notifications').selectAll().where('id', '=', ids.n2!).executeTakeFirstOrThrow();
    assert.deepEqual(
      {
        to: n2.to_address,
        body: n2.body,
        kind: n2.kind,
        segments: n2.segments,
        encoding: n2.encoding,
        cost: n2.cost_vnd,
        status: n2.status,
        carrier: n2.carrier,
        created: n2.created_at,
        delivered: Number(n2.delivered_at),
      },
      {
        to: null,
        body: null,
        kind: 'result_ready',
        segments: 2,
        encoding: 'gsm7',
        cost: 1500,
        status: 'delivered',
        carrier: 'vinaphone',
        created: ms('2026-01-08T09:00:00+07:00'),
        delivered: ms('2026-01-08T09:00:00+07:00'),
      },
    );
    const n3 = await h.ctx.db.kysely.selectFrom('notifications').selectAll().where('id', '=', ids.n3!).executeTakeFirstOrThrow();
    assert.equal(n3.to_address, '+84987654321', "an open dossier's messages stay");
    const i1 = await h.ctx.db.kysely.selectFrom('inbound_messages').selectAll().where('id', '=', ids.i1!).executeTakeFirstOrThrow();
    assert.deepEqual([i1.sender, i1.sender_e164, i1.text, i1.outcome, i1.fee_vnd], [null, null, null, 'found', 1000]);

    // a look-up of the de-identified dossier still answers its step and status
    const lookup = await h.app.inject({ method: 'GET', url: `/api/v1/lookup/${CODE.returned}` });
    assert.equal(lookup.statusCode, 200, lookup.body);
    assert.equal(lookup.json().state, 'returned');
    assert.equal(lookup.json().step, 'Trả kết quả');
    // and the API shows it without a name
    const api = await h.app.inject({ method: 'GET', url: `/api/v1/dossiers/${CODE.returned}`, headers: admin });
    assert.equal(api.statusCode, 200, api.body);
    assert.equal(api.json().applicant.name, null);
  });

  test('as of far in the future: the rest of the closed data, never the open dossier; a rerun finds nothing', async () => {
    const beforeStats = [await stats('2026-01-01', '2026-01-31'), await stats('2026-05-01', '2026-05-31')];
    const beforePages = await oversightPages();
    const openBefore = await openRow();
    const counts = await run('2030-01-01T02:00:00+07:00');
    // the dossier closed in May, its delivered May message (n4 is still pending), MO 2, the May login
    // attempts (the planted one and the test's own logins), the 2026 audit address and the test's own
    const logins = (
      await h.ctx.db.kysely
        .selectFrom('web_audit')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('ip', 'is not', null)
        // the job's own audit row, written after it, keeps the caller's address
        .where('action', '<>', 'privacy.retention')
        .executeTakeFirstOrThrow()
    ).n;
    assert.equal(logins, 0);
    assert.equal(counts.dossiers, 1);
    assert.equal(counts.notifications, 1);
    assert.equal(counts.inbound, 1);
    assert.ok(Number(counts.loginAttempts) >= 1);
    assert.ok(Number(counts.auditAddresses) >= 1);
    assert.equal(
      (
        await h.ctx.db.kysely
          .selectFrom('web_login_attempts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
      0,
    );
    assert.deepEqual([await stats('2026-01-01', '2026-01-31'), await stats('2026-05-01', '2026-05-31')], beforeStats);
    assert.deepEqual(await oversightPages(), beforePages);
    assert.deepEqual(await openRow(), openBefore, 'an open dossier is never touched');
    const n4 = await h.ctx.db.kysely.selectFrom('notifications').selectAll().where('id', '=', ids.n4!).executeTakeFirstOrThrow();
    assert.equal(n4.status, 'pending');
    assert.equal(n4.body, 'Pham Thi D', 'a message not sent yet keeps what it needs to leave');

    const again = await run('2030-01-01T02:00:00+07:00');
    assert.deepEqual(
      { ...again, asOf: undefined, loginAttempts: 0, auditAddresses: 0 },
      { asOf: undefined, dossiers: 0, notifications: 0, statusCallbacks: 0, inbound: 0, loginAttempts: 0, sessions: 0, auditAddresses: 0 },
    );
  });

  test('each run is audited without personal data; bad input is refused and changes nothing', async () => {
    const rows = await h.ctx.db.kysely.selectFrom('web_audit').selectAll().where('action', '=', 'privacy.retention').execute();
    assert.ok(rows.length >= 3);
    for (const row of rows) assert.doesNotMatch(`${row.after_json}`, /\d{9}|Nguy|example\.vn/);
    for (const payload of [{ asOf: 'hôm qua' }, { asOf: '9999-01-01T00:00:00Z' }, { other: 1 }]) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/jobs/retention', headers: admin, payload });
      assert.equal(res.statusCode, 400, res.body);
    }
    assert.equal((await h.app.inject({ method: 'POST', url: '/api/v1/jobs/retention', payload: {} })).statusCode, 401);
  });
});
