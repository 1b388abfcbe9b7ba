/**
 * The data subject's rights (issue 16, item 3): the export of everything held about a number (in any
 * format the phone check accepts, agency-scoped, downloadable, audited) and its erasure (three input
 * formats; open dossiers kept until they close; messages not sent cancelled; afterwards no text column
 * of any table holds the number).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, bearer, intakeBody, seedBasics, startHarness, type Harness } from '../support/harness.js';
import { plantDossier, plantInbound, plantMessage, textColumnsHolding } from './planted.js';

const CODE_A = '000.00.15.H34-260601-0001';
const CODE_OPEN = '000.00.15.H34-260601-0002';
const OTHER = '000.00.15.H34-260601-0003';

describe('data subjects', () => {
  let h: Harness;
  let stcToken: string;
  let stpToken: string;
  const ids: Record<string, number> = {};

  before(async () => {
    h = await startHarness({ now: '2026-06-01T09:00:00+07:00' });
    await seedBasics(h);
    const mint = async (payload: object) =>
      (await h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload })).json().token as string;
    stcToken = await mint({ role: 'agency', agencyCode: 'STC' });
    stpToken = await mint({ role: 'agency', agencyCode: 'STP' });
    const gateway = await mint({ role: 'gateway' });

    // subject 1 through the real flow: intake, result, return, messages sent, a look-up by SMS
    const intake = await h.app.inject({
      method: 'POST',
      url: '/api/v1/dossiers',
      headers: admin,
      payload: intakeBody({ receiptCode: CODE_A, receivedAt: '2026-06-01T08:00:00+07:00', submittedVia: 'online' }),
    });
    assert.equal(intake.statusCode, 201, intake.body);
    for (const type of ['result_ready', 'returned']) {
      while ((await h.ctx.dispatcher.runOnce()) > 0);
      const res = await h.app.inject({ method: 'POST', url: `/api/v1/dossiers/${CODE_A}/events`, headers: admin, payload: { type } });
      assert.equal(res.statusCode, 200, res.body);
    }
    const mo = await h.app.inject({
      method: 'POST',
      url: '/api/v1/inbound/sms',
      headers: bearer(gateway),
      payload: { from: '0912345678', to: '8083', text: `MCKH ${CODE_A}`, messageId: 'mo-a' },
    });
    assert.equal(mo.statusCode, 200, mo.body);
    while ((await h.ctx.dispatcher.runOnce()) > 0);
    // the same person's dossier still open, with a message not sent yet
    ids.open = await plantDossier(h, {
      code: CODE_OPEN,
      state: 'in_progress',
      name: 'Nguyễn Văn A',
      phone: '0912345678',
      receivedAt: '2026-05-30T08:00:00+07:00',
      dueAt: '2026-06-10T17:00:00+07:00',
      updatedAt: '2026-05-30T08:00:00+07:00',
    });
    ids.pending = await plantMessage(h, {
      dossierId: ids.open,
      kind: 'received_online',
      to: '+84912345678',
      body: 'Nguyen Van A: da tiep nhan',
      status: 'pending',
      cost: 750,
      createdAt: '2026-06-01T08:59:00+07:00',
    });
    // somebody else
    ids.other = await plantDossier(h, {
      code: OTHER,
      state: 'returned',
      name: 'Trần Thị B',
      phone: '0987654321',
      receivedAt: '2026-05-01T08:00:00+07:00',
      dueAt: '2026-05-05T17:00:00+07:00',
      finishedAt: '2026-05-04T08:00:00+07:00',
      updatedAt: '2026-05-04T08:00:00+07:00',
    });
    await plantMessage(h, {
      dossierId: ids.other,
      kind: 'result_ready',
      to: '+84987654321',
      body: 'Tran Thi B',
      status: 'delivered',
      cost: 750,
      createdAt: '2026-05-04T08:00:00+07:00',
    });
  });
  after(async () => h.close());

  const exportOf = (phone: string, headers = admin, query = '') =>
    h.app.inject({ method: 'GET', url: `/api/v1/data-subjects/${encodeURIComponent(phone)}${query}`, headers });

  test('the export holds every record of the number, the same in any format the phone check accepts', async () => {
    const res = await exportOf('0912 345 678');
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.phone, '+84912345678');
    assert.deepEqual(body.dossiers.map((d: { receiptCode: string }) => d.receiptCode).sort(), [CODE_A, CODE_OPEN].sort());
    assert.equal(body.dossiers.find((d: { receiptCode: string }) => d.receiptCode === CODE_A).name, 'Nguyễn Văn A');
    const dossierA = await h.ctx.db.kysely.selectFrom('dossiers').select('id').where('receipt_code', '=', CODE_A).executeTakeFirstOrThrow();
    const expected = await h.ctx.db.kysely
      .selectFrom('notifications')
      .select('id')
      .where((eb) => eb.or([eb('to_address', '=', '+84912345678'), eb('dossier_id', '=', dossierA.id)]))
      .orderBy('id')
      .execute();
    assert.equal(expected.length, 3, 'the result (sent), the look-up reply (sent) and the pending one');
    assert.deepEqual(
      body.notifications.map((n: { id: number }) => n.id),
      expected.map((r) => r.id),
    );
    assert.ok(body.notifications.some((n: { kind: string }) => n.kind === 'lookup_reply'));
    assert.equal(body.inbound.length, 1);
    assert.equal(body.inbound[0].text, `MCKH ${CODE_A}`);
    assert.equal(body.inbound[0].receiptCode, CODE_A);
    for (const format of ['+84912345678', '84-912-345-678', '(+84) 912.345.678', '912345678']) {
      const again = await exportOf(format);
      assert.equal(again.statusCode, 200, again.body);
      assert.deepEqual(again.json(), body, format);
    }
    const download = await exportOf('0912345678', admin, '?download=true');
    assert.match(String(download.headers['content-disposition']), /^attachment; filename="data-subject-84912345678\.json"$/);
    assert.deepEqual(download.json(), body);
  });

  test('an agency sees its own dossiers only; bad numbers are refused; the audit row masks the number', async () => {
    const own = await exportOf('0912345678', bearer(stcToken));
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.json().dossiers.length, 2);
    const other = await exportOf('0912345678', bearer(stpToken));
    assert.equal(other.statusCode, 200, other.body);
    assert.deepEqual([other.json().dossiers, other.json().notifications, other.json().inbound], [[], [], []]);
    assert.equal((await exportOf('0912345678', {} as never)).statusCode, 401);
    for (const bad of ['abc', '12', '0912345678901234567890']) assert.equal((await exportOf(bad)).statusCode, 400, bad);
    const erase = await h.app.inject({
      method: 'POST',
      url: '/api/v1/data-subjects/0912345678/erase',
      headers: bearer(stcToken),
      payload: { reason: 'x' },
    });
    assert.equal(erase.statusCode, 403, 'erase is for administrators');
    const rows = await h.ctx.db.kysely.selectFrom('web_audit').selectAll().where('action', '=', 'privacy.export').execute();
    assert.ok(rows.length >= 7);
    for (const row of rows) {
      assert.equal(row.entity_id, '091****678');
      assert.doesNotMatch(`${row.after_json}`, /912345678/);
    }
  });

  test('erase: closed data at once, the open dossier kept and said so, the unsent message cancelled; nothing else touched', async () => {
    const otherBefore = await h.ctx.db.kysely.selectFrom('dossiers').selectAll().where('id', '=', ids.other!).executeTakeFirstOrThrow();
    const missing = await h.app.inject({ method: 'POST', url: '/api/v1/data-subjects/0912345678/erase', headers: admin, payload: {} });
    assert.equal(missing.statusCode, 400);
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/data-subjects/0912345678/erase',
      headers: admin,
      payload: { reason: 'Yêu cầu của chủ thể dữ liệu, phiếu số 12' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.dossiers, 1);
    assert.equal(body.cancelled, 1);
    assert.equal(body.inbound, 1);
    assert.equal(body.notifications, 3);
    assert.deepEqual(body.keptOpen, [{ receiptCode: CODE_OPEN, state: 'in_progress' }]);
    assert.match(body.note, /đến khi kết thúc/);
    const pending = await h.ctx.db.kysely.selectFrom('notifications').selectAll().where('id', '=', ids.pending!).executeTakeFirstOrThrow();
    assert.deepEqual([pending.status, pending.failure_reason, pending.body], ['cancelled', 'erased', null]);

    // only the open dossier still holds the number
    const hits = await textColumnsHolding(h, ['912345678', 'a@example.vn', 'Nguyễn Văn A', 'nguyen van a']);
    assert.ok(hits.length > 0);
    for (const hit of hits) assert.match(hit, /^dossiers\.(applicant_name|search_name|phone_input|phone_e164): /, hit);
    const open = await h.ctx.db.kysely.selectFrom('dossiers').selectAll().where('id', '=', ids.open!).executeTakeFirstOrThrow();
    assert.equal(open.applicant_name, 'Nguyễn Văn A');
    assert.ok(open.erase_requested_at !== null);
    assert.deepEqual(
      await h.ctx.db.kysely.selectFrom('dossiers').selectAll().where('id', '=', ids.other!).executeTakeFirstOrThrow(),
      otherBefore,
    );
    // the look-up of the erased dossier still answers
    const lookup = await h.app.inject({ method: 'GET', url: `/api/v1/lookup/${CODE_A}` });
    assert.equal(lookup.statusCode, 200);
    assert.equal(lookup.json().state, 'returned');

    // the open dossier closes; the next retention run removes the rest, whatever its age
    await h.ctx.db.kysely.updateTable('dossiers').set({ state: 'withdrawn', step: 'Rút hồ sơ' }).where('id', '=', ids.open!).execute();
    const run = await h.app.inject({ method: 'POST', url: '/api/v1/jobs/retention', headers: admin, payload: {} });
    assert.equal(run.json().dossiers, 1, run.body);
    assert.deepEqual(await textColumnsHolding(h, ['912345678', 'a@example.vn', 'Nguyễn Văn A', 'nguyen van a']), []);
    assert.deepEqual(
      (await h.ctx.db.kysely.selectFrom('dossiers').selectAll().where('id', '=', ids.other!).executeTakeFirstOrThrow()).applicant_name,
      'Trần Thị B',
    );
    const audit = await h.ctx.db.kysely.selectFrom('web_audit').selectAll().where('action', '=', 'privacy.erase').execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.entity_id, '091****678');
    assert.match(`${audit[0]!.after_json}`, /phiếu số 12/);
  });

  test('erase by number in three formats', async () => {
    const subjects = [
      { code: '000.00.15.H34-260601-0011', phone: '0913000111', asked: '0913 000 111' },
      { code: '000.00.15.H34-260601-0012', phone: '0914000222', asked: '+84914000222' },
      { code: '000.00.15.H34-260601-0013', phone: '0915000333', asked: '(84) 915-000-333' },
    ];
    for (const s of subjects) {
      const id = await plantDossier(h, {
        code: s.code,
        state: 'refused',
        name: `Người ${s.phone}`,
        phone: s.phone,
        receivedAt: '2026-05-20T08:00:00+07:00',
        dueAt: '2026-05-25T17:00:00+07:00',
        finishedAt: '2026-05-21T08:00:00+07:00',
        updatedAt: '2026-05-21T08:00:00+07:00',
      });
      const e164 = `+84${s.phone.slice(1)}`;
      await plantMessage(h, {
        dossierId: id,
        kind: 'refused',
        to: e164,
        body: `Người ${s.phone}`,
        status: 'delivered',
        cost: 750,
        createdAt: '2026-05-21T08:00:00+07:00',
      });
      await plantInbound(h, {
        from: e164,
        text: `MCKH ${s.code}`,
        dossierId: id,
        fee: 1000,
        receivedAt: '2026-05-22T08:00:00+07:00',
        messageId: `mo-${s.code}`,
      });
    }
    for (const s of subjects) {
      const res = await h.app.inject({
        method: 'POST',
        url: `/api/v1/data-subjects/${encodeURIComponent(s.asked)}/erase`,
        headers: admin,
        payload: { reason: 'Yêu cầu xoá' },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(
        { ...(res.json() as object), note: undefined },
        {
          phone: `+84${s.phone.slice(1)}`,
          dossiers: 1,
          notifications: 1,
          inbound: 1,
          statusCallbacks: 0,
          cancelled: 0,
          keptOpen: [],
          note: undefined,
        },
        s.asked,
      );
      assert.deepEqual(await textColumnsHolding(h, [s.phone.slice(1)]), [], s.asked);
      const again = await h.app.inject({
        method: 'POST',
        url: `/api/v1/data-subjects/${encodeURIComponent(s.asked)}/erase`,
        headers: admin,
        payload: { reason: 'Yêu cầu xoá' },
      });
      assert.equal(again.json().dossiers, 0, 'a second request finds nothing left');
    }
  });
});
