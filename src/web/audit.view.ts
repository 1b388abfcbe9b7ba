/**
 * The audit log as people read it (issue 15 item 6): each action, object and field named in the page's
 * language, and before/after as the fields that changed, one per line, with values in words (Có/Không,
 * dates, roles, states) — never the stored JSON and its English keys.
 */
import { resolveSettings, type AgencySettingsInput } from '../reference/agency.settings.js';
import { DEFAULT_TRIGGERS } from '../messages/catalogue.js';
import { html, type SafeHtml } from './html.js';
import { EVENT_LABELS, formatDateTime, KIND_LABELS, label, processingTimeText, STATE_LABELS } from './format.js';
import { texts } from './i18n/catalogue.js';
import { channelLabel, returnMethodLabel } from './reports/i18n.js';
import type { WebLang } from './web.types.js';

type Labels = Readonly<Record<string, Record<WebLang, string>>>;

const ACTIONS: Labels = {
  'agency.settings': { vi: 'Sửa cài đặt cơ quan', en: 'Agency settings changed' },
  'agency.template': { vi: 'Sửa mẫu tin nhắn', en: 'Message template changed' },
  'agency.template_reset': { vi: 'Khôi phục mẫu tin mặc định', en: 'Message template reset' },
  'procedure.create': { vi: 'Thêm thủ tục', en: 'Procedure added' },
  'procedure.update': { vi: 'Sửa thủ tục', en: 'Procedure changed' },
  'calendar.put': { vi: 'Ghi ngày vào lịch làm việc', en: 'Calendar day saved' },
  'calendar.remove': { vi: 'Xoá ngày khỏi lịch làm việc', en: 'Calendar day removed' },
  'token.create': { vi: 'Tạo mã truy cập', en: 'API token created' },
  'token.revoke': { vi: 'Thu hồi mã truy cập', en: 'API token revoked' },
  'dossier.read': { vi: 'Xem hồ sơ', en: 'Dossier viewed' },
  'dossier.intake': { vi: 'Tiếp nhận hồ sơ', en: 'Dossier received' },
  'dossier.undo': { vi: 'Hoàn tác thao tác trên hồ sơ', en: 'Dossier action undone' },
  'user.create': { vi: 'Tạo tài khoản', en: 'Account created' },
  'user.update': { vi: 'Sửa tài khoản', en: 'Account changed' },
  'user.password_reset': { vi: 'Đặt lại mật khẩu', en: 'Password reset' },
  'user.disable': { vi: 'Khoá tài khoản', en: 'Account disabled' },
  'user.enable': { vi: 'Mở khoá tài khoản', en: 'Account enabled' },
  'login_lock.clear': { vi: 'Gỡ khoá đăng nhập', en: 'Login lock cleared' },
  'login_lock.clear_user': { vi: 'Gỡ mọi khoá đăng nhập của tài khoản', en: "Account's login locks cleared" },
  'privacy.export': { vi: 'Xuất dữ liệu cá nhân của một số điện thoại', en: 'Personal data exported' },
  'privacy.erase': { vi: 'Xoá dữ liệu cá nhân của một số điện thoại', en: 'Personal data erased' },
  'privacy.retention': { vi: 'Xoá dữ liệu cá nhân hết thời hạn lưu', en: 'Retention run' },
};

const ENTITIES: Labels = {
  agency: { vi: 'Cơ quan', en: 'Agency' },
  procedure: { vi: 'Thủ tục', en: 'Procedure' },
  calendar_day: { vi: 'Ngày trong lịch', en: 'Calendar day' },
  api_token: { vi: 'Mã truy cập', en: 'API token' },
  dossier: { vi: 'Hồ sơ', en: 'Dossier' },
  user: { vi: 'Tài khoản', en: 'Account' },
  login_lock: { vi: 'Khoá đăng nhập', en: 'Login lock' },
  'data-subject': { vi: 'Số điện thoại (chủ thể dữ liệu)', en: 'Phone number (data subject)' },
  privacy: { vi: 'Dữ liệu cá nhân', en: 'Personal data' },
};

/** Who did it, when it was not a person's account. */
const ACTORS: Labels = {
  cli: { vi: 'Dòng lệnh trên máy chủ', en: 'Server command line' },
  system: { vi: 'Hệ thống (tự động)', en: 'System (automatic)' },
};

const FIELDS: Labels = {
  name: { vi: 'Tên', en: 'Name' },
  holdSeconds: { vi: 'Thời gian chờ trước khi gửi', en: 'Hold before sending' },
  quietHours: { vi: 'Không gửi tin ban đêm', en: 'Quiet hours' },
  smsEncoding: { vi: 'Kiểu tin nhắn', en: 'Message encoding' },
  notifySameDay: { vi: 'Gửi tin cho thủ tục trong ngày', en: 'Notify same-day procedures' },
  resultStepName: { vi: 'Tên bước trả kết quả', en: 'Result step name' },
  officeHours: { vi: 'Giờ làm việc', en: 'Office hours' },
  overdueWarningHours: { vi: 'Cảnh báo sắp trễ hẹn trước', en: 'Overdue warning ahead' },
  supplementRule: { vi: 'Khi bổ sung hồ sơ', en: 'On supplement' },
  emailAlso: { vi: 'Gửi thêm thư điện tử', en: 'E-mail too' },
  statusCallbackUrl: { vi: 'Địa chỉ nhận trạng thái tin', en: 'Status callback address' },
  receiptPrefixes: { vi: 'Tiền tố mã biên nhận', en: 'Receipt prefixes' },
  channels: { vi: 'Kênh gửi', en: 'Channels' },
  hotline: { vi: 'Đường dây nóng', en: 'Hotline' },
  address: { vi: 'Địa chỉ Bộ phận một cửa', en: 'Desk address' },
  province: { vi: 'Tỉnh, thành phố', en: 'Province' },
  template: { vi: 'Nội dung mẫu', en: 'Template' },
  kind: { vi: 'Loại', en: 'Kind' },
  code: { vi: 'Mã', en: 'Code' },
  agencyCode: { vi: 'Cơ quan', en: 'Agency' },
  procedureCode: { vi: 'Thủ tục', en: 'Procedure' },
  processingDays: { vi: 'Thời hạn giải quyết', en: 'Processing time' },
  dayKind: { vi: 'Loại ngày', en: 'Day kind' },
  date: { vi: 'Ngày', en: 'Date' },
  role: { vi: 'Vai trò', en: 'Role' },
  label: { vi: 'Ghi chú', en: 'Label' },
  revoked: { vi: 'Đã thu hồi', en: 'Revoked' },
  state: { vi: 'Trạng thái', en: 'State' },
  step: { vi: 'Bước xử lý', en: 'Step' },
  dueAt: { vi: 'Hẹn trả', en: 'Due' },
  returnMethod: { vi: 'Cách trả kết quả', en: 'Return method' },
  heldMessages: { vi: 'Tin đang giữ', en: 'Held messages' },
  cancelledMessages: { vi: 'Tin đã huỷ', en: 'Cancelled messages' },
  username: { vi: 'Tên đăng nhập', en: 'Username' },
  displayName: { vi: 'Họ tên', en: 'Display name' },
  lang: { vi: 'Ngôn ngữ', en: 'Language' },
  disabled: { vi: 'Bị khoá', en: 'Disabled' },
  passwordChanged: { vi: 'Đã đổi mật khẩu', en: 'Password changed' },
  loginLocksCleared: { vi: 'Khoá đăng nhập đã gỡ', en: 'Login locks cleared' },
  locks: { vi: 'Khoá đăng nhập', en: 'Login locks' },
  scope: { vi: 'Phạm vi', en: 'Scope' },
  ip: { vi: 'Địa chỉ máy', en: 'Address' },
  failures: { vi: 'Số lần sai', en: 'Failures' },
  blockedUntil: { vi: 'Khoá đến', en: 'Blocked until' },
  dossiers: { vi: 'Hồ sơ', en: 'Dossiers' },
  notifications: { vi: 'Tin nhắn', en: 'Messages' },
  inbound: { vi: 'Tin tra cứu đến', en: 'Look-ups' },
  statusCallbacks: { vi: 'Báo trạng thái cho cơ quan', en: 'Status callbacks' },
  loginAttempts: { vi: 'Lần đăng nhập', en: 'Login attempts' },
  sessions: { vi: 'Phiên làm việc', en: 'Sessions' },
  auditAddresses: { vi: 'Địa chỉ máy trong nhật ký', en: 'Audit addresses' },
  asOf: { vi: 'Tính đến', en: 'As of' },
  counts: { vi: 'Số bản ghi', en: 'Counts' },
  reason: { vi: 'Lý do', en: 'Reason' },
  keptOpen: { vi: 'Hồ sơ còn mở (giữ lại)', en: 'Kept open' },
  triggers: { vi: 'Tin tự động', en: 'Automatic message' },
  templates: { vi: 'Mẫu tin', en: 'Template' },
};

const VALUES: Readonly<Record<string, Labels>> = {
  smsEncoding: { ascii: { vi: 'Không dấu', en: 'Without marks' }, unicode: { vi: 'Có dấu (Unicode)', en: 'With marks (Unicode)' } },
  supplementRule: {
    pause: { vi: 'Tạm dừng thời hạn', en: 'Pause the clock' },
    restart: { vi: 'Tính lại từ đầu', en: 'Restart the clock' },
  },
  dayKind: {
    working: { vi: 'Ngày làm việc', en: 'Working days' },
    calendar: { vi: 'Ngày theo lịch', en: 'Calendar days' },
  },
  lang: { vi: { vi: 'Tiếng Việt', en: 'Vietnamese' }, en: { vi: 'Tiếng Anh', en: 'English' } },
  scope: {
    pair: { vi: 'Tài khoản, từ một địa chỉ', en: 'Account from one address' },
    ip: { vi: 'Một địa chỉ, mọi tài khoản', en: 'One address, any account' },
    user: { vi: 'Tài khoản, mọi địa chỉ', en: 'Account, any address' },
  },
};

export const auditActionLabel = (action: string, lang: WebLang) =>
  ACTIONS[action]?.[lang] ??
  (action.startsWith('dossier.') && EVENT_LABELS[action.slice(8)]
    ? `${texts(lang).audit.deskAction}: ${label(EVENT_LABELS, action.slice(8), lang)}`
    : action);
export const auditEntityLabel = (entity: string, lang: WebLang) => label(ENTITIES, entity, lang);
export const auditActorLabel = (username: string, lang: WebLang) => ACTORS[username]?.[lang] ?? username;

/** The JSON of one side, with an agency's stored settings resolved (defaults filled in) so both sides compare. */
function parse(jsonText: string | null, entity: string): Record<string, unknown> | null {
  if (jsonText === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(jsonText);
  } catch {
    return { '': jsonText };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { '': value };
  const record = value as Record<string, unknown>;
  if (entity === 'agency' && record.settings && typeof record.settings === 'object') {
    const { settings, ...rest } = record;
    const resolved = resolveSettings(settings as AgencySettingsInput);
    // A message not switched either way is at its default, as the planner reads it.
    return { ...rest, ...resolved, triggers: { ...DEFAULT_TRIGGERS, ...resolved.triggers } };
  }
  return record;
}

/** Flattens nested objects into paths; arrays and {start, end} pairs stay whole. */
function flatten(value: Record<string, unknown>, prefix = '', into = new Map<string, unknown>()): Map<string, unknown> {
  for (const [key, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (v && typeof v === 'object' && !Array.isArray(v) && !('start' in v && 'end' in v)) flatten(v as Record<string, unknown>, path, into);
    else into.set(path, v);
  }
  return into;
}

function fieldLabel(path: string, entity: string, lang: WebLang): string {
  const [head = '', tail] = path.split(/\.(.*)/s);
  if (tail !== undefined && (head === 'templates' || head === 'triggers' || head === 'counts'))
    return `${label(FIELDS, head, lang)}: ${head === 'counts' ? label(FIELDS, tail, lang) : label(KIND_LABELS, tail, lang)}`;
  if (entity === 'api_token' && path === 'agencyCode') return label(FIELDS, 'agencyCode', lang);
  const last = path.split('.').at(-1) ?? path;
  return label(FIELDS, last, lang);
}

function valueText(path: string, value: unknown, entity: string, lang: WebLang): string {
  const t = texts(lang);
  const key = path.split('.').at(-1) ?? path;
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? t.audit.yes : t.audit.no;
  if (Array.isArray(value)) {
    if (value.length === 0) return '—';
    return value
      .map((v) => (v && typeof v === 'object' ? objectText(v as Record<string, unknown>, lang) : valueText(path, v, entity, lang)))
      .join('; ');
  }
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('start' in v && 'end' in v) return `${String(v.start)}–${String(v.end)}`;
    return objectText(v, lang);
  }
  if (key === 'role') {
    // The same roles are named as the token and account pages name them.
    const roles: Readonly<Record<string, string>> = entity === 'api_token' ? t.system.roles : t.roles;
    return roles[String(value)] ?? String(value);
  }
  if (key === 'returnMethod') return returnMethodLabel(lang, String(value));
  if (key === 'channels') return channelLabel(lang, String(value));
  if (key === 'state') return label(STATE_LABELS, String(value), lang);
  if (key === 'kind' && entity === 'agency') return label(KIND_LABELS, String(value), lang);
  if (key === 'kind' && entity === 'calendar_day')
    return value === 'holiday' ? t.system.holiday : value === 'workday' ? t.system.workday : String(value);
  if (VALUES[key]) return label(VALUES[key], String(value), lang);
  if (key === 'holdSeconds') return t.audit.seconds(Number(value));
  if (key === 'overdueWarningHours') return t.audit.hours(Number(value));
  if (key === 'processingDays') return processingTimeText(Number(value), lang);
  if (
    (key === 'dueAt' || key === 'blockedUntil' || key === 'asOf') &&
    (typeof value === 'number' || /^\d{4}-\d{2}-\d{2}T/.test(String(value)))
  )
    return formatDateTime(value as number | string);
  if (key === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(String(value))) return String(value).split('-').reverse().join('/');
  return String(value);
}

function objectText(value: Record<string, unknown>, lang: WebLang): string {
  return Object.entries(value)
    .map(([k, v]) => `${label(FIELDS, k, lang)}: ${valueText(k, v, '', lang)}`)
    .join(', ');
}

/**
 * The before and after cells of one entry: for a change, only the fields that differ; for a creation
 * or a removal, every field of the side there is.
 */
export function auditChanges(
  entry: { entity: string; beforeJson: string | null; afterJson: string | null },
  lang: WebLang,
): { before: SafeHtml; after: SafeHtml } {
  const before = parse(entry.beforeJson, entry.entity);
  const after = parse(entry.afterJson, entry.entity);
  const b = before ? flatten(before) : new Map<string, unknown>();
  const a = after ? flatten(after) : new Map<string, unknown>();
  const paths = [...new Set([...b.keys(), ...a.keys()])];
  const changed = before && after ? paths.filter((p) => JSON.stringify(b.get(p)) !== JSON.stringify(a.get(p))) : paths;
  const list = (side: Map<string, unknown> | null) =>
    side === null || changed.length === 0
      ? html`<span class="hint">—</span>`
      : html`<dl class="changes">${changed
          .filter((p) => side.has(p) || (before && after))
          .map(
            (p) =>
              html`<dt>${p === '' ? '' : fieldLabel(p, entry.entity, lang)}</dt><dd>${valueText(p, side.get(p), entry.entity, lang)}</dd>`,
          )}</dl>`;
  return { before: list(before ? b : null), after: list(after ? a : null) };
}
