/** Display helpers: times in Việt Nam, dossier states and message statuses in both languages. */
import { formatVnIso, utcMidnightMs, fromLocal, addDays } from '../lib/calendar/zone.js';
import type { WebLang } from './web.types.js';

export { EVENT_LABELS, STATE_LABELS } from '../dossiers/dossier.labels.js';
export { NOTIFICATION_KIND_LABELS, TEMPLATE_LABELS as KIND_LABELS } from '../messages/catalogue.js';

/** '08:15 23/11/2026' (Asia/Ho_Chi_Minh). */
export function formatDateTime(ms: number | string | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  const iso = typeof ms === 'string' ? ms : formatVnIso(new Date(ms));
  const [date = '', time = ''] = iso.split('T');
  const [y, m, d] = date.split('-');
  return `${time.slice(0, 5)} ${d}/${m}/${y}`;
}

/** A 'YYYY-MM-DD' form value as the epoch ms of its local midnight (`endOfDay`: of the next day), or null when malformed. */
export function parseLocalDate(value: string, endOfDay = false): number | null {
  if (!value) return null;
  try {
    utcMidnightMs(value);
    return fromLocal(endOfDay ? addDays(value, 1) : value, 0).getTime();
  } catch {
    return null;
  }
}

export const NOTIFICATION_STATUS_LABELS: Readonly<Record<string, Record<WebLang, string>>> = {
  pending: { vi: 'Đang chờ gửi', en: 'Pending' },
  sending: { vi: 'Đang gửi', en: 'Sending' },
  sent: { vi: 'Đã gửi', en: 'Sent' },
  delivered: { vi: 'Đã đến máy', en: 'Delivered' },
  failed: { vi: 'Không gửi được', en: 'Failed' },
  cancelled: { vi: 'Đã huỷ', en: 'Cancelled' },
  unknown: { vi: 'Không rõ (không có báo nhận)', en: 'Unknown (no receipt)' },
};

export function label(table: Readonly<Record<string, Record<WebLang, string>>>, key: string, lang: WebLang): string {
  return table[key]?.[lang] ?? key;
}

/** A phone number as people read it in Việt Nam: '+84912345678' → '0912 345 678', '+842583822123' → '0258 3822 123'; anything else as it is. */
export function displayPhone(value: string | null | undefined, lang: WebLang = 'vi'): string {
  if (!value) return '';
  // The phone simulator's own sender range (inbound/simulator.ts): the number it played, said to be simulated.
  const simulated = /^sim:\d+:(.+)$/.exec(value);
  if (simulated) return `${displayPhone(simulated[1], lang)} (${lang === 'en' ? 'simulator' : 'giả lập'})`;
  const mobile = /^\+84(\d{3})(\d{3})(\d{3})$/.exec(value);
  if (mobile) return `0${mobile[1]} ${mobile[2]} ${mobile[3]}`;
  // A landline: area code 02xx, then the subscriber number ('+842583822123' → '0258 3822 123').
  const landline = /^\+84(2\d{2})(\d{4})(\d{3,4})$/.exec(value);
  return landline ? `0${landline[1]} ${landline[2]} ${landline[3]}` : value;
}

/** A procedure's processing time as people say it: 0 → "trong ngày", else "3 ngày làm việc" / "10 ngày (theo lịch)". */
export function processingTimeText(days: number, lang: WebLang, dayKind: 'working' | 'calendar' = 'working'): string {
  if (days === 0) return lang === 'en' ? 'same day' : 'trong ngày';
  if (lang === 'en')
    return `${days} ${dayKind === 'working' ? 'working ' : ''}day${days === 1 ? '' : 's'}${dayKind === 'calendar' ? ' (calendar)' : ''}`;
  return `${days} ngày${dayKind === 'working' ? ' làm việc' : ' (theo lịch)'}`;
}
