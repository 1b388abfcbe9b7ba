/**
 * The dashboard's tables as files: CSV (RFC 4180, UTF-8 with BOM for Excel), the same with `;` between
 * fields and `,` decimals (what Excel under the Vietnamese locale reads), and XLSX (exceljs) with a title
 * row, typed dates, working links, an auto-filter and a "Tổng cộng" row.
 */
import ExcelJS from 'exceljs';
import { VN_OFFSET_MINUTES, formatVnIso } from '../../lib/calendar/zone.js';
import type { StatsGroupBy, StatsRow } from '../../reports/stats.service.js';
import type { WebLang } from '../web.types.js';
import type { ReconciliationItem } from '../../reports/report.service.js';
import { formatDateTime } from '../format.js';
import { failureReasonLabel, stateLabel, t, whyLabel } from './i18n.js';

/** `date`: a Date (an instant, shown in Việt Nam time); `link`: an absolute URL, a hyperlink in Excel. */
export type ColumnKind = 'text' | 'int' | 'vnd' | 'ratio' | 'date' | 'link';
export type Cell = string | number | Date | null;

export interface ExportTable {
  sheetName: string;
  columns: ReadonlyArray<{ header: string; kind: ColumnKind }>;
  rows: ReadonlyArray<readonly Cell[]>;
}

const BOM = '\uFEFF';

/** A text cell that a spreadsheet would run as a formula gets a leading apostrophe (CSV injection). */
export function guardFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** The two CSV dialects: `comma` (RFC 4180, ISO times, `.` decimals) and `vi` (`;`, `,` decimals, dd/mm/yyyy HH:mm). */
export type CsvDialect = 'comma' | 'vi';

function csvText(cell: Cell, dialect: CsvDialect): string {
  if (cell === null) return '';
  if (cell instanceof Date) return dialect === 'vi' ? vnDateTime(cell) : formatVnIso(cell);
  if (typeof cell === 'number') return dialect === 'vi' ? String(cell).replace('.', ',') : String(cell);
  return guardFormula(cell);
}

function csvField(cell: Cell, dialect: CsvDialect): string {
  const text = csvText(cell, dialect);
  const special = dialect === 'vi' ? /[";\r\n]/ : /[",\r\n]/;
  return special.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180: CRLF after every record, fields quoted when they hold the separator, a quote or a line break. */
export function toCsv(table: ExportTable, dialect: CsvDialect = 'comma'): Buffer {
  const separator = dialect === 'vi' ? ';' : ',';
  const lines = [
    table.columns.map((c) => csvField(c.header, dialect)),
    ...table.rows.map((row) => row.map((cell) => csvField(cell, dialect))),
  ];
  return Buffer.from(BOM + lines.map((fields) => `${fields.join(separator)}\r\n`).join(''), 'utf8');
}

/** The instant as Việt Nam wall-clock fields in a Date's UTC fields (Excel dates carry no zone; VN has no DST). */
function vnWallClock(instant: Date): Date {
  return new Date(instant.getTime() + VN_OFFSET_MINUTES * 60_000);
}

/** e.g. '23/11/2026 08:15' (Asia/Ho_Chi_Minh). */
export function vnDateTime(instant: Date): string {
  const local = vnWallClock(instant);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(local.getUTCDate())}/${pad(local.getUTCMonth() + 1)}/${local.getUTCFullYear()} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`;
}

const NUMBER_FORMATS: Readonly<Record<ColumnKind, string | undefined>> = {
  text: undefined,
  int: '#,##0',
  vnd: '#,##0 "₫"',
  ratio: '0.0%',
  date: 'dd/mm/yyyy hh:mm',
  link: undefined,
};

/** What the title row says: the table, its period, its agency (or all) and when it was exported. */
export interface ExportHeading {
  title: string;
  /** e.g. 'Kỳ: 01/11/2026 – 30/11/2026' */
  period: string;
  /** e.g. 'Cơ quan: STC – Sở Tài chính' */
  agency: string;
  /** e.g. 'Xuất lúc: 10:30 23/11/2026' */
  exportedAt: string;
  /** The label of the totals row ("Tổng cộng"). */
  totalLabel: string;
}

const TITLE_ROW = 1;
const HEADER_ROW = 3;
const FIRST_DATA_ROW = HEADER_ROW + 1;

const summed = (kind: ColumnKind) => kind === 'int' || kind === 'vnd';

function columnLetter(index: number): string {
  let n = index;
  let letters = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

function xlsxValue(cell: Cell, kind: ColumnKind): ExcelJS.CellValue {
  if (cell === null) return null;
  if (cell instanceof Date) return vnWallClock(cell);
  if (kind === 'link' && typeof cell === 'string') return { text: cell, hyperlink: cell };
  return cell;
}

/**
 * One sheet: a title row (table, period, agency, export time), a bold, frozen header row with an
 * auto-filter, typed numbers and dates, hyperlinks, and a "Tổng cộng" row that sums the count and money
 * columns (as SUM formulas with their cached result; a table without such columns counts its rows).
 * Text cells are stored as strings, which Excel never evaluates, so they are written unguarded.
 */
export async function toXlsx(table: ExportTable, created: Date, heading: ExportHeading): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'MotcuaSMS';
  workbook.created = created;
  workbook.modified = created;
  const sheet = workbook.addWorksheet(table.sheetName.slice(0, 31), { views: [{ state: 'frozen', ySplit: HEADER_ROW }] });
  const width = table.columns.length;
  sheet.columns = table.columns.map((column, i) => {
    const longest = Math.max(
      column.header.length,
      ...table.rows.map((row) => {
        const cell = row[i];
        return cell instanceof Date ? 16 : String(cell ?? '').length;
      }),
    );
    const numFmt = NUMBER_FORMATS[column.kind];
    return { width: Math.min(60, Math.max(10, longest + 2)), ...(numFmt ? { style: { numFmt } } : {}) };
  });

  const title = sheet.getRow(TITLE_ROW);
  title.getCell(1).value = [heading.title, heading.period, heading.agency, heading.exportedAt].join(' — ');
  title.font = { bold: true, size: 13 };
  sheet.mergeCells(TITLE_ROW, 1, TITLE_ROW, Math.max(1, width));

  const header = sheet.getRow(HEADER_ROW);
  table.columns.forEach((column, i) => {
    header.getCell(i + 1).value = column.header;
  });
  header.font = { bold: true };

  table.rows.forEach((row, r) => {
    const line = sheet.getRow(FIRST_DATA_ROW + r);
    table.columns.forEach((column, c) => {
      const cell = line.getCell(c + 1);
      cell.value = xlsxValue(row[c] ?? null, column.kind);
      if (column.kind === 'link' && row[c]) cell.font = { color: { argb: 'FF0563C1' }, underline: true };
    });
  });

  const lastDataRow = FIRST_DATA_ROW + table.rows.length - 1;
  const totals = sheet.getRow(lastDataRow + 1);
  totals.getCell(1).value = heading.totalLabel;
  totals.font = { bold: true };
  const range = (c: number) => `${columnLetter(c)}${FIRST_DATA_ROW}:${columnLetter(c)}${Math.max(lastDataRow, FIRST_DATA_ROW)}`;
  const sumColumns = table.columns.flatMap((column, i) => (summed(column.kind) && i > 0 ? [i] : []));
  if (sumColumns.length > 0) {
    for (const i of sumColumns) {
      const result = table.rows.reduce((sum, row) => sum + (typeof row[i] === 'number' ? (row[i] as number) : 0), 0);
      totals.getCell(i + 1).value = table.rows.length === 0 ? 0 : { formula: `SUM(${range(i + 1)})`, result };
    }
  } else if (width > 1) {
    const count = table.rows.length;
    const cell = totals.getCell(2);
    cell.value = count === 0 ? 0 : { formula: `COUNTA(${range(1)})`, result: count };
    cell.numFmt = NUMBER_FORMATS.int ?? '';
  }

  sheet.autoFilter = { from: { row: HEADER_ROW, column: 1 }, to: { row: Math.max(lastDataRow, HEADER_ROW), column: Math.max(1, width) } };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The figures table as exported: one row per agency (or procedure), every figure computeStats gives. */
export function statsExportTable(
  lang: WebLang,
  groupBy: StatsGroupBy,
  rows: readonly StatsRow[],
  names: { agencies: ReadonlyMap<string, string>; procedures: ReadonlyMap<string, string> },
): ExportTable {
  const byProcedure = groupBy === 'procedure';
  const columns: Array<{ header: string; kind: ColumnKind }> = [
    { header: t(lang, 'agency'), kind: 'text' },
    { header: t(lang, 'agencyName'), kind: 'text' },
    ...(byProcedure
      ? [
          { header: t(lang, 'procedure'), kind: 'text' as const },
          { header: t(lang, 'procedureName'), kind: 'text' as const },
        ]
      : []),
    { header: t(lang, 'received'), kind: 'int' },
    { header: t(lang, 'resolved'), kind: 'int' },
    { header: t(lang, 'onTime'), kind: 'int' },
    { header: t(lang, 'late'), kind: 'int' },
    { header: t(lang, 'onTimeRate'), kind: 'ratio' },
    { header: t(lang, 'supplements'), kind: 'int' },
    { header: t(lang, 'messagesCreated'), kind: 'int' },
    { header: t(lang, 'messagesSent'), kind: 'int' },
    { header: t(lang, 'messagesDelivered'), kind: 'int' },
    { header: t(lang, 'messagesFailed'), kind: 'int' },
    { header: t(lang, 'messagesCancelled'), kind: 'int' },
    { header: t(lang, 'messagesPending'), kind: 'int' },
    { header: t(lang, 'costVnd'), kind: 'vnd' },
    { header: t(lang, 'reach'), kind: 'ratio' },
    { header: t(lang, 'lookups'), kind: 'int' },
    { header: t(lang, 'lookupRevenueVnd'), kind: 'vnd' },
    { header: t(lang, 'resolvedWithoutResult'), kind: 'int' },
  ];
  return {
    sheetName: t(lang, 'exportFigures'),
    columns,
    rows: rows.map((row) => [
      row.agencyCode,
      names.agencies.get(row.agencyCode) ?? '',
      ...(byProcedure ? [row.procedureCode ?? '', names.procedures.get(row.procedureCode ?? '') ?? ''] : []),
      row.dossiersReceived,
      row.dossiersResolved,
      row.resolvedOnTime,
      row.resolvedLate,
      row.dossiersResolved === 0 ? null : ratio(row.resolvedOnTime / row.dossiersResolved),
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
    ]),
  };
}

const ratio = (value: number) => Math.round(value * 10_000) / 10_000;

/** The reconciliation list as exported, each line with its reason and the address of the dossier's page. */
export function reconciliationExportTable(
  lang: WebLang,
  items: readonly ReconciliationItem[],
  agencies: ReadonlyMap<string, string>,
  origin: string,
): ExportTable {
  return {
    sheetName: t(lang, 'exportReconciliation'),
    columns: [
      { header: t(lang, 'receiptCode'), kind: 'text' },
      { header: t(lang, 'agency'), kind: 'text' },
      { header: t(lang, 'agencyName'), kind: 'text' },
      { header: t(lang, 'procedure'), kind: 'text' },
      { header: t(lang, 'procedureName'), kind: 'text' },
      { header: t(lang, 'state'), kind: 'text' },
      { header: t(lang, 'resolvedAt'), kind: 'date' },
      { header: t(lang, 'dueAt'), kind: 'date' },
      { header: t(lang, 'deadline'), kind: 'text' },
      { header: t(lang, 'why'), kind: 'text' },
      { header: t(lang, 'detail'), kind: 'text' },
      { header: t(lang, 'link'), kind: 'link' },
    ],
    rows: items.map((item) => [
      item.receiptCode,
      item.agencyCode,
      agencies.get(item.agencyCode) ?? '',
      item.procedureCode,
      item.procedureName,
      stateLabel(lang, item.state),
      new Date(item.finishedAt),
      new Date(item.dueAt),
      t(lang, item.onTime ? 'onTime' : 'late'),
      whyLabel(lang, item.why),
      whyDetail(lang, item),
      `${origin}/ho-so/${encodeURIComponent(item.receiptCode)}`,
    ]),
  };
}

/** The specifics behind a reason: when a held message leaves, or the failure/cancellation reason. */
export function whyDetail(lang: WebLang, item: ReconciliationItem): string {
  if (item.why === 'held' && item.sendAfter !== null) return `${t(lang, 'sendAfter')} ${formatDateTime(item.sendAfter)}`;
  if ((item.why === 'failed' || item.why === 'cancelled') && item.reason) return failureReasonLabel(lang, item.reason);
  return '';
}
