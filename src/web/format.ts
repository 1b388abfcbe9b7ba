/** Display helpers: times in Việt Nam, dossier states and message statuses in both languages. */
import { formatVnIso, utcMidnightMs, fromLocal, addDays } from '../lib/calendar/zone.js';
import type { WebLang } from './web.types.js';

/** '08:15 23/11/2026' (Asia/Ho_Chi_Minh). */
export function formatDateTime(ms: number | string | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  const iso = typeof ms === 'string' ? ms : formatVnIso(new Date(Number(ms)));
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

export const STATE_LABELS: Readonly<Record<string, Record<WebLang, string>>> = {
  received: { vi: 'Đã tiếp nhận', en: 'Received' },
  in_progress: { vi: 'Đang giải quyết', en: 'In progress' },
  awaiting_supplement: { vi: 'Chờ bổ sung', en: 'Awaiting supplement' },
  result_ready: { vi: 'Đã có kết quả', en: 'Result ready' },
  returned: { vi: 'Đã trả kết quả', en: 'Returned' },
  refused: { vi: 'Không đủ điều kiện giải quyết', en: 'Refused' },
  withdrawn: { vi: 'Đã rút hồ sơ', en: 'Withdrawn' },
  stopped: { vi: 'Dừng xử lý', en: 'Stopped' },
};

export const EVENT_LABELS: Readonly<Record<string, Record<WebLang, string>>> = {
  step: { vi: 'Chuyển bước', en: 'Step' },
  supplement_requested: { vi: 'Yêu cầu bổ sung', en: 'Supplement requested' },
  supplement_received: { vi: 'Nhận hồ sơ bổ sung', en: 'Supplement received' },
  result_ready: { vi: 'Có kết quả', en: 'Result ready' },
  returned: { vi: 'Trả kết quả', en: 'Returned' },
  refused: { vi: 'Không đủ điều kiện', en: 'Refused' },
  withdrawn: { vi: 'Rút hồ sơ', en: 'Withdrawn' },
  stopped: { vi: 'Dừng xử lý', en: 'Stopped' },
  due_changed: { vi: 'Đổi ngày hẹn trả', en: 'Due date changed' },
};

export const NOTIFICATION_STATUS_LABELS: Readonly<Record<string, Record<WebLang, string>>> = {
  pending: { vi: 'Đang chờ gửi', en: 'Pending' },
  sending: { vi: 'Đang gửi', en: 'Sending' },
  sent: { vi: 'Đã gửi', en: 'Sent' },
  delivered: { vi: 'Đã đến máy', en: 'Delivered' },
  failed: { vi: 'Không gửi được', en: 'Failed' },
  cancelled: { vi: 'Đã huỷ', en: 'Cancelled' },
};

/** Kinds of message as they are stored (a postal or online result is still `result_ready`). */
export const NOTIFICATION_KIND_LABELS: Readonly<Record<string, Record<WebLang, string>>> = {
  result_ready: { vi: 'Có kết quả', en: 'Result ready' },
  supplement_required: { vi: 'Cần bổ sung', en: 'Supplement needed' },
  apology: { vi: 'Xin lỗi trễ hẹn', en: 'Apology' },
  lookup_reply: { vi: 'Trả lời tra cứu', en: 'Look-up reply' },
  received_online: { vi: 'Tiếp nhận trực tuyến', en: 'Received online' },
  received_postal: { vi: 'Tiếp nhận qua bưu chính', en: 'Received by post' },
  clock_stopped: { vi: 'Tạm dừng tính thời gian', en: 'Clock stopped' },
  clock_resumed: { vi: 'Tiếp tục tính thời gian', en: 'Clock resumed' },
  refused: { vi: 'Từ chối giải quyết', en: 'Refused' },
  withdrawn: { vi: 'Rút hồ sơ', en: 'Withdrawn' },
  overdue_warning: { vi: 'Cảnh báo sắp trễ hạn', en: 'Overdue warning' },
};

/** Template kinds, as the settings page lists them (the result message has a variant per return method). */
export const KIND_LABELS: Readonly<Record<string, Record<WebLang, string>>> = {
  result_ready: { vi: 'Có kết quả (nhận tại Một cửa)', en: 'Result ready (at the counter)' },
  result_ready_postal: { vi: 'Có kết quả (gửi bưu chính)', en: 'Result ready (by post)' },
  result_ready_online: { vi: 'Có kết quả (trả trực tuyến)', en: 'Result ready (online)' },
  supplement_required: { vi: 'Yêu cầu bổ sung', en: 'Supplement required' },
  apology: { vi: 'Xin lỗi trễ hẹn (17:30)', en: 'Apology (17:30)' },
  lookup_reply: { vi: 'Trả lời tra cứu', en: 'Look-up reply' },
  lookup_finished: { vi: 'Trả lời tra cứu: đã có kết quả', en: 'Look-up reply: finished' },
  lookup_returned: { vi: 'Trả lời tra cứu: đã trả kết quả', en: 'Look-up reply: returned' },
  lookup_not_found: { vi: 'Trả lời tra cứu: không tìm thấy', en: 'Look-up reply: not found' },
  lookup_bad_syntax: { vi: 'Trả lời tra cứu: sai cú pháp', en: 'Look-up reply: bad syntax' },
  lookup_rate_limited: { vi: 'Trả lời tra cứu: quá nhiều lần', en: 'Look-up reply: rate limited' },
  received_online: { vi: 'Đã tiếp nhận hồ sơ trực tuyến', en: 'Received online' },
  received_postal: { vi: 'Đã tiếp nhận hồ sơ qua bưu chính', en: 'Received by post' },
  clock_stopped: { vi: 'Tạm dừng tính thời gian', en: 'Clock stopped' },
  clock_resumed: { vi: 'Tiếp tục giải quyết', en: 'Clock resumed' },
  refused: { vi: 'Không đủ điều kiện giải quyết', en: 'Refused' },
  withdrawn: { vi: 'Rút hồ sơ', en: 'Withdrawn' },
  overdue_warning: { vi: 'Cảnh báo sắp trễ hẹn', en: 'Overdue warning' },
};

export function label(table: Readonly<Record<string, Record<WebLang, string>>>, key: string, lang: WebLang): string {
  return table[key]?.[lang] ?? key;
}
