/** Issue 16 item 5 (part): the public privacy notice, Vietnamese with an English switch, linked from /tra-cuu. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../support/harness.js';

describe('privacy notice', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      env: { MOTCUA_PRIVACY_CONTACT: 'Văn phòng UBND tỉnh, dpo@tinh.gov.vn', MOTCUA_RETENTION_DOSSIER_DAYS: '120' },
    });
  });
  after(async () => h.close());

  test('what, why, how long and whom to contact; Vietnamese first, English on request; linked from the look-up page', async () => {
    const vi = await h.app.inject({ method: 'GET', url: '/quyen-rieng-tu' });
    assert.equal(vi.statusCode, 200);
    assert.match(String(vi.headers['content-type']), /text\/html/);
    assert.match(vi.body, /<html lang="vi">/);
    assert.match(vi.body, /Quyền riêng tư và dữ liệu cá nhân/);
    assert.match(vi.body, /120 ngày sau khi hồ sơ kết thúc/);
    assert.match(vi.body, /Văn phòng UBND tỉnh, dpo@tinh\.gov\.vn/);
    assert.match(vi.body, /href="\/quyen-rieng-tu\?lang=en"/);
    const en = await h.app.inject({ method: 'GET', url: '/quyen-rieng-tu?lang=en' });
    assert.match(en.body, /<html lang="en">/);
    assert.match(en.body, /120 days after the dossier closes/);
    assert.equal((await h.app.inject({ method: 'GET', url: '/quyen-rieng-tu?lang=fr' })).statusCode, 400);
    const lookup = await h.app.inject({ method: 'GET', url: '/tra-cuu' });
    assert.match(lookup.body, /href="\/quyen-rieng-tu"/);
    const login = await h.app.inject({ method: 'GET', url: '/dang-nhap' });
    assert.match(login.body, /href="\/quyen-rieng-tu"/);
  });
});
