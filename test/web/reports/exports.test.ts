/**
 * The /giam-sat exports as a Vietnamese official opens them: the Excel file read back with exceljs (title
 * row, typed dates shown dd/mm/yyyy, working links, auto-filter, a "Tổng cộng" row equal to the sum) and
 * the `;`-separated CSV with `,` decimals ("CSV cho Excel tiếng Việt").
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { TEST_DB, type Harness } from '../../support/harness.js';
import { toCsv, toXlsx, vnDateTime, type ExportHeading } from '../../../src/web/reports/export.js';
import { type Session, FROM, TO, PERIOD, CODES, get, parseCsv, startReportScenario } from '../../support/web-reports.js';

const HEADER_ROW = 3;
const VN_MS = 7 * 3_600_000;

async function workbookOf(payload: Buffer): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(payload as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  assert.ok(sheet, 'the workbook has a sheet');
  return sheet;
}

/** The header names of row 3, by column number. */
function headerIndex(sheet: ExcelJS.Worksheet): Map<string, number> {
  const index = new Map<string, number>();
  sheet.getRow(HEADER_ROW).eachCell((cell, col) => index.set(String(cell.value), col));
  return index;
}

const dataRows = (sheet: ExcelJS.Worksheet) => {
  const rows: ExcelJS.Row[] = [];
  for (let r = HEADER_ROW + 1; r < sheet.rowCount; r++) rows.push(sheet.getRow(r));
  return rows;
};

const resultOf = (value: ExcelJS.CellValue): unknown =>
  value !== null && typeof value === 'object' && 'formula' in value ? value.result : value;

/** exceljs reads an auto-filter back as 'A3:T6' or as { from, to }. */
function autoFilterRange(sheet: ExcelJS.Worksheet): string {
  const filter = sheet.autoFilter as unknown;
  if (typeof filter === 'string') return filter;
  const f = filter as { from: string | { row: number; column: number }; to: string | { row: number; column: number } } | undefined;
  assert.ok(f, 'an auto-filter is set');
  const ref = (p: string | { row: number; column: number }) =>
    typeof p === 'string' ? p : `${String.fromCharCode(64 + p.column)}${p.row}`;
  return `${ref(f.from)}:${ref(f.to)}`;
}

describe(`exports for Vietnamese officials (${TEST_DB})`, { timeout: 120_000 }, () => {
  let h: Harness;
  let oversight: Session;
  let stcAdmin: Session;

  before(async () => {
    ({ h, oversight, stcAdmin } = await startReportScenario());
  });

  after(async () => {
    await h?.close();
  });

  test('figures workbook: title row, header with auto-filter, "Tổng cộng" equal to the sums of computeStats', async () => {
    const res = await get(h.app, oversight, `/giam-sat/thong-ke.xlsx?${PERIOD}`);
    assert.equal(res.statusCode, 200, res.body);
    const sheet = await workbookOf(res.rawPayload);
    const title = String(sheet.getCell('A1').value);
    assert.match(
      title,
      /^Bảng số liệu — Kỳ báo cáo: 01\/11\/2026 – 30\/11\/2026 — Cơ quan: Tất cả cơ quan — Xuất lúc: \d\d:\d\d 23\/11\/2026$/,
    );
    const columns = headerIndex(sheet);
    assert.equal(sheet.getCell(HEADER_ROW, 1).value, 'Cơ quan');
    assert.ok(sheet.getRow(HEADER_ROW).font?.bold, 'bold header');
    assert.equal(autoFilterRange(sheet), `A${HEADER_ROW}:${String.fromCharCode(64 + columns.size)}${sheet.rowCount - 1}`);

    const stats = await h.ctx.stats.compute({ from: FROM, to: TO, groupBy: 'agency', agencyCode: null });
    const rows = dataRows(sheet);
    assert.equal(rows.length, stats.rows.length);
    const totals = sheet.getRow(sheet.rowCount);
    assert.equal(totals.getCell(1).value, 'Tổng cộng');
    const expectations: Array<[string, (r: (typeof stats.rows)[number]) => number]> = [
      ['Tiếp nhận', (r) => r.dossiersReceived],
      ['Đã giải quyết', (r) => r.dossiersResolved],
      ['Đúng hạn', (r) => r.resolvedOnTime],
      ['Tin nhắn tạo', (r) => r.messages.created],
      ['Đã đến máy', (r) => r.messages.delivered],
      ['Chi phí (đồng)', (r) => r.costVnd],
      ['Giải quyết nhưng chưa báo được', (r) => r.reconciliation.resolvedWithoutDeliveredResult],
    ];
    for (const [header, pick] of expectations) {
      const col = columns.get(header);
      assert.ok(col, header);
      const expected = stats.rows.reduce((s, r) => s + pick(r), 0);
      const fromRows = rows.reduce((s, row) => s + Number(row.getCell(col).value ?? 0), 0);
      const cell = totals.getCell(col).value;
      assert.equal(resultOf(cell), expected, header);
      assert.equal(fromRows, expected, header);
      assert.ok(cell !== null && typeof cell === 'object' && 'formula' in cell, `${header}: a live SUM`);
      assert.match(String(cell.formula), /^SUM\([A-Z]+4:[A-Z]+\d+\)$/);
    }
    assert.ok(stats.rows.reduce((s, r) => s + r.dossiersReceived, 0) > 0, 'the scenario has figures to sum');
    // Ratios are not summed.
    assert.equal(totals.getCell(columns.get('Tỷ lệ đúng hạn')!).value, null);
  });

  test('reconciliation workbook: dates typed Date in dd/mm/yyyy, working links to the dossiers, a count in "Tổng cộng"', async () => {
    const res = await get(h.app, oversight, `/giam-sat/doi-soat.xlsx?${PERIOD}`);
    assert.equal(res.statusCode, 200);
    const sheet = await workbookOf(res.rawPayload);
    assert.match(String(sheet.getCell('A1').value), /^Danh sách đối soát — Kỳ báo cáo: 01\/11\/2026 – 30\/11\/2026/);
    const columns = headerIndex(sheet);
    const items = await h.ctx.reports.reconciliation({ from: FROM, to: TO, agencyCode: null });
    const rows = dataRows(sheet);
    assert.equal(rows.length, items.length);
    assert.ok(rows.length > 1);
    const byCode = new Map(items.map((i) => [i.receiptCode, i]));
    for (const row of rows) {
      const code = String(row.getCell(1).value);
      const item = byCode.get(code);
      assert.ok(item, code);
      for (const [header, instant] of [
        ['Có kết quả lúc', item.finishedAt],
        ['Ngày hẹn trả', item.dueAt],
      ] as const) {
        const col = columns.get(header);
        assert.ok(col, header);
        const cell = row.getCell(col);
        assert.equal(cell.type, ExcelJS.ValueType.Date, `${code} ${header}`);
        assert.ok(cell.value instanceof Date);
        // Việt Nam wall-clock time in the cell, as the official reads it.
        assert.equal(cell.value.getTime(), instant + VN_MS, `${code} ${header}`);
        assert.match(String(cell.numFmt), /^dd\/mm\/yyyy/);
      }
      const link = row.getCell(columns.get('Liên kết')!);
      assert.equal(link.type, ExcelJS.ValueType.Hyperlink);
      assert.equal(link.hyperlink, `http://localhost:80/ho-so/${encodeURIComponent(code)}`);
    }
    const totals = sheet.getRow(sheet.rowCount);
    assert.equal(totals.getCell(1).value, 'Tổng cộng');
    assert.equal(resultOf(totals.getCell(2).value), items.length);
    assert.match(autoFilterRange(sheet), new RegExp(`^A${HEADER_ROW}:[A-Z]+${sheet.rowCount - 1}$`));
  });

  test('an agency user’s workbook names the agency in the title', async () => {
    const res = await get(h.app, stcAdmin, `/giam-sat/thong-ke.xlsx?${PERIOD}`);
    const sheet = await workbookOf(res.rawPayload);
    assert.match(String(sheet.getCell('A1').value), / — Cơ quan: STC – Sở Tài chính — /);
    const en = await workbookOf((await get(h.app, oversight, `/giam-sat/thong-ke.xlsx?${PERIOD}&lang=en`)).rawPayload);
    assert.match(String(en.getCell('A1').value), / — Period: 01\/11\/2026 – 30\/11\/2026 — Agency: All agencies — Exported at: /);
    assert.equal(en.getRow(en.rowCount).getCell(1).value, 'Total');
  });

  test('"CSV cho Excel tiếng Việt": BOM, `;` between fields, `,` decimals, the same figures as the CSV', async () => {
    const page = await get(h.app, oversight, `/giam-sat?${PERIOD}`);
    assert.ok(page.body.includes(`href="/giam-sat/thong-ke-excel-vn.csv?`), 'the dashboard offers it');
    assert.match(page.body, /CSV cho Excel tiếng Việt/);

    const res = await get(h.app, oversight, `/giam-sat/thong-ke-excel-vn.csv?${PERIOD}`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
    assert.equal(res.headers['content-disposition'], `attachment; filename="thong-ke-excel-vn_${FROM}_${TO}.csv"`);
    assert.deepEqual([...res.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const vi = parseCsv(res.rawPayload.toString('utf8').slice(1), ';');
    const comma = parseCsv((await get(h.app, oversight, `/giam-sat/thong-ke.csv?${PERIOD}`)).rawPayload.toString('utf8').slice(1));
    assert.deepEqual(vi[0], comma[0]);
    assert.equal(vi.length, comma.length);
    const rateCol = vi[0]!.indexOf('Tỷ lệ đúng hạn');
    let decimals = 0;
    for (let r = 1; r < vi.length; r++) {
      const row = vi[r]!;
      assert.equal(row.length, comma[r]!.length);
      for (let c = 2; c < row.length; c++) {
        const text = row[c]!;
        assert.ok(!text.includes('.'), `no '.' decimal: ${text}`);
        const value = text === '' ? null : Number(text.replace(',', '.'));
        assert.equal(value, comma[r]![c] === '' ? null : Number(comma[r]![c]), `${vi[0]![c]} row ${r}`);
        if (text.includes(',')) decimals++;
      }
    }
    assert.ok(decimals > 0, 'some figures have decimals');
    const stc = vi.find((r) => r[0] === 'STC')!;
    assert.match(stc[rateCol]!, /^0,\d+$|^1$/);
    // The agency whose name is a formula stays guarded, and is quoted only for what `;` needs.
    const xss = vi.find((r) => r[0] === 'XSS')!;
    assert.equal(xss[1], `'=cmd|' /C calc'!A0, "Khánh Hòa"`);

    const recon = parseCsv(
      (await get(h.app, oversight, `/giam-sat/doi-soat-excel-vn.csv?${PERIOD}`)).rawPayload.toString('utf8').slice(1),
      ';',
    );
    const failed = recon.find((r) => r[0] === CODES.failed)!;
    const item = (await h.ctx.reports.reconciliation({ from: FROM, to: TO, agencyCode: null })).find(
      (i) => i.receiptCode === CODES.failed,
    )!;
    assert.equal(failed[6], vnDateTime(new Date(item.finishedAt)));
    assert.match(failed[6]!, /^\d\d\/\d\d\/2026 \d\d:\d\d$/);
  });

  test('units: `;` quoting and decimals, an empty table still has its totals row and auto-filter', async () => {
    const table = {
      sheetName: 't',
      columns: [
        { header: 'a', kind: 'text' as const },
        { header: 'b', kind: 'ratio' as const },
        { header: 'c', kind: 'vnd' as const },
      ],
      rows: [
        ['x;y', 0.5, 1500],
        ['1,5', 0.125, 0],
        ['=1+1', null, 2],
      ],
    };
    assert.equal(toCsv(table, 'vi').toString('utf8'), '\uFEFFa;b;c\r\n"x;y";0,5;1500\r\n1,5;0,125;0\r\n\'=1+1;;2\r\n');
    assert.equal(vnDateTime(new Date(Date.UTC(2026, 10, 23, 17, 5))), '24/11/2026 00:05');
    const heading: ExportHeading = { title: 'T', period: 'P', agency: 'A', exportedAt: 'E', totalLabel: 'Tổng cộng' };
    const full = await workbookOf(await toXlsx(table, new Date(0), heading));
    assert.equal(full.getCell('A1').value, 'T — P — A — E');
    assert.equal(full.getCell('A7').value, 'Tổng cộng');
    assert.equal(resultOf(full.getCell('C7').value), 1502);
    assert.equal(full.getCell('B7').value, null);
    const empty = await workbookOf(await toXlsx({ ...table, rows: [] }, new Date(0), heading));
    assert.equal(empty.getCell('A4').value, 'Tổng cộng');
    assert.equal(empty.getCell('C4').value, 0);
    assert.equal(autoFilterRange(empty), 'A3:C3');
  });
});
