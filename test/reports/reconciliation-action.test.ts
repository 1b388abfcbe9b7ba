/**
 * Issue 15 item 3: the reconciliation list puts the lines that need action first. "Needs action" is
 * decided in one place (needsAction in the reports service); the page is cut, counted and filtered
 * by reason there too.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { needsAction, RECONCILIATION_WHYS, type ReconciliationWhy } from '../../src/reports/report.service.js';
import { admin, TEST_DB } from '../support/harness.js';
import { CODES, FROM, TO, startReportScenario, type ReportScenario } from '../support/web-reports.js';

describe(`reconciliation: lines that need action first (${TEST_DB})`, () => {
  let s: ReportScenario;
  const scope = { from: FROM, to: TO, agencyCode: null };

  before(async () => {
    s = await startReportScenario();
    // Handed over while its result message was still held: the message is cancelled, nothing to do.
    const res = await s.h.app.inject({
      method: 'POST',
      url: `/api/v1/dossiers/${CODES.held}/events`,
      headers: admin,
      payload: { type: 'returned' },
    });
    assert.equal(res.statusCode, 200, res.body);
  });
  after(() => s?.h.close());

  test('the rule: a result not handed over whose citizen was not told, for a reason someone can fix', () => {
    const acting: ReconciliationWhy[] = [
      'no_phone',
      'invalid_phone',
      'landline',
      'foreign_phone',
      'failed',
      'cancelled',
      'not_created',
      'no_receipt',
    ];
    for (const why of RECONCILIATION_WHYS) {
      assert.equal(needsAction({ state: 'result_ready', why }), acting.includes(why), `result_ready, ${why}`);
      assert.equal(needsAction({ state: 'returned', why }), false, `returned, ${why}`);
    }
  });

  test('the list: needing action first, then the rest, each newest first; the page counts and filters', async () => {
    const items = await s.h.ctx.reports.reconciliation(scope);
    const byCode = Object.fromEntries(items.map((i) => [i.receiptCode, i]));
    assert.equal(byCode[CODES.held]?.why, 'cancelled');
    assert.equal(byCode[CODES.held]?.state, 'returned');
    assert.equal(byCode[CODES.held]?.needsAction, false, '"Tin đã bị huỷ" for a dossier already handed over');
    assert.equal(byCode[CODES.sameDay]?.needsAction, false);
    for (const code of [CODES.noPhone, CODES.landline, CODES.failed]) assert.equal(byCode[code]?.needsAction, true, code);
    const flags = items.map((i) => i.needsAction);
    assert.deepEqual(
      flags,
      [...flags].sort((a, b) => Number(b) - Number(a)),
      'needing action first',
    );
    for (const group of [true, false]) {
      const times = items.filter((i) => i.needsAction === group).map((i) => i.finishedAt);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => b - a),
        'newest first within a group',
      );
    }

    const first = await s.h.ctx.reports.reconciliationPage(scope, { page: 1, pageSize: 2 });
    assert.equal(first.total, items.length);
    assert.equal(first.all, items.length);
    assert.equal(first.needingAction, 3);
    assert.deepEqual(
      first.items.map((i) => i.receiptCode),
      items.slice(0, 2).map((i) => i.receiptCode),
    );
    const last = await s.h.ctx.reports.reconciliationPage(scope, { page: 3, pageSize: 2 });
    assert.deepEqual(
      last.items.map((i) => i.receiptCode),
      items.slice(4).map((i) => i.receiptCode),
    );
    const landlines = await s.h.ctx.reports.reconciliationPage(scope, { why: 'landline', page: 1, pageSize: 50 });
    assert.deepEqual(
      landlines.items.map((i) => i.receiptCode),
      [CODES.landline],
    );
    assert.equal(landlines.total, 1);
    assert.equal(landlines.all, items.length, 'the counts of the filter are of the whole list');
    assert.equal(landlines.byWhy.landline, 1);
    assert.equal(landlines.byWhy.cancelled, 1);
  });

  test('the page: the reason filter, the page past the end and the "needs action" mark', async () => {
    const page = await s.h.app.inject({
      method: 'GET',
      url: `/giam-sat?from=${FROM}&to=${TO}&reason=landline`,
      headers: { cookie: s.oversight.cookie },
    });
    assert.equal(page.statusCode, 200);
    const table = /<table data-testid="reconciliation">[\s\S]*?<\/table>/.exec(page.body)?.[0] ?? '';
    assert.match(table, new RegExp(`data-code="${CODES.landline}" data-why="landline" data-needs-action="true"`));
    assert.equal((table.match(/data-code=/g) ?? []).length, 1);
    assert.match(page.body, /<option value="landline" selected>Số máy bàn, không nhận được SMS \(1\)<\/option>/);
    assert.match(page.body, /data-testid="needs-action">3 dòng cần xử lý/);
    const past = await s.h.app.inject({
      method: 'GET',
      url: `/giam-sat?from=${FROM}&to=${TO}&rpage=9`,
      headers: { cookie: s.oversight.cookie },
    });
    assert.equal(past.statusCode, 200);
    assert.match(
      past.body,
      /Không có trang 9: danh sách chỉ có 1 trang\. <a href="\/giam-sat\?from=2026-11-01&#38;to=2026-11-30#doi-soat">Đến trang cuối/,
    );
    const bad = await s.h.app.inject({ method: 'GET', url: `/giam-sat?reason=whatever`, headers: { cookie: s.oversight.cookie } });
    assert.equal(bad.statusCode, 400);
  });
});
