/** Destructive actions ask first (issue 15 item 8): removing a calendar day and revoking a token show a
 *  confirmation page that changes nothing; only its own button acts. The last admin token gets a warning. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seedBasics, startHarness, TEST_DB, type Harness } from '../../support/harness.js';
import { PASSWORD, webSession, type Session } from '../../support/web-session.js';

describe(`confirmation before destructive actions (${TEST_DB})`, () => {
  let h: Harness;
  const web = webSession(() => h);
  let session: Session;
  const post = (url: string, fields: Record<string, string>) => web.post(session, url, fields);

  before(async () => {
    h = await startHarness();
    await seedBasics(h);
    await h.ctx.accounts.create({ username: 'quantri', displayName: 'Quản trị', role: 'admin', agencyCode: null, password: PASSWORD });
    session = await web.login('quantri');
  });
  after(async () => h.close());

  test('"Xoá" on a calendar day asks first; going back changes nothing', async () => {
    assert.equal((await post('/cai-dat/lich', { date: '2026-11-20', kind: 'holiday', name: 'Ngày Nhà giáo (thử)' })).statusCode, 303);
    const ask = await post('/cai-dat/lich/xoa', { date: '2026-11-20' });
    assert.equal(ask.statusCode, 200);
    assert.match(ask.body, /<h1>Xoá ngày 20\/11\/2026 khỏi lịch làm việc\?<\/h1>/);
    assert.match(ask.body, /Ngày nghỉ: Ngày Nhà giáo \(thử\)\. Hạn giải quyết/);
    assert.match(ask.body, /<input type="hidden" name="confirm" value="yes">/);
    assert.match(ask.body, /<a href="\/cai-dat\/lich\?year=2026">Quay lại, không thay đổi gì<\/a>/);
    assert.ok(
      (await h.ctx.calendars.list(2026)).some((d) => d.date === '2026-11-20'),
      'nothing removed yet',
    );
    assert.equal((await post('/cai-dat/lich/xoa', { date: '2026-11-20', confirm: 'yes' })).statusCode, 303);
    assert.ok(!(await h.ctx.calendars.list(2026)).some((d) => d.date === '2026-11-20'));
  });

  test('"Thu hồi" asks first; the last admin token gets a warning', async () => {
    const created = await post('/cai-dat/ma-truy-cap', { role: 'agency', agencyCode: 'STC', label: 'Một cửa STC' });
    const value = /data-testid="new-token">([^<]+)</.exec(created.body)![1]!;
    const works = async () =>
      (await h.app.inject({ method: 'GET', url: '/api/v1/procedures?agencyCode=STC', headers: { authorization: `Bearer ${value}` } }))
        .statusCode;
    const [tokenView] = (await h.ctx.tokens.list()).filter((tk) => tk.label === 'Một cửa STC');
    const ask = await post(`/cai-dat/ma-truy-cap/${tokenView!.id}/thu-hoi`, {});
    assert.equal(ask.statusCode, 200);
    assert.match(ask.body, new RegExp(`<h1>Thu hồi mã truy cập #${tokenView!.id}\\?</h1>`));
    assert.match(ask.body, /Phần mềm một cửa của cơ quan · STC · Một cửa STC\./);
    assert.doesNotMatch(ask.body, /data-testid="confirm-warning"/);
    assert.equal(await works(), 200, 'the token still works until confirmed');
    assert.equal((await post(`/cai-dat/ma-truy-cap/${tokenView!.id}/thu-hoi`, { confirm: 'yes' })).statusCode, 303);
    assert.equal(await works(), 401);

    await post('/cai-dat/ma-truy-cap', { role: 'admin', agencyCode: '', label: 'Quản trị tỉnh' });
    const [adminToken] = (await h.ctx.tokens.list()).filter((tk) => tk.role === 'admin' && tk.revokedAt === null);
    const last = await post(`/cai-dat/ma-truy-cap/${adminToken!.id}/thu-hoi`, {});
    assert.match(last.body, /data-testid="confirm-warning"><p>Đây là mã quản trị cuối cùng còn hiệu lực\./);
    assert.equal((await h.ctx.tokens.list()).find((tk) => tk.id === adminToken!.id)!.revokedAt, null);
  });
});
