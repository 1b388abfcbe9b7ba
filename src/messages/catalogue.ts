/**
 * Every kind of message, once: whether agencies switch it on (and its default), whether it waits for
 * the hold, in which dossier states a pending one still makes sense, its templates (the seeds' texts
 * and Khánh Hòa's 2019 scenarios) with the placeholders each may use, and how people name it.
 * Rules, templates, settings screens, the message log and the API's lists are all derived from here.
 */
import type { DossierState } from '../dossiers/dossier.state-machine.js';
import type { TemplateVar } from '../lib/sms-text/template.js';

export interface Label {
  readonly vi: string;
  readonly en: string;
}

export interface TemplateEntry {
  /** The default text, with the seeds' own placeholders. */
  readonly text: string;
  /** Variables this template may use. */
  readonly placeholders: readonly TemplateVar[];
  /** How the settings screen names this template. */
  readonly label: Label;
}

export interface KindEntry {
  readonly label: Label;
  /** Agencies switch the kind on or off, starting from this; null: not an agency's trigger (look-up replies). */
  readonly defaultOn: boolean | null;
  /** Waits `holdSeconds`, so a wrong button can be corrected before anything leaves. */
  readonly held: boolean;
  /** Ends with the short link to the privacy notice when the agency asks for it (`privacyLink`): every
   *  message we start to a citizen; not a paid look-up reply, which must stay one segment. */
  readonly privacyLink: boolean;
  /** A pending message of this kind is cancelled once the dossier is in none of these states; null: never. */
  readonly validStates: readonly DossierState[] | null;
  readonly templates: Readonly<Record<string, TemplateEntry>>;
}

/** What every message about a known dossier may mention (never the applicant's name or phone). */
const DOSSIER_VARS: readonly TemplateVar[] = [
  'receiptCode',
  'agencyName',
  'procedureName',
  'dueDate',
  'dueTime',
  'step',
  'statusText',
  'lookupSyntax',
  'shortCode',
];
/** Replies about no known dossier: only the look-up syntax. */
const REPLY_VARS: readonly TemplateVar[] = ['lookupSyntax', 'shortCode'];
const OPEN: readonly DossierState[] = ['received', 'in_progress'];

const dossierTemplate = (text: string, label: Label, placeholders: readonly TemplateVar[] = DOSSIER_VARS): TemplateEntry => ({
  text,
  placeholders,
  label,
});

export const CATALOGUE = {
  result_ready: {
    label: { vi: 'Có kết quả', en: 'Result ready' },
    defaultOn: true,
    held: true,
    privacyLink: true,
    validStates: ['result_ready'],
    templates: {
      result_ready: dossierTemplate(
        'TB: Hồ sơ của quý ông/bà (MS: {Mã số biên nhận}) đã được giải quyết xong. Mời ông/bà đến Bộ phận Một cửa {Tên cơ quan} để nhận kết quả.',
        { vi: 'Có kết quả (nhận tại Một cửa)', en: 'Result ready (at the counter)' },
      ),
      result_ready_postal: dossierTemplate(
        'TB: Hồ sơ của quý ông/bà (MS: {Mã số biên nhận}) đã được giải quyết xong. Kết quả đang được {Tên cơ quan} gửi qua dịch vụ bưu chính công ích đến địa chỉ của ông/bà.',
        { vi: 'Có kết quả (gửi bưu chính)', en: 'Result ready (by post)' },
      ),
      result_ready_online: dossierTemplate(
        'TB: Hồ sơ của quý ông/bà (MS: {Mã số biên nhận}) đã được giải quyết xong. Kết quả đã được {Tên cơ quan} trả trực tuyến qua Cổng dịch vụ công.',
        { vi: 'Có kết quả (trả trực tuyến)', en: 'Result ready (online)' },
      ),
    },
  },
  supplement_required: {
    label: { vi: 'Cần bổ sung', en: 'Supplement needed' },
    defaultOn: true,
    held: true,
    privacyLink: true,
    validStates: ['awaiting_supplement'],
    templates: {
      supplement_required: dossierTemplate(
        'TB: Hồ sơ của quý ông/bà (MS: {Mã số biên nhận}) cần bổ sung theo quy định. Mời ông/bà đến Bộ phận Một cửa {Tên cơ quan} để nhận thông báo.',
        { vi: 'Yêu cầu bổ sung', en: 'Supplement required' },
      ),
    },
  },
  apology: {
    label: { vi: 'Xin lỗi trễ hẹn', en: 'Apology' },
    defaultOn: true,
    held: false,
    privacyLink: true,
    validStates: OPEN,
    templates: {
      apology: dossierTemplate(
        'TB: Hồ sơ của quý ông/bà (MS: {Mã số biên nhận}) chưa có kết quả vào ngày {Ngày hẹn trả}. Ông/bà có thể đến Bộ phận Một cửa {Tên cơ quan} nhận Thông báo xin lỗi, hẹn lại thời gian trả kết quả hoặc đến nhận kết quả khi có tin nhắn tiếp theo.',
        { vi: 'Xin lỗi trễ hẹn (17:30)', en: 'Apology (17:30)' },
      ),
    },
  },
  // A paid look-up gets one SMS back: these texts leave room for a 64-character receipt code, and the
  // inbound side cuts a long step or agency name with an ellipsis (inbound/lookup.reply.ts).
  lookup_reply: {
    label: { vi: 'Trả lời tra cứu', en: 'Look-up reply' },
    defaultOn: null,
    held: false,
    privacyLink: false,
    validStates: null,
    templates: {
      lookup_reply: dossierTemplate('Hồ sơ {Mã số biên nhận} đang ở bước {Tên bước giải quyết hiện tại}, trạng thái: {Đúng hạn/Trễ hạn}.', {
        vi: 'Trả lời tra cứu',
        en: 'Look-up reply',
      }),
      lookup_finished: dossierTemplate('Hồ sơ {Mã số biên nhận} đã có kết quả tại {Tên cơ quan}, trạng thái: {Đúng hạn/Trễ hạn}.', {
        vi: 'Trả lời tra cứu: đã có kết quả',
        en: 'Look-up reply: finished',
      }),
      lookup_returned: dossierTemplate(
        'Hồ sơ {Mã số biên nhận} đã được trả kết quả ngày {Ngày trả}.',
        { vi: 'Trả lời tra cứu: đã trả kết quả', en: 'Look-up reply: returned' },
        [...DOSSIER_VARS, 'returnedDate'],
      ),
      lookup_not_found: {
        text: 'Không tìm thấy hồ sơ {Mã số biên nhận}. Xem lại mã số trên giấy hẹn. Cú pháp: {Cú pháp tra cứu}',
        placeholders: ['receiptCode', ...REPLY_VARS],
        label: { vi: 'Trả lời tra cứu: không tìm thấy', en: 'Look-up reply: not found' },
      },
      lookup_bad_syntax: {
        text: 'Sai cú pháp. Để tra cứu hồ sơ, soạn: {Cú pháp tra cứu}',
        placeholders: REPLY_VARS,
        label: { vi: 'Trả lời tra cứu: sai cú pháp', en: 'Look-up reply: bad syntax' },
      },
      lookup_rate_limited: {
        text: 'Số điện thoại này đã tra cứu quá nhiều lần. Vui lòng thử lại sau 1 giờ.',
        placeholders: REPLY_VARS,
        label: { vi: 'Trả lời tra cứu: quá nhiều lần', en: 'Look-up reply: rate limited' },
      },
    },
  },
  received_online: {
    label: { vi: 'Tiếp nhận trực tuyến', en: 'Received online' },
    defaultOn: false,
    held: false,
    privacyLink: true,
    validStates: null,
    templates: {
      received_online: dossierTemplate(
        'TB: {Tên cơ quan} đã tiếp nhận hồ sơ trực tuyến của quý ông/bà (MS: {Mã số biên nhận}), ngày hẹn trả kết quả: {Ngày hẹn trả}.',
        { vi: 'Đã tiếp nhận hồ sơ trực tuyến', en: 'Received online' },
      ),
    },
  },
  received_postal: {
    label: { vi: 'Tiếp nhận qua bưu chính', en: 'Received by post' },
    defaultOn: false,
    held: false,
    privacyLink: true,
    validStates: null,
    templates: {
      received_postal: dossierTemplate(
        'TB: {Tên cơ quan} đã tiếp nhận hồ sơ gửi qua dịch vụ bưu chính công ích của quý ông/bà (MS: {Mã số biên nhận}), ngày hẹn trả kết quả: {Ngày hẹn trả}.',
        { vi: 'Đã tiếp nhận hồ sơ qua bưu chính', en: 'Received by post' },
      ),
    },
  },
  clock_stopped: {
    label: { vi: 'Tạm dừng tính thời gian', en: 'Clock stopped' },
    defaultOn: false,
    held: true,
    privacyLink: true,
    validStates: ['awaiting_supplement'],
    templates: {
      clock_stopped: dossierTemplate(
        'TB: Hồ sơ (MS: {Mã số biên nhận}) tạm dừng tính thời gian giải quyết để chờ bổ sung. Mời ông/bà bổ sung hồ sơ theo thông báo của {Tên cơ quan}.',
        { vi: 'Tạm dừng tính thời gian', en: 'Clock stopped' },
      ),
    },
  },
  clock_resumed: {
    label: { vi: 'Tiếp tục tính thời gian', en: 'Clock resumed' },
    defaultOn: false,
    held: false,
    privacyLink: true,
    validStates: OPEN,
    templates: {
      clock_resumed: dossierTemplate(
        'TB: {Tên cơ quan} đã nhận đủ hồ sơ bổ sung (MS: {Mã số biên nhận}) và tiếp tục giải quyết. Ngày hẹn trả kết quả mới: {Ngày hẹn trả}.',
        { vi: 'Tiếp tục giải quyết', en: 'Clock resumed' },
      ),
    },
  },
  refused: {
    label: { vi: 'Từ chối giải quyết', en: 'Refused' },
    defaultOn: false,
    held: true,
    privacyLink: true,
    validStates: ['refused'],
    templates: {
      refused: dossierTemplate(
        'TB: Hồ sơ (MS: {Mã số biên nhận}) không đủ điều kiện giải quyết. Mời ông/bà đến Bộ phận Một cửa {Tên cơ quan} để nhận văn bản trả lời.',
        { vi: 'Không đủ điều kiện giải quyết', en: 'Refused' },
      ),
    },
  },
  withdrawn: {
    label: { vi: 'Rút hồ sơ', en: 'Withdrawn' },
    defaultOn: false,
    held: true,
    privacyLink: true,
    validStates: ['withdrawn'],
    templates: {
      withdrawn: dossierTemplate(
        'TB: Hồ sơ (MS: {Mã số biên nhận}) đã được rút theo đề nghị của quý ông/bà; {Tên cơ quan} dừng giải quyết hồ sơ này.',
        { vi: 'Rút hồ sơ', en: 'Withdrawn' },
      ),
    },
  },
  overdue_warning: {
    label: { vi: 'Cảnh báo sắp trễ hạn', en: 'Overdue warning' },
    defaultOn: false,
    held: false,
    privacyLink: true,
    validStates: OPEN,
    templates: {
      overdue_warning: dossierTemplate(
        'TB: Hồ sơ (MS: {Mã số biên nhận}) có thể chưa có kết quả đúng hẹn {Giờ hẹn trả} ngày {Ngày hẹn trả}. {Tên cơ quan} xin lỗi quý ông/bà.',
        { vi: 'Cảnh báo sắp trễ hẹn', en: 'Overdue warning' },
      ),
    },
  },
} as const satisfies Readonly<Record<string, KindEntry>>;

export type NotificationKind = keyof typeof CATALOGUE;
export const NOTIFICATION_KINDS = Object.keys(CATALOGUE) as NotificationKind[];

type Catalogue = typeof CATALOGUE;
export type TriggerKind = { [K in NotificationKind]: Catalogue[K]['defaultOn'] extends boolean ? K : never }[NotificationKind];
export type TemplateKind = { [K in NotificationKind]: keyof Catalogue[K]['templates'] & string }[NotificationKind];

const entries = Object.entries(CATALOGUE) as Array<[NotificationKind, KindEntry]>;

/** Kinds an agency switches on or off, with the default: the seeds' three messages on, the rest off. */
export const DEFAULT_TRIGGERS = Object.freeze(
  Object.fromEntries(entries.filter(([, entry]) => entry.defaultOn !== null).map(([kind, entry]) => [kind, entry.defaultOn])),
) as Readonly<Record<TriggerKind, boolean>>;
export const TRIGGER_KINDS = Object.keys(DEFAULT_TRIGGERS) as TriggerKind[];

const templateEntries = entries.flatMap(([kind, entry]) =>
  Object.entries(entry.templates).map(([template, t]) => ({ kind, template: template as TemplateKind, entry: t, kindEntry: entry })),
);

export const TEMPLATE_KINDS: readonly TemplateKind[] = templateEntries.map((t) => t.template);
/** The kind of message each template writes (`result_ready_postal` is a `result_ready`). */
export const TEMPLATE_MESSAGE_KINDS = Object.freeze(Object.fromEntries(templateEntries.map((t) => [t.template, t.kind]))) as Readonly<
  Record<TemplateKind, NotificationKind>
>;
export const DEFAULT_TEMPLATES = Object.freeze(Object.fromEntries(templateEntries.map((t) => [t.template, t.entry.text]))) as Readonly<
  Record<TemplateKind, string>
>;
export const ALLOWED_PLACEHOLDERS = Object.freeze(
  Object.fromEntries(templateEntries.map((t) => [t.template, t.entry.placeholders])),
) as Readonly<Record<TemplateKind, readonly TemplateVar[]>>;
/** Templates of kinds that exist (Khánh Hòa's 2019 scenarios) but are off until an agency turns them on. */
export const OPTIONAL_TEMPLATE_KINDS: readonly TemplateKind[] = templateEntries
  .filter((t) => t.kindEntry.defaultOn === false)
  .map((t) => t.template);

/** How people name each kind of message as stored (a postal result is still `result_ready`). */
export const NOTIFICATION_KIND_LABELS = Object.freeze(Object.fromEntries(entries.map(([kind, entry]) => [kind, entry.label]))) as Readonly<
  Record<NotificationKind, Label>
>;
/** How the settings screen names each template (the result message has a variant per return method). */
export const TEMPLATE_LABELS = Object.freeze(Object.fromEntries(templateEntries.map((t) => [t.template, t.entry.label]))) as Readonly<
  Record<TemplateKind, Label>
>;

export function isNotificationKind(kind: string): kind is NotificationKind {
  return Object.hasOwn(CATALOGUE, kind);
}

export function isTemplateKind(kind: string): kind is TemplateKind {
  return Object.hasOwn(DEFAULT_TEMPLATES, kind);
}

export function kindEntry(kind: NotificationKind): KindEntry {
  return CATALOGUE[kind];
}
