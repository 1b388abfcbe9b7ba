/**
 * Demo data: the 13 agencies of the 2016 Khánh Hoà pilot (seed 003) with real procedures, and a few
 * hundred dossiers in every state — some late, some with phones no SMS can reach — so a newcomer sees
 * the whole product at once. Deterministic and idempotent: dossiers that exist are left alone.
 */
import type { AppContext } from '../context.js';
import type { Principal } from '../../platform/principal.js';
import { AppError } from '../../platform/errors.js';
import { findDossierByKey, receiptKey } from '../../dossiers/dossier.repository.js';
import { addDays, formatVnIso, fromLocal, localDate } from '../../lib/calendar/zone.js';
import type { EventInput, ReturnMethod } from '../../dossiers/dossier.input.js';
import { ensureDemoAccounts } from './demo.accounts.js';
import { DEMO_ZALO_AGENCIES } from './demo.zalo.js';
import type { AgencySettingsInput } from '../../reference/agency.settings.js';

interface DemoProcedure {
  code: string;
  name: string;
  days: number;
  dayKind?: 'working' | 'calendar';
}
interface DemoAgency {
  code: string;
  unit: string;
  name: string;
  procedures: DemoProcedure[];
}

export const DEMO_AGENCIES: readonly DemoAgency[] = [
  {
    code: 'UBND-NT',
    unit: '22',
    name: 'UBND thành phố Nha Trang',
    procedures: [
      { code: '1.001612', name: 'Đăng ký thành lập hộ kinh doanh', days: 3 },
      { code: '1.009994', name: 'Cấp giấy phép xây dựng nhà ở riêng lẻ', days: 15 },
    ],
  },
  {
    code: 'UBND-CR',
    unit: '23',
    name: 'UBND thành phố Cam Ranh',
    procedures: [
      { code: '1.001612-CR', name: 'Đăng ký thành lập hộ kinh doanh', days: 3 },
      { code: '2.000908-CR', name: 'Cấp giấy chứng nhận đủ điều kiện an toàn thực phẩm', days: 15 },
    ],
  },
  {
    code: 'PX-LOCTHO',
    unit: '22.31',
    name: 'UBND phường Lộc Thọ',
    procedures: [
      { code: '1.001193', name: 'Đăng ký khai sinh', days: 0 },
      { code: '1.004873', name: 'Cấp Giấy xác nhận tình trạng hôn nhân', days: 3 },
    ],
  },
  {
    code: 'VP-UBND',
    unit: '01',
    name: 'Văn phòng UBND tỉnh',
    procedures: [{ code: '2.000123', name: 'Cho phép sử dụng thẻ đi lại của doanh nhân APEC', days: 10 }],
  },
  {
    code: 'SKHDT',
    unit: '04',
    name: 'Sở Kế hoạch và Đầu tư',
    procedures: [
      { code: '2.001610', name: 'Đăng ký thành lập công ty TNHH một thành viên', days: 3 },
      { code: '2.002036', name: 'Đăng ký thay đổi nội dung đăng ký doanh nghiệp', days: 3 },
    ],
  },
  {
    code: 'SXD',
    unit: '08',
    name: 'Sở Xây dựng',
    procedures: [
      { code: '1.009972', name: 'Cấp giấy phép xây dựng công trình cấp đặc biệt, cấp I, cấp II', days: 20 },
      { code: '1.009982', name: 'Cấp chứng chỉ hành nghề hoạt động xây dựng', days: 20, dayKind: 'calendar' },
    ],
  },
  {
    code: 'STNMT',
    unit: '09',
    name: 'Sở Tài nguyên và Môi trường',
    procedures: [
      { code: '1.004227', name: 'Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất', days: 10 },
      { code: '1.005194', name: 'Cấp giấy phép khai thác, sử dụng nước dưới đất', days: 30, dayKind: 'calendar' },
    ],
  },
  {
    code: 'SNNPTNT',
    unit: '07',
    name: 'Sở Nông nghiệp và Phát triển nông thôn',
    procedures: [{ code: '1.003810', name: 'Cấp chứng chỉ hành nghề thú y', days: 5 }],
  },
  {
    code: 'SGTVT',
    unit: '06',
    name: 'Sở Giao thông vận tải',
    procedures: [
      { code: '1.002809', name: 'Đổi giấy phép lái xe do ngành Giao thông vận tải cấp', days: 5 },
      { code: '1.002804', name: 'Cấp giấy phép lái xe quốc tế', days: 5 },
    ],
  },
  {
    code: 'SLDTBXH',
    unit: '10',
    name: 'Sở Lao động - Thương binh và Xã hội',
    procedures: [{ code: '1.000105', name: 'Cấp giấy phép lao động cho người lao động nước ngoài', days: 5 }],
  },
  {
    code: 'STP',
    unit: '05',
    name: 'Sở Tư pháp',
    procedures: [
      { code: '2.000488', name: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam', days: 10 },
      { code: '2.000815', name: 'Chứng thực bản sao từ bản chính giấy tờ, văn bản', days: 0 },
    ],
  },
  {
    code: 'STTTT',
    unit: '15',
    name: 'Sở Thông tin và Truyền thông',
    procedures: [
      { code: '1.003725', name: 'Cấp giấy phép xuất bản bản tin', days: 10 },
      { code: '1.004562', name: 'Cấp giấy phép hoạt động in', days: 5 },
    ],
  },
  {
    code: 'BQL-KKTVP',
    unit: '20',
    name: 'Ban Quản lý Khu kinh tế Vân Phong',
    procedures: [{ code: '1.009736', name: 'Cấp Giấy chứng nhận đăng ký đầu tư', days: 15 }],
  },
];

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Ngọc', 'Hữu', 'Thanh', 'Đức', 'Thu', 'Quốc', 'Kim'];
const GIVEN = [
  'An',
  'Bình',
  'Cường',
  'Dũng',
  'Hà',
  'Hải',
  'Hạnh',
  'Hoa',
  'Hùng',
  'Lan',
  'Long',
  'Mai',
  'Nam',
  'Phương',
  'Quân',
  'Tâm',
  'Thảo',
  'Trang',
  'Tuấn',
  'Vy',
  'Yến',
  'Khoa',
];
/** Phones as clerks type them: mostly good, a realistic share unreachable (the pilot lost 30%). */
const PHONES = [
  '0912 345 678',
  '0983.456.789',
  '0905-123-456',
  '+84 38 765 4321',
  '0868 111 222',
  '0797123456',
  '0358 246 810',
  '0936 222 333',
  '0888 765 432',
  '0945 678 901',
  '0702 345 678',
  '84 912 000 111',
  '(091) 234-5678',
  '0523 456 789',
  '0168 234 5678',
  '0122 345 6789',
  '0258 3822 123',
  '0258.3521.456',
  '',
  '',
  '091234',
  '+1 415 555 0100',
  '0999 999 999',
];

function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ADMIN: Principal = { role: 'admin', agencyCode: null, tokenId: null };
const IN_PROGRESS_STEPS = ['Thẩm định hồ sơ', 'Trình lãnh đạo phê duyệt', 'Chuyển phòng chuyên môn'];

export interface DemoSummary {
  agencies: number;
  procedures: number;
  dossiersCreated: number;
  dossiersExisting: number;
}

/** Loads the demo agencies, procedures and `dossierCount` dossiers as of the context clock's today. */
export async function loadDemoData(ctx: AppContext, dossierCount = 300): Promise<DemoSummary> {
  const now = ctx.clock.now();
  let procedures = 0;
  for (const agency of DEMO_AGENCIES) {
    // With Zalo configured (the demo's simulator, demo.zalo.ts), a few agencies send by Zalo first.
    const settings: AgencySettingsInput = ctx.outbox.zalo && DEMO_ZALO_AGENCIES.includes(agency.code) ? { channels: ['zalo', 'sms'] } : {};
    if (!(await ctx.agencies.get(agency.code))) await ctx.agencies.put(agency.code, agency.name, settings, now);
    for (const p of agency.procedures) {
      if (!(await ctx.procedures.get(p.code))) {
        await ctx.procedures.put(
          ADMIN,
          p.code,
          { agencyCode: agency.code, name: p.name, processingDays: p.days, dayKind: p.dayKind ?? 'working' },
          now,
        );
      }
      procedures++;
    }
  }
  await ensureDemoAccounts(ctx);

  // Receipt codes carry the receipt date, so a load on a later day would make new codes: once the
  // demo agencies hold the demo's dossiers, later loads (every `npm start`) add none.
  const loaded = await ctx.db.kysely
    .selectFrom('dossiers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(
      'agency_code',
      'in',
      DEMO_AGENCIES.map((a) => a.code),
    )
    .executeTakeFirstOrThrow();
  if (loaded.n >= dossierCount) return { agencies: DEMO_AGENCIES.length, procedures, dossiersCreated: 0, dossiersExisting: loaded.n };

  const random = rng(20161263);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const today = localDate(new Date(now));
  let created = 0;
  let existing = 0;
  for (let i = 1; i <= dossierCount; i++) {
    const agency = pick(DEMO_AGENCIES);
    const procedure = pick(agency.procedures);
    const ageDays = Math.floor(random() * 40);
    const receivedDay = addDays(today, -ageDays);
    const receivedAt = fromLocal(receivedDay, 7 * 60 + 30 + Math.floor(random() * 540));
    const receiptCode = `000.00.${agency.unit}.H34-${receivedDay.slice(2).replace(/-/g, '')}-${String(i).padStart(4, '0')}`;
    const roll = random();
    const phone = pick(PHONES);
    const name = `${pick(FAMILY)} ${pick(MIDDLE)} ${pick(GIVEN)}`;
    const returnMethod: ReturnMethod = roll < 0.15 ? 'postal' : roll < 0.25 ? 'online' : 'counter';
    const fate = random();
    const withEmail = random() < 0.2;
    const step = pick(IN_PROGRESS_STEPS);
    // Every random draw happens above, so a second load walks the same sequence and finds the same codes.
    if (await findDossierByKey(ctx.db, receiptKey(receiptCode))) {
      existing++;
      continue;
    }
    if (receivedAt.getTime() > now) continue;
    await ctx.dossiers.intake(ADMIN, {
      receiptCode,
      agencyCode: agency.code,
      procedureCode: procedure.code,
      applicant: { name, phone: phone || null, email: withEmail ? `congdan${i}@example.vn` : null },
      receivedAt: formatVnIso(receivedAt),
      returnMethod,
    });
    created++;
    const span = Math.max(1, now - receivedAt.getTime());
    const at = (share: number) => formatVnIso(new Date(receivedAt.getTime() + Math.floor(span * share)));
    const events: EventInput[] = [];
    if (fate < 0.15) {
      // just received
    } else if (fate < 0.4) {
      events.push({ type: 'step', step, at: at(0.3) });
    } else if (fate < 0.5) {
      events.push({ type: 'step', step: 'Thẩm định hồ sơ', at: at(0.2) }, { type: 'supplement_requested', at: at(0.4) });
    } else if (fate < 0.58) {
      events.push(
        { type: 'step', step: 'Thẩm định hồ sơ', at: at(0.1) },
        { type: 'supplement_requested', at: at(0.2) },
        { type: 'supplement_received', at: at(0.5) },
        { type: 'step', step: 'Trình lãnh đạo phê duyệt', at: at(0.7) },
      );
    } else if (fate < 0.75) {
      events.push({ type: 'step', step: 'Thẩm định hồ sơ', at: at(0.3) }, { type: 'result_ready', at: at(0.8) });
    } else if (fate < 0.92) {
      events.push(
        { type: 'step', step: 'Thẩm định hồ sơ', at: at(0.2) },
        { type: 'result_ready', at: at(0.6) },
        { type: 'returned', at: at(0.9) },
      );
    } else if (fate < 0.96) {
      events.push({ type: 'refused', at: at(0.5) });
    } else if (fate < 0.98) {
      events.push({ type: 'withdrawn', at: at(0.5) });
    } else {
      events.push({ type: 'stopped', at: at(0.5) });
    }
    for (const [n, event] of events.entries()) {
      try {
        await ctx.dossiers.applyEvent(ADMIN, receiptCode, { ...event, eventId: `demo-${i}-${n}` });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        ctx.logger.warn({ receiptCode, event, err: error.message }, 'demo event skipped');
      }
    }
  }
  return { agencies: DEMO_AGENCIES.length, procedures, dossiersCreated: created, dossiersExisting: existing };
}
