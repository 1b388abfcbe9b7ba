import { parseHhMm } from '../lib/calendar/zone.js';
import { parseOfficeHours } from '../lib/calendar/working-calendar.js';
import type { SupplementRule } from '../lib/calendar/deadline.js';

export interface QuietHours {
  readonly start: string;
  readonly end: string;
}

/** What an agency may set (all optional; stored as given, resolved against the defaults on read). */
export interface AgencySettingsInput {
  holdSeconds?: number;
  quietHours?: QuietHours | null;
  smsEncoding?: 'ascii' | 'unicode';
  notifySameDay?: boolean;
  resultStepName?: string;
  templates?: Record<string, string>;
  triggers?: Record<string, boolean | undefined>;
  officeHours?: string;
  overdueWarningHours?: number;
  supplementRule?: SupplementRule;
  emailAlso?: boolean;
  statusCallbackUrl?: string | null;
  receiptPrefixes?: string[];
  channels?: NotificationChannel[];
  hotline?: string | null;
  address?: string | null;
  province?: string | null;
  privacyLink?: boolean;
}

/** The channels an agency may list, in the order tried (issue 17): Zalo first, or SMS only. */
export type NotificationChannel = 'zalo' | 'sms';

export interface AgencySettings {
  readonly holdSeconds: number;
  readonly quietHours: QuietHours | null;
  readonly smsEncoding: 'ascii' | 'unicode';
  readonly notifySameDay: boolean;
  readonly resultStepName: string;
  readonly templates: Readonly<Record<string, string>>;
  readonly triggers: Readonly<Record<string, boolean>>;
  readonly officeHours: string;
  readonly overdueWarningHours: number;
  readonly supplementRule: SupplementRule;
  readonly emailAlso: boolean;
  /** Where each message's final status is POSTed, HMAC-signed with the agency's callback secret; null = off. */
  readonly statusCallbackUrl: string | null;
  /** The agency segments of its receipt codes (`000.00.15.H34`); none = any code not another agency's. */
  readonly receiptPrefixes: readonly string[];
  /** Ordered: a notification goes by the first channel that can carry its kind, and falls back to the next. */
  readonly channels: readonly NotificationChannel[];
  /** A telephone number citizens may call about their dossier (shown on /tra-cuu); null = none given. */
  readonly hotline: string | null;
  /** Where the one-stop desk is: where to bring papers and collect results (shown on /tra-cuu). */
  readonly address: string | null;
  /** The province or city the agency belongs to, e.g. "Khánh Hòa" (shown on /tra-cuu). */
  readonly province: string | null;
  /** Messages to citizens end with a short link to the privacy notice (issue 16 item 5); off by default. */
  readonly privacyLink: boolean;
}

export const DEFAULT_SETTINGS: AgencySettings = Object.freeze({
  holdSeconds: 120,
  quietHours: Object.freeze({ start: '21:00', end: '07:00' }),
  smsEncoding: 'ascii',
  notifySameDay: false,
  resultStepName: 'Trả kết quả',
  templates: Object.freeze({}),
  triggers: Object.freeze({}),
  officeHours: '07:00-11:30,13:30-17:00',
  overdueWarningHours: 4,
  supplementRule: 'pause',
  emailAlso: false,
  statusCallbackUrl: null,
  receiptPrefixes: Object.freeze([]),
  channels: Object.freeze(['sms'] as const),
  hotline: null,
  address: null,
  province: null,
  privacyLink: false,
});

export function resolveSettings(stored: AgencySettingsInput): AgencySettings {
  return {
    holdSeconds: stored.holdSeconds ?? DEFAULT_SETTINGS.holdSeconds,
    quietHours: stored.quietHours === undefined ? DEFAULT_SETTINGS.quietHours : stored.quietHours,
    smsEncoding: stored.smsEncoding ?? DEFAULT_SETTINGS.smsEncoding,
    notifySameDay: stored.notifySameDay ?? DEFAULT_SETTINGS.notifySameDay,
    resultStepName: stored.resultStepName ?? DEFAULT_SETTINGS.resultStepName,
    templates: stored.templates ?? DEFAULT_SETTINGS.templates,
    triggers: stored.triggers
      ? Object.fromEntries(Object.entries(stored.triggers).filter((entry): entry is [string, boolean] => entry[1] !== undefined))
      : DEFAULT_SETTINGS.triggers,
    officeHours: stored.officeHours ?? DEFAULT_SETTINGS.officeHours,
    overdueWarningHours: stored.overdueWarningHours ?? DEFAULT_SETTINGS.overdueWarningHours,
    supplementRule: stored.supplementRule ?? DEFAULT_SETTINGS.supplementRule,
    emailAlso: stored.emailAlso ?? DEFAULT_SETTINGS.emailAlso,
    statusCallbackUrl: stored.statusCallbackUrl ?? DEFAULT_SETTINGS.statusCallbackUrl,
    receiptPrefixes: stored.receiptPrefixes ?? DEFAULT_SETTINGS.receiptPrefixes,
    channels: stored.channels ?? DEFAULT_SETTINGS.channels,
    hotline: stored.hotline?.trim() || DEFAULT_SETTINGS.hotline,
    address: stored.address?.trim() || DEFAULT_SETTINGS.address,
    province: stored.province?.trim() || DEFAULT_SETTINGS.province,
    privacyLink: stored.privacyLink ?? DEFAULT_SETTINGS.privacyLink,
  };
}

/**
 * The agency segment of the national receipt-code format `<agency>-YYMMDD-NNNN`: the agency's electronic
 * identifier of Circular 10/2016/TT-BTTTT, A.B.C.D = 3 digits, 2 digits, 2 digits, then a letter and 2
 * digits for the province or ministry (`000.00.15.H34`: an agency of Khánh Hòa).
 */
export const RECEIPT_PREFIX_PATTERN = '^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Za-z][0-9]{2}$';

/** Whether a receipt code carries the prefix as its agency segment (case-insensitive, as codes are). */
export function matchesReceiptPrefix(receiptCode: string, prefix: string): boolean {
  const code = receiptCode.trim().toUpperCase();
  const segment = prefix.toUpperCase();
  return code === segment || code.startsWith(`${segment}-`) || code.startsWith(`${segment}.`);
}

/** A hotline as people write it: 3 to 15 digits, optionally "+84", grouped by spaces, dots or dashes. */
const HOTLINE = /^\+?[0-9](?:[ .-]?[0-9]){2,14}$/;

/** Returns a message naming the problem, or null when the (schema-valid) settings make sense together. */
export function settingsProblem(input: AgencySettingsInput): { field: string; message: string } | null {
  if (input.quietHours) {
    for (const key of ['start', 'end'] as const) {
      try {
        parseHhMm(input.quietHours[key]);
      } catch {
        return { field: `settings.quietHours.${key}`, message: `Giờ không hợp lệ: "${input.quietHours[key]}" (dạng HH:MM).` };
      }
    }
  }
  if (input.channels !== undefined && input.channels.at(-1) !== 'sms') {
    return {
      field: 'settings.channels',
      message: 'Danh sách kênh phải kết thúc bằng "sms" (tin nhắn SMS là kênh dự phòng cuối cùng), ví dụ ["zalo", "sms"].',
    };
  }
  if (input.hotline && !HOTLINE.test(input.hotline.trim())) {
    return {
      field: 'settings.hotline',
      message: `Số đường dây nóng không hợp lệ: "${input.hotline}" (chỉ gồm chữ số, dấu cách, dấu chấm, ví dụ 0258 3822 123 hoặc 1900 1234).`,
    };
  }
  if (input.officeHours !== undefined) {
    try {
      parseOfficeHours(input.officeHours);
    } catch (error) {
      return { field: 'settings.officeHours', message: `Giờ làm việc không hợp lệ: ${(error as Error).message}` };
    }
  }
  if (input.statusCallbackUrl) {
    let url: URL | null = null;
    try {
      url = new URL(input.statusCallbackUrl);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
      return {
        field: 'settings.statusCallbackUrl',
        message: 'Địa chỉ nhận trạng thái phải là URL http(s) đầy đủ, không kèm tên đăng nhập/mật khẩu.',
      };
    }
  }
  return null;
}
