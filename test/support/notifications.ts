/**
 * Helpers of the notification tests (test/messages/**, test/reports/stats.test.ts), independent of src/:
 * expected texts and segment counts are written out by hand. A thin API client over one harness, and the
 * agencies the trigger and hold tests share.
 */
import assert from 'node:assert/strict';
import { admin, intakeBody, seedBasics, type Harness } from './harness.js';

export interface Note {
  id: number;
  receiptCode: string | null;
  agencyCode: string | null;
  kind: string;
  channel: 'sms' | 'email';
  to: string | null;
  from: string;
  body: string;
  encoding: string;
  segments: number;
  costVnd: number;
  status: string;
  attempts: number;
  createdAt: string;
  sendAfter: string;
  sentAt: string | null;
  deliveredAt: string | null;
  failureReason: string | null;
}

export const PRICE = 750;
export const GSM_EXTENSION = /[[\]{}|^~\\€]/;

/** Plain ASCII text: 1 segment up to 160 characters, else 153 per part. */
export function gsmSegments(text: string): number {
  assert.match(text, /^[\x20-\x7E]*$/, 'expected plain ASCII text');
  assert.doesNotMatch(text, GSM_EXTENSION);
  return text.length <= 160 ? 1 : Math.ceil(text.length / 153);
}

/** UCS-2 text without surrogate pairs: 1 segment up to 70 units, else 67 per part. */
export function ucs2Segments(text: string): number {
  return text.length <= 70 ? 1 : Math.ceil(text.length / 67);
}

export const T = {
  result: (code: string, agency: string) =>
    `TB: Ho so cua quy ong/ba (MS: ${code}) da duoc giai quyet xong. Moi ong/ba den Bo phan Mot cua ${agency} de nhan ket qua.`,
  resultPostal: (code: string, agency: string) =>
    `TB: Ho so cua quy ong/ba (MS: ${code}) da duoc giai quyet xong. Ket qua dang duoc ${agency} gui qua dich vu buu chinh cong ich den dia chi cua ong/ba.`,
  resultOnline: (code: string, agency: string) =>
    `TB: Ho so cua quy ong/ba (MS: ${code}) da duoc giai quyet xong. Ket qua da duoc ${agency} tra truc tuyen qua Cong dich vu cong.`,
  supplement: (code: string, agency: string) =>
    `TB: Ho so cua quy ong/ba (MS: ${code}) can bo sung theo quy dinh. Moi ong/ba den Bo phan Mot cua ${agency} de nhan thong bao.`,
  apology: (code: string, date: string, agency: string) =>
    `TB: Ho so cua quy ong/ba (MS: ${code}) chua co ket qua vao ngay ${date}. Ong/ba co the den Bo phan Mot cua ${agency} nhan Thong bao xin loi, hen lai thoi gian tra ket qua hoac den nhan ket qua khi co tin nhan tiep theo.`,
  receivedOnline: (code: string, agency: string, due: string) =>
    `TB: ${agency} da tiep nhan ho so truc tuyen cua quy ong/ba (MS: ${code}), ngay hen tra ket qua: ${due}.`,
  receivedPostal: (code: string, agency: string, due: string) =>
    `TB: ${agency} da tiep nhan ho so gui qua dich vu buu chinh cong ich cua quy ong/ba (MS: ${code}), ngay hen tra ket qua: ${due}.`,
  clockStopped: (code: string, agency: string) =>
    `TB: Ho so (MS: ${code}) tam dung tinh thoi gian giai quyet de cho bo sung. Moi ong/ba bo sung ho so theo thong bao cua ${agency}.`,
  clockResumed: (code: string, agency: string, due: string) =>
    `TB: ${agency} da nhan du ho so bo sung (MS: ${code}) va tiep tuc giai quyet. Ngay hen tra ket qua moi: ${due}.`,
  refused: (code: string, agency: string) =>
    `TB: Ho so (MS: ${code}) khong du dieu kien giai quyet. Moi ong/ba den Bo phan Mot cua ${agency} de nhan van ban tra loi.`,
  withdrawn: (code: string, agency: string) =>
    `TB: Ho so (MS: ${code}) da duoc rut theo de nghi cua quy ong/ba; ${agency} dung giai quyet ho so nay.`,
};

/** Thin client over one harness. */
export function client(getH: () => Harness) {
  const h = () => getH();
  const api = {
    async putAgency(code: string, name: string, settings: Record<string, unknown> = {}) {
      const res = await h().app.inject({ method: 'PUT', url: `/api/v1/agencies/${code}`, headers: admin, payload: { name, settings } });
      assert.ok(res.statusCode < 300, res.body);
    },
    async putProcedure(code: string, agencyCode: string, processingDays: number, name = `Thủ tục ${code}`) {
      const res = await h().app.inject({
        method: 'PUT',
        url: `/api/v1/procedures/${code}`,
        headers: admin,
        payload: { agencyCode, name, processingDays },
      });
      assert.ok(res.statusCode < 300, res.body);
    },
    async intake(code: string, overrides: Record<string, unknown> = {}, headers = admin) {
      const res = await h().app.inject({
        method: 'POST',
        url: '/api/v1/dossiers',
        headers,
        payload: intakeBody({ receiptCode: code, ...overrides }),
      });
      assert.ok(res.statusCode === 201 || res.statusCode === 200, res.body);
      return res.json() as { dueAt: string; notifications: Note[]; phone: { problem: string | null } };
    },
    async event(code: string, payload: Record<string, unknown>, headers = admin) {
      const res = await h().app.inject({ method: 'POST', url: `/api/v1/dossiers/${code}/events`, headers, payload });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { dossier: { state: string; dueAt: string; step: string }; notifications: Note[] };
    },
    async list(query: string, headers: Record<string, string> = admin) {
      return h().app.inject({ method: 'GET', url: `/api/v1/notifications${query ? `?${query}` : ''}`, headers });
    },
    /** The dossier's messages, oldest first. */
    async notes(code: string): Promise<Note[]> {
      const res = await api.list(`receiptCode=${encodeURIComponent(code)}&limit=1000`);
      assert.equal(res.statusCode, 200, res.body);
      return (res.json().items as Note[]).sort((a, b) => a.id - b.id);
    },
    /** Dispatches everything due now; returns how many messages were handled. */
    async drain(): Promise<number> {
      let total = 0;
      for (let i = 0; i < 50; i++) {
        const handled = await h().ctx.dispatcher.runOnce();
        if (handled === 0) return total;
        total += handled;
      }
      throw new Error('dispatcher never ran dry');
    },
    async mint(payload: object): Promise<string> {
      const res = await h().app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().token as string;
    },
    async apology(asOf: string) {
      const res = await h().app.inject({ method: 'POST', url: '/api/v1/jobs/apology', headers: admin, payload: { asOf } });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { dueDate: string; dossiers: number; created: number };
    },
  };
  return api;
}

export const summary = (notes: Note[]) => notes.map((n) => [n.kind, n.channel, n.status]);

/**
 * seedBasics, plus: SXD with every off-by-default trigger on, UNI sending Unicode, HLD with a 120 s
 * hold, QUI with quiet hours, DEF with the API.md defaults (each with a procedure `<code>-N`).
 */
export async function seedNotificationAgencies(h: Harness): Promise<void> {
  const api = client(() => h);
  await seedBasics(h);
  // Every off-by-default trigger turned on, no hold, no quiet hours.
  await api.putAgency('SXD', 'Sở Xây dựng', {
    holdSeconds: 0,
    quietHours: null,
    triggers: { received_online: true, received_postal: true, clock_stopped: true, clock_resumed: true, refused: true, withdrawn: true },
  });
  await api.putProcedure('SXD-5', 'SXD', 5);
  await api.putAgency('UNI', 'Ban Quản lý Khu kinh tế Vân Phong', { holdSeconds: 0, quietHours: null, smsEncoding: 'unicode' });
  await api.putProcedure('UNI-3', 'UNI', 3);
  await api.putAgency('HLD', 'Sở Nội vụ', { holdSeconds: 120, quietHours: null });
  await api.putProcedure('HLD-3', 'HLD', 3);
  await api.putAgency('QUI', 'Sở Y tế', { holdSeconds: 120, quietHours: { start: '21:00', end: '07:00' } });
  await api.putProcedure('QUI-3', 'QUI', 3);
  await api.putAgency('DEF', 'Sở Công Thương'); // API.md defaults: hold 120 s, quiet 21:00–07:00
  await api.putProcedure('DEF-3', 'DEF', 3);
}
