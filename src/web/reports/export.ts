/** The dashboard's tables as files: CSV (RFC 4180, UTF-8 with BOM for Excel) and XLSX (exceljs). */
import ExcelJS from 'exceljs';
import { formatVnIso } from '../../lib/calendar/zone.js';
import type { StatsGroupBy, StatsRow } from '../../reports/stats.service.js';
import type { WebLang } from '../web.types.js';
import type { ReconciliationItem } from '../../reports/report.service.js';
import { formatDateTime } from '../format.js';
import { failureReasonLabel, stateLabel, t, whyLabel } from './i18n.js';

export type ColumnKind = 'text' | 'int' | 'vnd' | 'ratio';
export type Cell = string | number | null;

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

function csvField(cell: Cell): string {
  if (cell === null) return '';
  const text = typeof cell === 'number' ? String(cell) : guardFormula(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180: CRLF after every record, fields quoted when they hold a comma, quote or line break. */
export function toCsv(table: ExportTable): Buffer {
  const lines = [table.columns.map((c) => csvField(c.header)), ...table.rows.map((row) => row.map(csvField))];
  return Buffer.from(BOM + lines.map((fields) => `${fields.join(',')}\r\n`).join(''), 'utf8');
}

const NUMBER_FORMATS: Readonly<Record<ColumnKind, string | undefined>> = {
  text: undefined,
  int: '#,##0',
  vnd: '#,##0 "₫"',
  ratio: '0.0%',
};

/** One sheet: a bold, frozen header row, typed numbers, and columns wide enough for their text.
 *  Text cells are stored as strings, which Excel never evaluates, so they are written unguarded. */
export async function toXlsx(table: ExportTable, created: Date): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'MotcuaSMS';
  workbook.created = created;
  workbook.modified = created;
  const sheet = workbook.addWorksheet(table.sheetName.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = table.columns.map((column, i) => {
    const longest = Math.max(column.header.length, ...table.rows.map((row) => String(row[i] ?? '').length));
    const numFmt = NUMBER_FORMATS[column.kind];
    return { header: column.header, width: Math.min(60, Math.max(10, longest + 2)), ...(numFmt ? { style: { numFmt } } : {}) };
  });
  sheet.getRow(1).font = { bold: true };
  for (const row of table.rows) sheet.addRow([...row]);
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
      { header: t(lang, 'resolvedAt'), kind: 'text' },
      { header: t(lang, 'dueAt'), kind: 'text' },
      { header: t(lang, 'deadline'), kind: 'text' },
      { header: t(lang, 'why'), kind: 'text' },
      { header: t(lang, 'detail'), kind: 'text' },
      { header: t(lang, 'link'), kind: 'text' },
    ],
    rows: items.map((item) => [
      item.receiptCode,
      item.agencyCode,
      agencies.get(item.agencyCode) ?? '',
      item.procedureCode,
      item.procedureName,
      stateLabel(lang, item.state),
      formatVnIso(new Date(item.finishedAt)),
      formatVnIso(new Date(item.dueAt)),
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
