/**
 * A month of work at volume for the table tests (issue 15 item 3): thousands of dossiers of agency STC
 * (seedBasics) and their messages, written straight into the database in one transaction with
 * multi-row inserts, so seeding takes seconds on SQLite and PostgreSQL alike. Deterministic: row i
 * always gets the same state, name, phone, times and message.
 */
import { transaction } from '../../src/platform/db/database.js';
import { receiptKey } from '../../src/dossiers/dossier.repository.js';
import { searchFold } from '../../src/lib/sms-text/fold.js';
import type { Harness } from './harness.js';

const DAY = 86_400_000;
/** 01/11/2026 07:30 in Việt Nam. */
const MONTH_START = Date.parse('2026-11-01T07:30:00+07:00');
const ROWS_PER_INSERT = 200;

const STATES = ['received', 'in_progress', 'in_progress', 'result_ready', 'returned', 'returned', 'awaiting_supplement'] as const;
const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng'];
const GIVEN = ['Văn An', 'Thị Bình', 'Minh Châu', 'Quốc Dũng', 'Thị Hoà', 'Đức Khánh', 'Thu Hương', 'Gia Huy'];
const MESSAGE_STATUSES = ['delivered', 'delivered', 'delivered', 'failed', 'cancelled', 'sent', 'unknown'] as const;
const KINDS = ['received_online', 'supplement_required', 'apology', 'overdue_warning', 'result_ready'] as const;

export const volumeCode = (i: number) => `000.00.15.H34-261101-${String(i + 1).padStart(5, '0')}`;

/** The message text as agencies write them: long, two or three SMS parts. */
const bodyOf = (code: string, i: number) =>
  `TB: Ho so cua quy ong/ba (MS: ${code}) da duoc giai quyet xong. Moi ong/ba den Bo phan Mot cua So Tai chinh, 01 Tran Phu, phuong Loc Tho, de nhan ket qua trong gio hanh chinh; mang theo CCCD va giay bien nhan. Lien he 0258 3822 ${String(100 + (i % 900))}.`;

async function insertChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) await insert(rows.slice(i, i + ROWS_PER_INSERT));
}

/** Writes `dossiers` dossiers and `messages` messages (spread over the dossiers) of November 2026. */
export async function seedVolume(h: Harness, counts: { dossiers: number; messages: number }): Promise<void> {
  await transaction(h.ctx.db, async (tx) => {
    const dossiers = Array.from({ length: counts.dossiers }, (_, i) => {
      const code = volumeCode(i);
      const state = STATES[i % STATES.length]!;
      const name = `${FAMILY[i % FAMILY.length]} ${GIVEN[(i >> 3) % GIVEN.length]}`;
      const receivedAt = MONTH_START + (i % 28) * DAY + (i % 480) * 60_000;
      const finished = state === 'result_ready' || state === 'returned';
      const phone = i % 11 === 0 ? null : `09${String(12_000_000 + i).padStart(8, '0')}`;
      return {
        receipt_code: code,
        receipt_key: receiptKey(code),
        agency_code: 'STC',
        procedure_code: '1.004227',
        applicant_name: name,
        search_name: searchFold(name),
        phone_input: phone,
        phone_e164: phone === null ? null : `+84${phone.slice(1)}`,
        phone_carrier: phone === null ? null : 'vinaphone',
        phone_problem: phone === null ? 'missing' : null,
        email: null,
        return_method: 'counter' as const,
        state,
        step: finished ? 'Trả kết quả' : state === 'awaiting_supplement' ? 'Chờ bổ sung' : 'Thẩm định hồ sơ',
        received_at: receivedAt,
        due_at: receivedAt + 3 * DAY,
        paused_at: state === 'awaiting_supplement' ? receivedAt + DAY : null,
        finished_at: finished ? receivedAt + 2 * DAY : null,
        returned_at: state === 'returned' ? receivedAt + 2 * DAY + 3_600_000 : null,
        intake_hash: `volume-${i}`,
        event_count: 0,
        created_at: receivedAt,
        updated_at: receivedAt,
        deidentified_at: null,
        erase_requested_at: null,
      };
    });
    await insertChunks(dossiers, (chunk) => tx.kysely.insertInto('dossiers').values(chunk).execute());
    const ids = (await tx.kysely.selectFrom('dossiers').select(['id', 'receipt_code', 'phone_e164']).orderBy('id').execute()).filter((d) =>
      d.receipt_code.includes('-261101-'),
    );

    const messages = Array.from({ length: counts.messages }, (_, i) => {
      const dossier = ids[i % ids.length]!;
      const status = MESSAGE_STATUSES[i % MESSAGE_STATUSES.length]!;
      const createdAt = MONTH_START + (i % 28) * DAY + (i % 600) * 60_000 + DAY;
      const sent = status === 'delivered' || status === 'sent' || status === 'unknown';
      return {
        dossier_id: dossier.id,
        agency_code: 'STC',
        kind: KINDS[i % KINDS.length]!,
        channel: 'sms' as const,
        dedupe_key: `volume|${i}`,
        to_address: dossier.phone_e164,
        to_ton: null,
        to_npi: null,
        carrier: 'vinaphone',
        sender: 'MotcuaSMS',
        body: bodyOf(dossier.receipt_code, i),
        encoding: 'gsm7' as const,
        segments: 2,
        cost_vnd: status === 'cancelled' || status === 'failed' ? 0 : 1500,
        status,
        failure_reason: status === 'failed' ? 'UNDELIV:011' : status === 'cancelled' ? 'state_changed' : null,
        last_error: null,
        attempts: status === 'cancelled' ? 0 : 1,
        provider: status === 'cancelled' ? null : 'sandbox',
        provider_message_id: null,
        created_at: createdAt,
        send_after: createdAt,
        next_attempt_at: createdAt,
        lease_until: null,
        sent_at: sent ? createdAt + 1000 : null,
        delivered_at: status === 'delivered' ? createdAt + 5000 : null,
        updated_at: createdAt,
        fallback_of: null,
        payload: null,
        sms_cost_vnd: null,
        deidentified_at: null,
      };
    });
    await insertChunks(messages, (chunk) => tx.kysely.insertInto('notifications').values(chunk).execute());
  });
}
