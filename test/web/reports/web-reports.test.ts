/**
 * The oversight and read pages through app.inject() with real logged-in sessions: dashboard figures
 * against computeStats, the reconciliation list and its reasons, agency scoping, CSV/XLSX exports,
 * dossier search and timeline, the message log and the phone simulator.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { admin, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../../support/harness.js';
import { buildApp, type App } from '../../../src/main/app.js';
import type { AppContext } from '../../../src/main/context.js';
import { guardFormula, toCsv } from '../../../src/web/reports/export.js';
import { resolvePeriod } from '../../../src/reports/period.js';
import { reconciliationWhy } from '../../../src/reports/report.service.js';
import { barChart, niceCeiling, stackedBarChart } from '../../../src/web/reports/charts.js';

const PASSWORD = 'Kiem-tra-bao-cao-2026';
const FROM = '2026-11-01';
const TO = '2026-11-30';
const PERIOD = `from=${FROM}&to=${TO}`;

const CODES = {
  delivered: '000.00.15.H34-261123-0001',
  noPhone: '000.00.15.H34-261123-0002',
  landline: '000.00.15.H34-261123-0003',
  failed: '000.00.15.H34-261123-0004',
  held: '000.00.16.H34-261123-0005',
  sameDay: '000.00.15.H34-261123-0006',
  open: '000.00.15.H34-261123-0007',
  odd: 'XSS-261123-0008',
} as const;

interface Session {
  cookie: string;
  csrf: string;
}

/** Logs in through the /dang-nhap form, as a browser does, and reads the session's CSRF token. */
async function login(app: App, username: string): Promise<Session> {
  const form = await app.inject({ method: 'GET', url: '/dang-nhap' });
  const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1];
  assert.ok(token, 'login form carries a CSRF token');
  const res = await app.inject({
    method: 'POST',
    url: '/dang-nhap',
    headers: { cookie: `mcs_login=${token}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: token, username, password: PASSWORD, next: '' }).toString(),
  });
  assert.equal(res.statusCode, 303, res.body);
  const session = res.cookies.find((c) => c.name === 'mcs_session');
  assert.ok(session, 'session cookie set');
  const cookie = `mcs_session=${session.value}`;
  const page = await app.inject({ method: 'GET', url: '/ho-so', headers: { cookie } });
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page.body)?.[1];
  assert.ok(csrf, 'pages carry the session CSRF token');
  return { cookie, csrf };
}

const get = (app: App, session: Session, url: string) => app.inject({ method: 'GET', url, headers: { cookie: session.cookie } });

/** A minimal RFC 4180 reader for the tests (quoted fields, doubled quotes, CRLF records). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  assert.equal(field, '', 'the file ends with CRLF');
  return rows;
}

const attr = (html: string, name: string) => [...html.matchAll(new RegExp(`${name}="([^"]*)"`, 'g'))].map((m) => m[1]!);

describe(`web reports (${TEST_DB})`, { timeout: 120_000 }, () => {
  let h: Harness;
  let oversight: Session;
  let stcAdmin: Session;
  let stpClerk: Session;

  const api = async (method: 'PUT' | 'POST', url: string, payload: object) => {
    const res = await h.app.inject({ method, url, headers: admin, payload });
    assert.ok(res.statusCode < 300, `${url}: ${res.statusCode} ${res.body}`);
    return res;
  };
  const put = (url: string, payload: object) => api('PUT', url, payload);
  const post = (url: string, payload: object) => api('POST', url, payload);
  const intake = (overrides: Record<string, unknown>) => post('/api/v1/dossiers', intakeBody(overrides));
  const event = (code: string, payload: object) => post(`/api/v1/dossiers/${code}/events`, payload);
  const resolve = async (code: string) => {
    await event(code, { type: 'step', step: 'Thẩm định hồ sơ', at: '2026-11-23T09:30:00+07:00' });
    await event(code, { type: 'step', step: 'Trả kết quả', at: '2026-11-23T10:00:00+07:00' });
  };

  before(async () => {
    h = await startHarness({ now: '2026-11-23T10:30:00+07:00' });
    await seedBasics(h);
    await put('/api/v1/agencies/STP', { name: 'Sở Tư pháp', settings: { holdSeconds: 600, quietHours: null } });
    await put('/api/v1/agencies/XSS', { name: `=cmd|' /C calc'!A0, "Khánh Hòa"`, settings: { holdSeconds: 0, quietHours: null } });
    await put('/api/v1/procedures/X.1', { agencyCode: 'XSS', name: 'Thủ tục thử', processingDays: 5 });

    await intake({ receiptCode: CODES.delivered });
    await resolve(CODES.delivered);
    await intake({ receiptCode: CODES.noPhone, applicant: { name: 'Lê Văn Không Số' } });
    await resolve(CODES.noPhone);
    await intake({ receiptCode: CODES.landline, applicant: { name: 'Phạm Thị Máy Bàn', phone: '0258 3822 123' } });
    await resolve(CODES.landline);
    await intake({ receiptCode: CODES.failed, applicant: { name: 'Hoàng Văn Lỗi', phone: '0987 111 222' } });
    await resolve(CODES.failed);
    await intake({
      receiptCode: CODES.held,
      agencyCode: 'STP',
      procedureCode: '2.000488',
      applicant: { name: 'Trần Thị Bình', phone: '0912 345 678' },
    });
    await resolve(CODES.held);
    await intake({
      receiptCode: CODES.sameDay,
      procedureCode: 'SAME-DAY',
      applicant: { name: 'Võ Văn Trong Ngày', phone: '0903 222 333' },
    });
    await resolve(CODES.sameDay);
    await intake({ receiptCode: CODES.open, applicant: { name: 'Đặng Thị Đang', phone: '0912 345 678' } });
    await event(CODES.open, { type: 'step', step: 'Thẩm định hồ sơ', at: '2026-11-23T09:30:00+07:00' });
    await intake({
      receiptCode: CODES.odd,
      agencyCode: 'XSS',
      procedureCode: 'X.1',
      applicant: { name: 'Ngô Văn Lạ', phone: '0913 000 999' },
    });

    // The sandbox delivers what is due (STP's message is held for 10 minutes); then a carrier refuses one.
    await h.ctx.dispatcher.runOnce();
    const failedId = await h.ctx.db.kysely
      .selectFrom('notifications as m')
      .innerJoin('dossiers as d', 'd.id', 'm.dossier_id')
      .select('m.id')
      .where('d.receipt_key', '=', CODES.failed)
      .where('m.kind', '=', 'result_ready')
      .executeTakeFirstOrThrow();
    await h.ctx.db.kysely
      .updateTable('notifications')
      .set({ status: 'failed', failure_reason: 'UNDELIV:011', delivered_at: null })
      .where('id', '=', Number(failedId.id))
      .execute();

    const accounts = h.ctx.accounts;
    await accounts.create({ username: 'giamsat-test', displayName: 'Giám sát', role: 'oversight', agencyCode: null, password: PASSWORD });
    await accounts.create({
      username: 'stc-admin',
      displayName: 'Quản trị STC',
      role: 'agency_admin',
      agencyCode: 'STC',
      password: PASSWORD,
    });
    await accounts.create({ username: 'stp-clerk', displayName: 'Một cửa STP', role: 'clerk', agencyCode: 'STP', password: PASSWORD });
    oversight = await login(h.app, 'giamsat-test');
    stcAdmin = await login(h.app, 'stc-admin');
    stpClerk = await login(h.app, 'stp-clerk');
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

  test('XLSX opens and has the same rows as the CSV', async () => {
    for (const name of ['thong-ke', 'doi-soat']) {
      const csvRes = await get(h.app, oversight, `/giam-sat/${name}.csv?${PERIOD}`);
      const xlsxRes = await get(h.app, oversight, `/giam-sat/${name}.xlsx?${PERIOD}`);
      assert.equal(xlsxRes.statusCode, 200);
      assert.equal(xlsxRes.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(xlsxRes.rawPayload as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0]!;
      const rows: string[][] = [];
      sheet.eachRow({ includeEmpty: false }, (row) => {
        const values: string[] = [];
        for (let c = 1; c <= sheet.columnCount; c++) {
          const value = row.getCell(c).value;
          values.push(value === null || value === undefined ? '' : String(value));
        }
        rows.push(values);
      });
      const csv = parseCsv(csvRes.rawPayload.toString('utf8').slice(1)).map((r) =>
        r.map((v) => (/^'[=+\-@\t\r]/.test(v) ? v.slice(1) : v)),
      );
      assert.deepEqual(rows, csv, name);
      assert.ok(rows.length > 1);
    }
  });

  test('dossier search by code, phone or name, scoped by agency; bad input is 400', async () => {
    const codesOf = async (session: Session, q: string) => {
      const res = await get(h.app, session, `/ho-so?q=${encodeURIComponent(q)}`);
      assert.equal(res.statusCode, 200, res.body);
      return attr(/<table data-testid="dossiers">[\s\S]*?<\/table>/.exec(res.body)?.[0] ?? '', 'data-code');
    };
    assert.deepEqual(await codesOf(oversight, '261123-0004'), [CODES.failed]);
    assert.deepEqual(await codesOf(oversight, 'h34-261123-0001'), [CODES.delivered]);
    assert.deepEqual((await codesOf(oversight, '0912 345 678')).sort(), [CODES.delivered, CODES.held, CODES.open].sort());
    assert.deepEqual((await codesOf(stcAdmin, '0912 345 678')).sort(), [CODES.delivered, CODES.open].sort());
    assert.deepEqual(await codesOf(oversight, 'Trần Thị Bình'), [CODES.held]);
    assert.deepEqual(await codesOf(stcAdmin, 'Trần Thị Bình'), []);
    assert.deepEqual(await codesOf(stpClerk, 'Bình'), [CODES.held]);
    assert.equal((await codesOf(oversight, '')).length, 8);
    const empty = await get(h.app, oversight, '/ho-so?q=khong-co-gi');
    assert.match(empty.body, /Không tìm thấy hồ sơ nào/);
    for (const url of ['/ho-so?page=0', '/ho-so?page=abc', `/ho-so?q=${'x'.repeat(101)}`, '/ho-so/bad%20code', '/ho-so?agency=a%20b']) {
      assert.equal((await get(h.app, oversight, url)).statusCode, 400, url);
    }
    assert.equal((await get(h.app, oversight, '/ho-so/KHONG-CO-0001')).statusCode, 404);
    const page2 = await get(h.app, oversight, '/ho-so?page=2');
    assert.equal(page2.statusCode, 200);
    assert.match(page2.body, /Trang trước/);
  });

  test('dossier timeline: intake, events and messages in order, with Vietnamese labels and times', async () => {
    const res = await get(h.app, oversight, `/ho-so/${CODES.delivered.toLowerCase()}`);
    assert.equal(res.statusCode, 200);
    const timeline = /<ol class="timeline"[\s\S]*?<\/ol>/.exec(res.body)?.[0] ?? '';
    assert.deepEqual(attr(timeline, 'data-kind'), ['intake', 'event', 'event', 'message']);
    assert.match(timeline, /Chuyển bước – Thẩm định hồ sơ/);
    assert.match(timeline, /Chuyển bước – Trả kết quả/);
    assert.match(timeline, /<time datetime="2026-11-23T10:00:00\+07:00">10:00 23\/11\/2026<\/time>/);
    assert.match(timeline, /Có kết quả <span class="badge ontime" data-status="delivered">✓ Đã đến máy/);
    assert.match(timeline, /GSM 7-bit \(không dấu\)/);
    assert.match(timeline, /TB: Ho so cua quy ong\/ba \(MS: 000\.00\.15\.H34-261123-0001\) da duoc giai quyet xong/);
    assert.match(timeline, /<dt>Nhà cung cấp<\/dt><dd>sandbox/);
    assert.match(timeline, /<dt>Chi phí<\/dt><dd>750\s₫/);
    assert.match(res.body, /data-testid="portal-status">9 – Đã xử lý xong/);
    assert.match(res.body, /data-testid="deadline"><span class="badge ontime">✓ Đúng hạn/);
    const failed = await get(h.app, oversight, `/ho-so/${CODES.landline}`);
    assert.match(failed.body, /Số máy bàn \(không nhận SMS\)/);
    const english = await get(h.app, oversight, `/ho-so/${CODES.delivered}?lang=en`);
    assert.match(english.body, /<html lang="en">/);
    assert.match(english.body, /Timeline of events and messages/);
  });

  test('message log: filters, scope, newest first, links to dossiers', async () => {
    const ids = (body: string) => attr(/<table data-testid="messages">[\s\S]*?<\/table>/.exec(body)?.[0] ?? '', 'data-id').map(Number);
    const all = await get(h.app, oversight, '/tin-nhan');
    assert.equal(all.statusCode, 200);
    const allIds = ids(all.body);
    assert.ok(allIds.length >= 5);
    assert.deepEqual(
      allIds,
      [...allIds].sort((a, b) => b - a),
      'newest first',
    );
    const failed = await get(h.app, oversight, '/tin-nhan?status=failed');
    const statuses = attr(/<table data-testid="messages">[\s\S]*?<\/table>/.exec(failed.body)?.[0] ?? '', 'data-status');
    assert.ok(statuses.length >= 3 && statuses.every((s) => s === 'failed'));
    const pending = await get(h.app, oversight, '/tin-nhan?status=pending&kind=result_ready&channel=sms&from=2026-11-23&to=2026-11-23');
    assert.equal(ids(pending.body).length, 1);
    assert.ok(pending.body.includes(`href="/ho-so/${CODES.held}"`));
    const byCode = await get(h.app, oversight, `/tin-nhan?q=${encodeURIComponent(CODES.landline.toLowerCase())}`);
    assert.equal(ids(byCode.body).length, 1);
    const byPhone = await get(h.app, oversight, '/tin-nhan?q=0987%20111%20222');
    assert.equal(ids(byPhone.body).length, 1);
    assert.equal(ids((await get(h.app, oversight, '/tin-nhan?channel=email')).body).length, 0);
    assert.equal(ids((await get(h.app, oversight, '/tin-nhan?from=2026-12-01')).body).length, 0);
    const stp = await get(h.app, stpClerk, '/tin-nhan');
    assert.ok(ids(stp.body).length >= 1 && !stp.body.includes(CODES.delivered));
    for (const url of [
      '/tin-nhan?kind=spam',
      '/tin-nhan?status=lost',
      '/tin-nhan?channel=fax',
      '/tin-nhan?from=2026-12-02&to=2026-12-01',
      '/tin-nhan?page=-1',
    ]) {
      assert.equal((await get(h.app, oversight, url)).statusCode, 400, url);
    }
  });

  test('phone simulator: the reply equals the look-up service reply and is stored', async () => {
    const page = await get(h.app, stpClerk, '/gia-lap');
    assert.equal(page.statusCode, 200);
    assert.match(
      page.body,
      new RegExp(`>MCKH ${CODES.held.replace(/\./g, '\\.')}</textarea>`),
      'prefilled with a code of the clerk’s agency',
    );
    const text = `mckh ${CODES.delivered}`;
    const send = await h.app.inject({
      method: 'POST',
      url: '/gia-lap',
      headers: { cookie: stpClerk.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: stpClerk.csrf, phone: '0912 000 111', text }).toString(),
    });
    assert.equal(send.statusCode, 303, send.body);
    assert.equal(send.headers.location, '/gia-lap?so=0912%20000%20111');
    const stored = await h.ctx.db.kysely.selectFrom('inbound_messages').selectAll().where('gateway', '=', 'simulator').execute();
    assert.equal(stored.length, 1);
    assert.match(stored[0]!.sender, /^sim:\d+:\+84912000111$/, 'the simulator’s own sender range, never the real number');
    assert.equal(stored[0]!.sender_e164, null);
    assert.equal(Number(stored[0]!.fee_vnd), 0, 'no fee');
    assert.equal(stored[0]!.outcome, 'found');
    const direct = await h.ctx.lookup.handleInbound({
      gateway: 'api',
      messageId: null,
      from: '0912 000 222',
      to: h.config.lookup.shortCode,
      text,
      receivedAt: null,
      replyVia: 'outbox',
    });
    assert.equal(stored[0]!.reply, direct.reply);
    const reply = await h.ctx.db.kysely
      .selectFrom('notifications')
      .selectAll()
      .where('id', '=', Number(stored[0]!.reply_notification_id))
      .executeTakeFirstOrThrow();
    assert.equal(reply.kind, 'lookup_reply');
    assert.equal(reply.to_address, stored[0]!.sender);
    assert.equal(reply.status, 'sent', 'answered on the page, never dispatched');
    assert.equal(Number(reply.cost_vnd), 0);
    const thread = await get(h.app, stpClerk, String(send.headers.location));
    const shown = /data-testid="reply-text">([^<]*)</.exec(thread.body)?.[1];
    assert.equal(shown, direct.reply!.replace(/&/g, '&#38;').replace(/'/g, '&#39;').replace(/"/g, '&#34;'));
    assert.ok(thread.body.includes(`>${text}<time`), 'the sent text is shown');

    const noCsrf = await h.app.inject({
      method: 'POST',
      url: '/gia-lap',
      headers: { cookie: stpClerk.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ phone: '0912 000 111', text }).toString(),
    });
    assert.equal(noCsrf.statusCode, 403);
    const blank = await h.app.inject({
      method: 'POST',
      url: '/gia-lap',
      headers: { cookie: stpClerk.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: stpClerk.csrf, phone: ' ', text }).toString(),
    });
    assert.equal(blank.statusCode, 400);
    assert.match(blank.body, /role="alert"/);
  });

  test('phone simulator is 404 when the SMS provider is not the sandbox', async () => {
    const ctx: AppContext = { ...h.ctx, config: { ...h.ctx.config, sms: { ...h.ctx.config.sms, provider: 'smpp' } } };
    const app = await buildApp(ctx);
    await app.ready();
    try {
      const session = await login(app, 'giamsat-test');
      assert.equal((await get(app, session, '/gia-lap')).statusCode, 404);
      const res = await app.inject({
        method: 'POST',
        url: '/gia-lap',
        headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: session.csrf, phone: '0912 000 111', text: 'MCKH X' }).toString(),
      });
      assert.equal(res.statusCode, 404);
      assert.equal((await h.ctx.db.kysely.selectFrom('inbound_messages').select('id').where('text', '=', 'MCKH X').execute()).length, 0);
    } finally {
      await app.close();
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
