/** Words and formats of the oversight and read pages, Vietnamese first; English for users who chose it. */
import { formatVnIso } from '../../lib/calendar/zone.js';
import type { WebLang } from '../web.types.js';
import { EVENT_LABELS, label, NOTIFICATION_KIND_LABELS, NOTIFICATION_STATUS_LABELS, STATE_LABELS } from '../format.js';

type Pair = { readonly vi: string; readonly en: string };

const UI = {
  dashboardTitle: { vi: 'Số liệu giám sát', en: 'Oversight figures' },
  dossiers: { vi: 'Hồ sơ', en: 'Dossiers' },
  dossierSearch: { vi: 'Tra cứu hồ sơ', en: 'Dossier search' },
  messageLog: { vi: 'Nhật ký tin nhắn', en: 'Message log' },
  simulator: { vi: 'Giả lập điện thoại', en: 'Phone simulator' },
  period: { vi: 'Kỳ báo cáo', en: 'Period' },
  from: { vi: 'Từ ngày', en: 'From' },
  to: { vi: 'Đến ngày', en: 'To' },
  preset: { vi: 'Chọn nhanh', en: 'Quick pick' },
  thisMonth: { vi: 'Tháng này', en: 'This month' },
  lastMonth: { vi: 'Tháng trước', en: 'Last month' },
  thisYear: { vi: 'Năm nay', en: 'This year' },
  groupBy: { vi: 'Nhóm theo', en: 'Group by' },
  byAgency: { vi: 'Cơ quan', en: 'Agency' },
  byProcedure: { vi: 'Thủ tục', en: 'Procedure' },
  agency: { vi: 'Cơ quan', en: 'Agency' },
  allAgencies: { vi: 'Tất cả cơ quan', en: 'All agencies' },
  procedure: { vi: 'Thủ tục', en: 'Procedure' },
  show: { vi: 'Xem', en: 'Show' },
  search: { vi: 'Tìm', en: 'Search' },
  total: { vi: 'Tổng cộng', en: 'Total' },
  received: { vi: 'Tiếp nhận', en: 'Received' },
  resolved: { vi: 'Đã giải quyết', en: 'Resolved' },
  onTime: { vi: 'Đúng hạn', en: 'On time' },
  late: { vi: 'Trễ hạn', en: 'Late' },
  onTimeRate: { vi: 'Tỷ lệ đúng hạn', en: 'On-time rate' },
  supplements: { vi: 'Yêu cầu bổ sung', en: 'Supplement requests' },
  messagesCreated: { vi: 'Tin nhắn tạo', en: 'Messages created' },
  messagesSent: { vi: 'Đã gửi', en: 'Sent' },
  messagesDelivered: { vi: 'Đã đến máy', en: 'Delivered' },
  messagesFailed: { vi: 'Không gửi được', en: 'Failed' },
  messagesCancelled: { vi: 'Đã huỷ', en: 'Cancelled' },
  messagesPending: { vi: 'Đang chờ gửi', en: 'Pending' },
  cost: { vi: 'Chi phí', en: 'Cost' },
  costVnd: { vi: 'Chi phí (đồng)', en: 'Cost (VND)' },
  lookups: { vi: 'Lượt tra cứu', en: 'Look-ups' },
  lookupRevenue: { vi: 'Doanh thu tra cứu', en: 'Look-up revenue' },
  lookupRevenueVnd: { vi: 'Doanh thu tra cứu (đồng)', en: 'Look-up revenue (VND)' },
  lookupsUnattributed: { vi: 'Tra cứu mã không tồn tại hoặc sai cú pháp', en: 'Look-ups of unknown codes or with bad syntax' },
  reach: { vi: 'Tỷ lệ tiếp cận', en: 'Reach' },
  reachHint: { vi: 'tỷ lệ hồ sơ có số di động nhận được SMS', en: 'share of dossiers with a mobile number that can get SMS' },
  resolvedWithoutResult: { vi: 'Giải quyết nhưng chưa báo được', en: 'Resolved, not notified' },
  summary: { vi: 'Tổng quan', en: 'Summary' },
  figuresTable: { vi: 'Số liệu theo {group}', en: 'Figures by {group}' },
  messagesByKind: { vi: 'Tin nhắn theo loại', en: 'Messages by kind' },
  failuresByReason: { vi: 'Tin nhắn lỗi theo nguyên nhân', en: 'Failed messages by reason' },
  reason: { vi: 'Nguyên nhân', en: 'Reason' },
  count: { vi: 'Số lượng', en: 'Count' },
  kind: { vi: 'Loại tin', en: 'Kind' },
  noFailures: { vi: 'Không có tin nhắn lỗi trong kỳ.', en: 'No failed messages in the period.' },
  noData: { vi: 'Không có số liệu trong kỳ.', en: 'No figures for the period.' },
  charts: { vi: 'Biểu đồ', en: 'Charts' },
  chartMessagesPerDay: { vi: 'Tin nhắn theo ngày và kết quả gửi', en: 'Messages per day by outcome' },
  chartMessagesPerMonth: { vi: 'Tin nhắn theo tháng và kết quả gửi', en: 'Messages per month by outcome' },
  chartOnTime: { vi: 'Tỷ lệ giải quyết đúng hạn theo cơ quan', en: 'On-time rate by agency' },
  chartReach: { vi: 'Tỷ lệ tiếp cận theo cơ quan', en: 'Reach by agency' },
  dataTable: { vi: 'Bảng số liệu của biểu đồ', en: 'Chart data' },
  day: { vi: 'Ngày', en: 'Day' },
  month: { vi: 'Tháng', en: 'Month' },
  reconciliation: {
    vi: 'Đối soát: hồ sơ đã giải quyết chưa có tin kết quả đến máy',
    en: 'Reconciliation: resolved dossiers without a delivered result message',
  },
  reconciliationIntro: {
    vi: 'Hồ sơ có kết quả trong kỳ: {resolved}; tin kết quả đã đến máy: {delivered}; chưa báo được: {missing}.',
    en: 'Dossiers resolved in the period: {resolved}; result messages delivered: {delivered}; not notified: {missing}.',
  },
  reconciliationEmpty: {
    vi: 'Mọi hồ sơ đã giải quyết trong kỳ đều đã có tin kết quả đến máy.',
    en: 'Every dossier resolved in the period got a delivered result message.',
  },
  why: { vi: 'Lý do', en: 'Why' },
  detail: { vi: 'Chi tiết', en: 'Detail' },
  link: { vi: 'Liên kết', en: 'Link' },
  resolvedAt: { vi: 'Có kết quả lúc', en: 'Resolved at' },
  exportCsv: { vi: 'Tải CSV', en: 'Download CSV' },
  exportXlsx: { vi: 'Tải Excel', en: 'Download Excel' },
  exports: { vi: 'Xuất dữ liệu', en: 'Export' },
  exportFigures: { vi: 'Bảng số liệu', en: 'Figures table' },
  exportReconciliation: { vi: 'Danh sách đối soát', en: 'Reconciliation list' },
  receiptCode: { vi: 'Mã số biên nhận', en: 'Receipt code' },
  applicant: { vi: 'Người nộp', en: 'Applicant' },
  phone: { vi: 'Số điện thoại', en: 'Phone' },
  email: { vi: 'Thư điện tử', en: 'Email' },
  state: { vi: 'Trạng thái', en: 'State' },
  step: { vi: 'Bước hiện tại', en: 'Current step' },
  receivedAt: { vi: 'Tiếp nhận lúc', en: 'Received at' },
  dueAt: { vi: 'Ngày hẹn trả', en: 'Due' },
  deadline: { vi: 'Tiến độ', en: 'Deadline' },
  portalStatus: { vi: 'Mã trạng thái Cổng DVC', en: 'Portal status code' },
  returnMethod: { vi: 'Hình thức trả kết quả', en: 'Result returned' },
  searchLabel: { vi: 'Mã số biên nhận, số điện thoại hoặc họ tên', en: 'Receipt code, phone number or name' },
  searchHint: {
    vi: 'Nhập một phần mã số, ít nhất 6 chữ số của số điện thoại, hoặc họ tên có dấu.',
    en: 'Part of the code, at least 6 digits of the phone number, or the name with diacritics.',
  },
  results: { vi: 'Kết quả', en: 'Results' },
  noResults: { vi: 'Không tìm thấy hồ sơ nào.', en: 'No dossier found.' },
  page: { vi: 'Trang {n}', en: 'Page {n}' },
  pagination: { vi: 'Phân trang', en: 'Pagination' },
  previous: { vi: 'Trang trước', en: 'Previous page' },
  next: { vi: 'Trang sau', en: 'Next page' },
  timeline: { vi: 'Diễn biến hồ sơ và tin nhắn', en: 'Timeline of events and messages' },
  event: { vi: 'Sự kiện', en: 'Event' },
  message: { vi: 'Tin nhắn', en: 'Message' },
  messages: { vi: 'Tin nhắn', en: 'Messages' },
  body: { vi: 'Nội dung', en: 'Text' },
  encoding: { vi: 'Mã hóa', en: 'Encoding' },
  segments: { vi: 'Số phần', en: 'Segments' },
  provider: { vi: 'Nhà cung cấp', en: 'Provider' },
  failureReason: { vi: 'Lý do lỗi', en: 'Failure reason' },
  status: { vi: 'Tình trạng', en: 'Status' },
  channel: { vi: 'Kênh', en: 'Channel' },
  recipient: { vi: 'Người nhận', en: 'Recipient' },
  createdAt: { vi: 'Tạo lúc', en: 'Created' },
  sendAfter: { vi: 'Gửi sau', en: 'Leaves after' },
  sentAt: { vi: 'Gửi lúc', en: 'Sent' },
  deliveredAt: { vi: 'Đến máy lúc', en: 'Delivered' },
  dueMoved: { vi: 'hẹn trả', en: 'due' },
  backToSearch: { vi: 'Quay lại tra cứu hồ sơ', en: 'Back to dossier search' },
  any: { vi: 'Tất cả', en: 'All' },
  filter: { vi: 'Lọc', en: 'Filter' },
  filters: { vi: 'Bộ lọc', en: 'Filters' },
  phoneOrCode: { vi: 'Số điện thoại hoặc mã số biên nhận', en: 'Phone number or receipt code' },
  noMessages: { vi: 'Không có tin nhắn nào khớp bộ lọc.', en: 'No message matches the filters.' },
  autoRefresh: { vi: 'Tự làm mới mỗi 15 giây', en: 'Refresh every 15 seconds' },
  simulatorIntro: {
    vi: 'Chế độ trình diễn: tin nhắn gửi đến đầu số {shortCode} đi qua đúng quy trình tra cứu SMS, nhưng không rời khỏi máy chủ.',
    en: 'Demo mode: messages to short code {shortCode} go through the real SMS look-up, but never leave the server.',
  },
  simulatorPhone: { vi: 'Số điện thoại của bạn', en: 'Your phone number' },
  simulatorText: { vi: 'Nội dung tin nhắn', en: 'Message text' },
  simulatorSend: { vi: 'Gửi đến {shortCode}', en: 'Send to {shortCode}' },
  simulatorThread: { vi: 'Hội thoại với {shortCode}', en: 'Conversation with {shortCode}' },
  simulatorEmpty: { vi: 'Chưa có tin nhắn nào từ số này.', en: 'No messages from this number yet.' },
  simulatorYou: { vi: 'Bạn gửi', en: 'You sent' },
  simulatorReply: { vi: '{shortCode} trả lời', en: '{shortCode} replied' },
  simulatorNoReply: { vi: 'Không trả lời (số bị chặn tạm thời)', en: 'No reply (number throttled)' },
  simulatorHint: {
    vi: 'Cú pháp: {syntax}. Phí tra cứu {fee} (không thu trong chế độ trình diễn).',
    en: 'Syntax: {syntax}. Look-up fee {fee} (not charged in demo mode).',
  },
  errorTitle: { vi: 'Không thực hiện được yêu cầu', en: 'The request could not be completed' },
  forbidden: { vi: 'Bạn không có quyền xem dữ liệu của cơ quan này.', en: 'You may not see this agency’s data.' },
  notFound: { vi: 'Không tìm thấy trang hoặc hồ sơ yêu cầu.', en: 'The page or dossier was not found.' },
  badDates: {
    vi: 'Ngày bắt đầu phải trước hoặc bằng ngày kết thúc, và kỳ báo cáo không quá 3 năm.',
    en: 'The start date must not be after the end date, and a period is at most 3 years.',
  },
  invalidInput: { vi: 'Dữ liệu nhập không hợp lệ: {detail}', en: 'Invalid input: {detail}' },
  none: { vi: '—', en: '—' },
} as const satisfies Record<string, Pair>;

export type UiKey = keyof typeof UI;

/** A UI string with `{name}` placeholders filled in. */
export function t(lang: WebLang, key: UiKey, vars: Record<string, string | number> = {}): string {
  return UI[key][lang].replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export const stateLabel = (lang: WebLang, state: string) => label(STATE_LABELS, state, lang);

export const eventLabel = (lang: WebLang, type: string) => label(EVENT_LABELS, type, lang);

export const MESSAGE_KINDS: Readonly<Record<string, Pair>> = NOTIFICATION_KIND_LABELS;
export const kindLabel = (lang: WebLang, kind: string) => label(MESSAGE_KINDS, kind, lang);

export const MESSAGE_STATUSES: Readonly<Record<string, Pair>> = NOTIFICATION_STATUS_LABELS;
export const messageStatusLabel = (lang: WebLang, status: string) => label(MESSAGE_STATUSES, status, lang);

export const CHANNELS: Readonly<Record<string, Pair>> = { sms: { vi: 'SMS', en: 'SMS' }, email: { vi: 'Thư điện tử', en: 'Email' } };
export const channelLabel = (lang: WebLang, channel: string) => label(CHANNELS, channel, lang);

const ENCODINGS: Readonly<Record<string, Pair>> = {
  gsm7: { vi: 'GSM 7-bit (không dấu)', en: 'GSM 7-bit (no diacritics)' },
  ucs2: { vi: 'Unicode (có dấu)', en: 'Unicode (UCS-2)' },
  text: { vi: 'Văn bản thư điện tử', en: 'Email text' },
};
export const encodingLabel = (lang: WebLang, encoding: string) => label(ENCODINGS, encoding, lang);

const RETURN_METHODS: Readonly<Record<string, Pair>> = {
  counter: { vi: 'Tại Bộ phận Một cửa', en: 'At the counter' },
  postal: { vi: 'Qua dịch vụ bưu chính công ích', en: 'By public postal service' },
  online: { vi: 'Trực tuyến', en: 'Online' },
};
export const returnMethodLabel = (lang: WebLang, method: string) => label(RETURN_METHODS, method, lang);

const FAILURE_REASONS: Readonly<Record<string, Pair>> = {
  no_phone: { vi: 'Không có số điện thoại', en: 'No phone number' },
  invalid_phone: { vi: 'Số điện thoại không hợp lệ', en: 'Invalid phone number' },
  landline: { vi: 'Số máy bàn (không nhận SMS)', en: 'Landline (cannot get SMS)' },
  foreign_phone: { vi: 'Số điện thoại nước ngoài', en: 'Foreign phone number' },
  state_changed: { vi: 'Trạng thái hồ sơ đã thay đổi trong thời gian giữ tin', en: 'Dossier state changed during the hold' },
  provider_error: { vi: 'Lỗi nhà cung cấp dịch vụ SMS', en: 'SMS provider error' },
  timeout: { vi: 'Nhà cung cấp không trả lời kịp', en: 'Provider timed out' },
  unknown: { vi: 'Không rõ nguyên nhân', en: 'Unknown' },
};

/** A failure reason as people read it; provider codes outside the table are carrier errors, shown with their code. */
export function failureReasonLabel(lang: WebLang, reason: string): string {
  const known = FAILURE_REASONS[reason];
  if (known) return known[lang];
  if (reason.startsWith('gave_up:')) {
    const inner = reason.slice('gave_up:'.length);
    return lang === 'vi'
      ? `Ngừng thử lại sau nhiều lần (${failureReasonLabel(lang, inner)})`
      : `Gave up after retries (${failureReasonLabel(lang, inner)})`;
  }
  return lang === 'vi' ? `Lỗi nhà mạng: ${reason}` : `Carrier error: ${reason}`;
}

/** Why a resolved dossier has no delivered result message (see dashboard.service reconcile). */
export type ReconciliationWhy =
  | 'no_phone'
  | 'invalid_phone'
  | 'landline'
  | 'foreign_phone'
  | 'failed'
  | 'held'
  | 'sending'
  | 'sent_unconfirmed'
  | 'cancelled'
  | 'same_day'
  | 'trigger_off'
  | 'not_created';

const WHYS: Readonly<Record<ReconciliationWhy, Pair>> = {
  no_phone: { vi: 'Không có số điện thoại', en: 'No phone number' },
  invalid_phone: { vi: 'Số điện thoại không hợp lệ', en: 'Invalid phone number' },
  landline: { vi: 'Số máy bàn, không nhận được SMS', en: 'Landline, cannot get SMS' },
  foreign_phone: { vi: 'Số nước ngoài, không gửi được', en: 'Foreign number, not sent' },
  failed: { vi: 'Gửi lỗi', en: 'Message failed' },
  held: { vi: 'Tin đang được giữ, chờ gửi', en: 'Message held, waiting to leave' },
  sending: { vi: 'Tin đang được gửi', en: 'Message being sent' },
  sent_unconfirmed: { vi: 'Đã gửi, chưa có báo nhận từ nhà mạng', en: 'Sent, no delivery receipt yet' },
  cancelled: { vi: 'Tin đã bị huỷ', en: 'Message cancelled' },
  same_day: { vi: 'Không gửi: thủ tục giải quyết trong ngày', en: 'Not sent: same-day procedure' },
  trigger_off: { vi: 'Không gửi: cơ quan đã tắt tin báo kết quả', en: 'Not sent: the agency turned result messages off' },
  not_created: { vi: 'Không có tin báo kết quả nào được tạo', en: 'No result message was created' },
};
export const whyLabel = (lang: WebLang, why: ReconciliationWhy) => WHYS[why][lang];

const PORTAL: Readonly<Record<number, Pair>> = {
  1: { vi: 'Mới đăng ký', en: 'Newly registered' },
  2: { vi: 'Được tiếp nhận', en: 'Accepted' },
  3: { vi: 'Không được tiếp nhận', en: 'Not accepted' },
  4: { vi: 'Đang xử lý', en: 'Processing' },
  5: { vi: 'Yêu cầu bổ sung', en: 'Supplement requested' },
  6: { vi: 'Nghĩa vụ tài chính', en: 'Financial obligation' },
  7: { vi: 'Rút hồ sơ', en: 'Withdrawn' },
  8: { vi: 'Dừng xử lý', en: 'Stopped' },
  9: { vi: 'Đã xử lý xong', en: 'Processed' },
  10: { vi: 'Đã trả kết quả', en: 'Result returned' },
};
export const portalLabel = (lang: WebLang, code: number) => PORTAL[code]?.[lang] ?? String(code);

const LOCALE: Record<WebLang, string> = { vi: 'vi-VN', en: 'en-GB' };

export function formatInt(lang: WebLang, value: number): string {
  return value.toLocaleString(LOCALE[lang], { maximumFractionDigits: 0 });
}

/** VND, always in the Vietnamese form (1.234.567 ₫) whatever the interface language. */
export function formatVnd(value: number): string {
  return new Intl.NumberFormat('vi-VN', { style: 'currency', currency: 'VND', maximumFractionDigits: 0 }).format(value);
}

export function formatPercent(lang: WebLang, ratio: number | null): string {
  if (ratio === null) return t(lang, 'none');
  return ratio.toLocaleString(LOCALE[lang], { style: 'percent', maximumFractionDigits: 1 });
}

/** 'YYYY-MM-DD' → '27/11/2026'. */
export function formatDate(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

/** An instant (epoch ms or an ISO string) as Việt Nam wall-clock time: '08:15 27/11/2026'. */
export function formatTime(instant: number | string): string {
  const iso = typeof instant === 'number' ? formatVnIso(new Date(instant)) : formatVnIso(new Date(Date.parse(instant)));
  return `${iso.slice(11, 16)} ${formatDate(iso.slice(0, 10))}`;
}

/** The `datetime` attribute of a <time> element. */
export function isoAttr(instant: number | string): string {
  return typeof instant === 'number' ? formatVnIso(new Date(instant)) : formatVnIso(new Date(Date.parse(instant)));
}
