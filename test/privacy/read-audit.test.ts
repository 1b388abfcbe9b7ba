/**
 * Issue 16 item 4: opening a dossier's page (oversight's /ho-so or the desk's /mot-cua) writes an audit row (who, what, when) that /nhat-ky
 * filters by; the data-subject export is audited too (see data-subject.test.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, intakeBody, seedBasics, startHarness, type Harness } from '../support/harness.js';

const PASSWORD = 'Kiem-tra-nhat-ky-2026';
const CODE = '000.00.15.H34-261123-0077';

describe('reads of personal data are audited', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await seedBasics(h);
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/dossiers', headers: admin, payload: intakeBody({ receiptCode: CODE }) });
    assert.equal(res.statusCode, 201, res.body);
    await h.ctx.accounts.create({
      username: 'giamsat-doc',
      displayName: 'Giám sát',
      role: 'oversight',
      agencyCode: null,
      password: PASSWORD,
    });
    await h.ctx.accounts.create({ username: 'quantri-doc', displayName: 'Quản trị', role: 'admin', agencyCode: null, password: PASSWORD });
    await h.ctx.accounts.create({
      username: 'stc-motcua-doc',
      displayName: 'Cán bộ một cửa',
      role: 'clerk',
      agencyCode: 'STC',
      password: PASSWORD,
    });
    await h.ctx.accounts.create({
      username: 'stp-motcua-doc',
      displayName: 'Cán bộ một cửa',
      role: 'clerk',
      agencyCode: 'STP',
      password: PASSWORD,
    });
  });
  after(async () => h.close());

  const login = async (username: string) => {
    const form = await h.app.inject({ method: 'GET', url: '/dang-nhap' });
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1];
    assert.ok(token);
    const res = await h.app.inject({
      method: 'POST',
      url: '/dang-nhap',
      headers: { cookie: `mcs_login=${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: token, username, password: PASSWORD, next: '' }).toString(),
    });
    assert.equal(res.statusCode, 303, res.body);
    return `mcs_session=${res.cookies.find((c) => c.name === 'mcs_session')!.value}`;
  };

  test("opening a dossier's page writes who, what, when; /nhat-ky filters by it", async () => {
    const before = h.clock.now();
    const page = await h.app.inject({ method: 'GET', url: `/ho-so/${CODE}`, headers: { cookie: await login('giamsat-doc') } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Nguyễn Văn A/);
    const rows = await h.ctx.db.kysely.selectFrom('web_audit').selectAll().where('action', '=', 'dossier.read').execute();
    assert.equal(rows.length, 1);
    assert.deepEqual([rows[0]!.username, rows[0]!.entity, rows[0]!.entity_id, rows[0]!.at], ['giamsat-doc', 'dossier', CODE, before]);
    assert.doesNotMatch(`${rows[0]!.after_json}${rows[0]!.before_json}`, /912|Nguy/);
    // a dossier that does not exist is not a read
    assert.equal(
      (await h.app.inject({ method: 'GET', url: '/ho-so/KHONG-CO-0001', headers: { cookie: await login('giamsat-doc') } })).statusCode,
      404,
    );
    assert.equal((await h.ctx.db.kysely.selectFrom('web_audit').selectAll().where('action', '=', 'dossier.read').execute()).length, 1);

    const log = await h.app.inject({ method: 'GET', url: '/nhat-ky?action=dossier.read', headers: { cookie: await login('quantri-doc') } });
    assert.equal(log.statusCode, 200);
    assert.match(log.body, /<option value="dossier.read"/);
    assert.match(log.body, new RegExp(`giamsat-doc</td><td>Xem hồ sơ</td><td>Hồ sơ <strong>${CODE.replace(/\./g, '\\.')}</strong>`));
  });

  test("the desk's page of a dossier is a read too; another agency's clerk is refused and nothing is logged", async () => {
    const reads = async () =>
      await h.ctx.db.kysely
        .selectFrom('web_audit')
        .selectAll()
        .where('action', '=', 'dossier.read')
        .where('username', 'like', '%-motcua-doc')
        .execute();
    const refused = await h.app.inject({
      method: 'GET',
      url: `/mot-cua/ho-so/${CODE}`,
      headers: { cookie: await login('stp-motcua-doc') },
    });
    assert.equal(refused.statusCode, 403);
    assert.equal((await reads()).length, 0);
    const page = await h.app.inject({ method: 'GET', url: `/mot-cua/ho-so/${CODE}`, headers: { cookie: await login('stc-motcua-doc') } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Nguyễn Văn A/);
    const rows = await reads();
    assert.deepEqual(
      rows.map((r) => [r.username, r.entity, r.entity_id]),
      [['stc-motcua-doc', 'dossier', CODE]],
    );
  });
});
