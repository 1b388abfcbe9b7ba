/**
 * The oversight pages through app.inject() with real logged-in sessions: dashboard figures against
 * computeStats, periods, the reconciliation list and its reasons, agency scoping, CSV/XLSX exports, charts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { TEST_DB, type Harness } from '../../support/harness.js';
import { guardFormula, toCsv } from '../../../src/web/reports/export.js';
import { resolvePeriod } from '../../../src/reports/period.js';
import { formatVnIso } from '../../../src/lib/calendar/zone.js';
import { reconciliationWhy } from '../../../src/reports/report.service.js';
import { barChart, niceCeiling, stackedBarChart } from '../../../src/web/reports/charts.js';
import { type Session, FROM, TO, PERIOD, CODES, get, parseCsv, attr, startReportScenario } from '../../support/web-reports.js';

describe(`web reports (${TEST_DB})`, { timeout: 120_000 }, () => {
  let h: Harness;
  let oversight: Session;
  let stcAdmin: Session;
  let stpClerk: Session;

  before(async () => {
    ({ h, oversight, stcAdmin, stpClerk } = await startReportScenario());
  });

  after(async () => {
    await h?.close();
  });

  test('without a session the pages send people to the login page', async () => {
    for (const url of [
      '/giam-sat',
      '/giam-sat/thong-ke.csv',
      '/ho-so',
      `/ho-so/${CODES.delivered}`,
      '/tin-nhan',
      '/gia-lap',
      '/giam-sat?from=bad',
    ]) {
      const res = await h.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 303, url);
      assert.match(String(res.headers.location), /^\/dang-nhap\?next=/);
    }
  });

  test('dashboard figures equal computeStats for the same period', async () => {
    const stats = await h.ctx.stats.compute({ from: FROM, to: TO, groupBy: 'agency', agencyCode: null });
    const sum = (pick: (r: (typeof stats.rows)[number]) => number) => stats.rows.reduce((s, r) => s + pick(r), 0);
    const res = await get(h.app, oversight, `/giam-sat?${PERIOD}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.body, /<html lang="vi">/);
    const cell = (id: string) => new RegExp(`data-testid="${id}">([^<]*)`).exec(res.body)?.[1];
    assert.equal(cell('total-received'), String(sum((r) => r.dossiersReceived)));
    assert.equal(cell('total-resolved'), String(sum((r) => r.dossiersResolved)));
    assert.equal(cell('total-messages'), String(sum((r) => r.messages.created)));
    assert.equal(cell('total-without-result'), String(sum((r) => r.reconciliation.resolvedWithoutDeliveredResult)));
    assert.equal(cell('total-cost')?.replace(/\s/g, ' '), `${sum((r) => r.costVnd).toLocaleString('vi-VN')} ₫`);
    // Every figure of every row, through the export that carries them unformatted.
    const csv = parseCsv((await get(h.app, oversight, `/giam-sat/thong-ke.csv?${PERIOD}`)).rawPayload.toString('utf8').slice(1));
    assert.equal(csv.length - 1, stats.rows.length);
    stats.rows.forEach((row, i) => {
      const line = csv[i + 1]!;
      assert.equal(line[0], row.agencyCode);
      assert.deepEqual(
        line.slice(2).map((v) => (v === '' ? null : Number(v))),
        [
          row.dossiersReceived,
          row.dossiersResolved,
          row.resolvedOnTime,
          row.resolvedLate,
          row.dossiersResolved ? Math.round((row.resolvedOnTime / row.dossiersResolved) * 10_000) / 10_000 : null,
          row.supplementRequests,
          row.messages.created,
          row.messages.sent,
          row.messages.delivered,
          row.messages.failed,
          row.messages.cancelled,
          row.messages.pending,
          row.costVnd,
          row.reach,
          row.lookups,
          row.lookupRevenueVnd,
          row.reconciliation.resolvedWithoutDeliveredResult,
        ],
        row.agencyCode,
      );
    });
    // The procedure view and its totals agree with computeStats by procedure.
    const byProcedure = await h.ctx.stats.compute({ from: FROM, to: TO, groupBy: 'procedure', agencyCode: null });
    const procedurePage = await get(h.app, oversight, `/giam-sat?${PERIOD}&groupBy=procedure`);
    assert.equal(procedurePage.statusCode, 200);
    for (const row of byProcedure.rows) assert.ok(procedurePage.body.includes(`${row.procedureCode} – `), row.procedureCode);
    // Charts: inline SVG with a title, a description and a data table.
    assert.equal((res.body.match(/<svg class="chart[^"]*"[^>]*role="img"/g) ?? []).length, 3);
    assert.match(res.body, /<title id="chart-messages-title">Tin nhắn theo ngày và kết quả gửi<\/title>/);
    assert.equal((res.body.match(/<details class="chart-data">/g) ?? []).length, 3);
    assert.match(res.body, /Lỗi nhà mạng: UNDELIV:011/);
    assert.match(res.body, /Không có số điện thoại/);
  });

  test('presets and bad periods', async () => {
    assert.deepEqual(resolvePeriod('2026-11-23', {}), { from: '2026-11-01', to: '2026-11-23', preset: 'this_month' });
    assert.deepEqual(resolvePeriod('2026-01-15', { preset: 'last_month' }), { from: '2025-12-01', to: '2025-12-31', preset: 'last_month' });
    assert.deepEqual(resolvePeriod('2026-03-10', { preset: 'last_month' }), { from: '2026-02-01', to: '2026-02-28', preset: 'last_month' });
    assert.deepEqual(resolvePeriod('2026-11-23', { preset: 'this_year' }), { from: '2026-01-01', to: '2026-11-23', preset: 'this_year' });
    const year = await get(h.app, oversight, '/giam-sat?preset=this_year');
    assert.equal(year.statusCode, 200);
    assert.match(year.body, /Tin nhắn theo tháng và kết quả gửi/);
    for (const url of [
      '/giam-sat?from=2026-11-30&to=2026-11-01',
      '/giam-sat?from=2026-02-30',
      '/giam-sat?from=yesterday',
      '/giam-sat?groupBy=day',
      '/giam-sat?preset=forever',
      '/giam-sat?agency=%27%3B--',
      '/giam-sat?unknown=1',
      '/giam-sat?from=2020-01-01&to=2026-11-30',
      '/giam-sat/doi-soat.csv?to=1',
    ]) {
      const res = await get(h.app, oversight, url);
      assert.equal(res.statusCode, 400, `${url}: ${res.statusCode}`);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.match(res.body, /role="alert"/);
    }
    assert.match((await get(h.app, oversight, '/giam-sat?from=yesterday')).body, /Dữ liệu nhập không hợp lệ: Từ ngày \(from\)/);
    assert.match(
      (await get(h.app, oversight, '/giam-sat?from=2026-11-30&to=2026-11-01')).body,
      /Ngày bắt đầu phải trước hoặc bằng ngày kết thúc/,
    );
    assert.equal((await get(h.app, oversight, '/giam-sat?agency=NOPE')).statusCode, 404);
  });

  test('reconciliation lists exactly the resolved dossiers without a delivered result, with the reason', async () => {
    const res = await get(h.app, oversight, `/giam-sat?${PERIOD}`);
    const table = /<table data-testid="reconciliation">[\s\S]*?<\/table>/.exec(res.body)?.[0] ?? '';
    const codes = attr(table, 'data-code');
    const whys = attr(table, 'data-why');
    const listed = Object.fromEntries(codes.map((c, i) => [c, whys[i]]));
    assert.deepEqual(listed, {
      [CODES.noPhone]: 'no_phone',
      [CODES.landline]: 'landline',
      [CODES.failed]: 'failed',
      [CODES.held]: 'held',
      [CODES.sameDay]: 'same_day',
    });
    const stats = await h.ctx.stats.compute({ from: FROM, to: TO, groupBy: 'agency', agencyCode: null });
    assert.equal(
      codes.length,
      stats.rows.reduce((s, r) => s + r.reconciliation.resolvedWithoutDeliveredResult, 0),
    );
    assert.match(table, /Số máy bàn, không nhận được SMS/);
    assert.match(table, /Tin đang được giữ, chờ gửi[\s\S]*Gửi sau 10:40 23\/11\/2026/);
    assert.match(table, /Không gửi: thủ tục giải quyết trong ngày/);
    assert.ok(table.includes(`href="/ho-so/${CODES.failed}"`), 'each line links to its dossier');

    const csv = parseCsv((await get(h.app, oversight, `/giam-sat/doi-soat.csv?${PERIOD}`)).rawPayload.toString('utf8').slice(1));
    assert.deepEqual(
      csv
        .slice(1)
        .map((r) => r[0])
        .sort(),
      codes.slice().sort(),
    );
    const failedLine = csv.find((r) => r[0] === CODES.failed)!;
    assert.equal(failedLine[9], 'Gửi lỗi');
    assert.equal(failedLine[10], 'Lỗi nhà mạng: UNDELIV:011');
    assert.equal(failedLine[11], `http://localhost:80/ho-so/${CODES.failed}`, 'an absolute link with the request host');

    // Unit: reasons for the cases not built above.
    const ctx = { processingDays: 3, notifySameDay: false, resultTriggerOn: true };
    assert.equal(reconciliationWhy(null, { ...ctx, resultTriggerOn: false }), 'trigger_off');
    assert.equal(reconciliationWhy(null, ctx), 'not_created');
    assert.equal(reconciliationWhy({ status: 'cancelled', failure_reason: 'state_changed' }, ctx), 'cancelled');
    assert.equal(reconciliationWhy({ status: 'sent', failure_reason: null }, ctx), 'sent_unconfirmed');
    assert.equal(reconciliationWhy({ status: 'failed', failure_reason: 'invalid_phone' }, ctx), 'invalid_phone');
  });

  test('agency scoping: an agency user sees only its agency and gets 403 for another; oversight sees all', async () => {
    for (const url of [
      `/giam-sat?agency=STP`,
      `/giam-sat/thong-ke.csv?agency=STP`,
      `/giam-sat/thong-ke.xlsx?agency=STP`,
      `/giam-sat/doi-soat.csv?agency=STP`,
      `/giam-sat/doi-soat.xlsx?agency=STP`,
      `/ho-so?agency=STP`,
      `/tin-nhan?agency=STP`,
      `/ho-so/${CODES.held}`,
    ]) {
      const res = await get(h.app, stcAdmin, url);
      assert.equal(res.statusCode, 403, url);
      assert.match(res.body, /không có quyền/);
    }
    const own = parseCsv((await get(h.app, stcAdmin, `/giam-sat/thong-ke.csv?${PERIOD}`)).rawPayload.toString('utf8').slice(1));
    assert.deepEqual(
      own.slice(1).map((r) => r[0]),
      ['STC'],
    );
    const ownRecon = parseCsv((await get(h.app, stcAdmin, `/giam-sat/doi-soat.csv?${PERIOD}`)).rawPayload.toString('utf8').slice(1));
    assert.ok(ownRecon.slice(1).every((r) => r[1] === 'STC') && ownRecon.length > 1);
    assert.equal((await get(h.app, stcAdmin, `/giam-sat?${PERIOD}&agency=STC`)).statusCode, 200);
    const clerkPage = await get(h.app, stpClerk, `/giam-sat?${PERIOD}`);
    assert.equal(clerkPage.statusCode, 200);
    assert.ok(!clerkPage.body.includes(CODES.failed), 'no STC dossier on the STP clerk dashboard');
    assert.equal((await get(h.app, stpClerk, `/ho-so/${CODES.delivered}`)).statusCode, 403);

    const all = parseCsv((await get(h.app, oversight, `/giam-sat/thong-ke.csv?${PERIOD}`)).rawPayload.toString('utf8').slice(1));
    assert.deepEqual(
      all.slice(1).map((r) => r[0]),
      ['STC', 'STP', 'XSS'],
    );
    assert.equal((await get(h.app, oversight, `/ho-so/${CODES.held}`)).statusCode, 200);
    assert.equal((await get(h.app, oversight, `/giam-sat?${PERIOD}&agency=STP`)).statusCode, 200);
  });

  test('CSV: exact bytes (BOM, header, RFC 4180 quoting, formula guard)', async () => {
    const res = await get(h.app, oversight, `/giam-sat/thong-ke.csv?${PERIOD}&agency=XSS`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
    assert.equal(res.headers['content-disposition'], `attachment; filename="thong-ke_${FROM}_${TO}.csv"`);
    const expected =
      '\uFEFF' +
      'Cơ quan,Tên cơ quan,Tiếp nhận,Đã giải quyết,Đúng hạn,Trễ hạn,Tỷ lệ đúng hạn,Yêu cầu bổ sung,Tin nhắn tạo,Đã gửi,Đã đến máy,Không gửi được,Đã huỷ,Đang chờ gửi,Chi phí (đồng),Tỷ lệ tiếp cận,Lượt tra cứu,Doanh thu tra cứu (đồng),Giải quyết nhưng chưa báo được\r\n' +
      `XSS,"'=cmd|' /C calc'!A0, ""Khánh Hòa""",1,0,0,0,,0,0,0,0,0,0,0,0,1,0,0,0\r\n`;
    assert.deepEqual(res.rawPayload, Buffer.from(expected, 'utf8'));
    assert.deepEqual([...res.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf]);

    const table = {
      sheetName: 't',
      columns: [
        { header: 'a', kind: 'text' as const },
        { header: 'b, "c"', kind: 'int' as const },
      ],
      rows: [
        ['=SUM(A1)', 1],
        ['+84912345678', 2],
        ['-2+3', null],
        ['@cmd', 0],
        ['dòng 1\r\ndòng 2', 3],
        ['"trích"', 4],
      ],
    };
    assert.equal(
      toCsv(table).toString('utf8'),
      '\uFEFFa,"b, ""c"""\r\n\'=SUM(A1),1\r\n\'+84912345678,2\r\n\'-2+3,\r\n\'@cmd,0\r\n"dòng 1\r\ndòng 2",3\r\n"""trích""",4\r\n',
    );
    assert.equal(guardFormula('Sở Tài chính'), 'Sở Tài chính');
    assert.equal(guardFormula('\tx'), "'\tx");
  });

  test('XLSX opens and has the same rows as the CSV (between its title row and its totals row)', async () => {
    for (const name of ['thong-ke', 'doi-soat']) {
      const csvRes = await get(h.app, oversight, `/giam-sat/${name}.csv?${PERIOD}`);
      const xlsxRes = await get(h.app, oversight, `/giam-sat/${name}.xlsx?${PERIOD}`);
      assert.equal(xlsxRes.statusCode, 200);
      assert.equal(xlsxRes.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(xlsxRes.rawPayload as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0]!;
      const rows: string[][] = [];
      for (let r = 3; r < sheet.rowCount; r++) {
        const row = sheet.getRow(r);
        const values: string[] = [];
        for (let c = 1; c <= sheet.columnCount; c++) {
          const value = row.getCell(c).value;
          // Excel dates are Việt Nam wall-clock time; the CSV gives the same instant with +07:00.
          if (value instanceof Date) values.push(formatVnIso(new Date(value.getTime() - 7 * 3_600_000)));
          else if (value !== null && typeof value === 'object' && 'hyperlink' in value) values.push(value.hyperlink);
          else values.push(value === null || value === undefined ? '' : String(value));
        }
        rows.push(values);
      }
      const csv = parseCsv(csvRes.rawPayload.toString('utf8').slice(1)).map((r) =>
        r.map((v) => (/^'[=+\-@\t\r]/.test(v) ? v.slice(1) : v)),
      );
      assert.deepEqual(rows, csv, name);
      assert.ok(rows.length > 1);
      assert.equal(sheet.getRow(sheet.rowCount).getCell(1).value, 'Tổng cộng', name);
    }
  });

  test('charts are pure SVG with titles, patterns and a data table', () => {
    assert.equal(niceCeiling(0), 1);
    assert.equal(niceCeiling(7), 10);
    assert.equal(niceCeiling(23), 25);
    assert.equal(niceCeiling(180), 200);
    const stacked = stackedBarChart({
      id: 'c',
      title: 'T <x>',
      description: 'D',
      categoryHeader: 'Ngày',
      categories: ['01/11', '02/11'],
      series: [
        { key: 'a', label: 'A', color: '#0b6b2f', style: 'solid', values: [1, 2] },
        { key: 'b', label: 'B', color: '#a4000f', style: 'crosshatch', values: [0, 3] },
      ],
      totalLabel: 'Tổng',
      tableCaption: 'Bảng',
      format: String,
    }).value;
    assert.match(stacked, /<title id="c-title">T &#60;x&#62;<\/title>/);
    assert.equal((stacked.match(/<rect x=[^>]*fill="url\(#c-p-/g) ?? []).length, 3, 'no rect for a zero value');
    assert.match(stacked, /<pattern id="c-p-b"/);
    assert.match(stacked, /<th scope="row">02\/11<\/th><td class="num">2<\/td><td class="num">3<\/td><td class="num">5<\/td>/);
    const bars = barChart({
      id: 'b',
      title: 'R',
      description: 'D',
      categoryHeader: 'Cơ quan',
      valueHeader: 'Tỷ lệ',
      items: [
        { label: 'STC', name: 'STC – Sở Tài chính', value: 0.5, display: '50%' },
        { label: 'STP', name: 'STP', value: null, display: '—' },
      ],
      color: '#1d4ed8',
      style: 'stripes',
      tableCaption: 'Bảng',
      emptyText: 'Không có',
    }).value;
    assert.match(bars, /role="img" aria-labelledby="b-title b-desc"/);
    assert.equal((bars.match(/<rect x=/g) ?? []).length, 1);
  });
});
