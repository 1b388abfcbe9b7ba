/**
 * The scenario of the oversight and read pages' tests (test/web/reports/): dossiers in every outcome of
 * a result message (delivered, no phone, landline, carrier failure, held, same day, open, an agency
 * whose name is a spreadsheet formula), three logged-in staff sessions, and the helpers to read pages.
 */
import assert from 'node:assert/strict';
import { admin, intakeBody, seedBasics, startHarness, type Harness } from './harness.js';
import type { App } from '../../src/main/app.js';

export const PASSWORD = 'Kiem-tra-bao-cao-2026';
export const FROM = '2026-11-01';
export const TO = '2026-11-30';
export const PERIOD = `from=${FROM}&to=${TO}`;

export const CODES = {
  delivered: '000.00.15.H34-261123-0001',
  noPhone: '000.00.15.H34-261123-0002',
  landline: '000.00.15.H34-261123-0003',
  failed: '000.00.15.H34-261123-0004',
  held: '000.00.16.H34-261123-0005',
  sameDay: '000.00.15.H34-261123-0006',
  open: '000.00.15.H34-261123-0007',
  odd: 'XSS-261123-0008',
} as const;

export interface Session {
  cookie: string;
  csrf: string;
}

/** Logs in through the /dang-nhap form, as a browser does, and reads the session's CSRF token. */
export async function login(app: App, username: string): Promise<Session> {
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

export const get = (app: App, session: Session, url: string) => app.inject({ method: 'GET', url, headers: { cookie: session.cookie } });

/** A minimal RFC 4180 reader for the tests (quoted fields, doubled quotes, CRLF records); `;` for the Vietnamese-Excel variant. */
export function parseCsv(text: string, separator: ',' | ';' = ','): string[][] {
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
    else if (c === separator) {
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

export const attr = (html: string, name: string) => [...html.matchAll(new RegExp(`${name}="([^"]*)"`, 'g'))].map((m) => m[1]!);

export interface ReportScenario {
  h: Harness;
  oversight: Session;
  stcAdmin: Session;
  stpClerk: Session;
}

/** A harness at 23/11/2026 10:30 with the scenario loaded; the caller closes `h`. */
export async function startReportScenario(): Promise<ReportScenario> {
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

  const h = await startHarness({ now: '2026-11-23T10:30:00+07:00' });
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
    .where('id', '=', failedId.id)
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
  const oversight = await login(h.app, 'giamsat-test');
  const stcAdmin = await login(h.app, 'stc-admin');
  const stpClerk = await login(h.app, 'stp-clerk');
  return { h, oversight, stcAdmin, stpClerk };
}
