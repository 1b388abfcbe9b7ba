/**
 * Province-wide settings kept in the database (migration 0010), edited by the administrator under
 * /cai-dat/he-thong. First of them: whom citizens contact about their personal data (the controller
 * named on /quyen-rieng-tu, Law 91/2025/QH15). Until it is set, the notice shows the server's default
 * (MOTCUA_PRIVACY_CONTACT), and without that the agency that received the dossier.
 */
import { TtlCache } from '../lib/ttl-cache.js';
import { checkPhone } from '../lib/phone/phone.js';
import { isEmailAddress } from '../lib/email.js';
import type { Db } from '../platform/db/database.js';
import { badRequest } from '../platform/errors.js';
import { CONTROL_CHARACTERS } from '../platform/http/schemas.js';
import { deleteSystemSetting, findSystemSetting, putSystemSetting } from './system-settings.repository.js';

const PRIVACY_CONTACT_KEY = 'privacy_contact';

/** How a change of the privacy contact is written to the audit log (by the page and the API alike). */
export const PRIVACY_CONTACT_AUDIT = {
  action: 'system.privacy_contact',
  entity: 'system_settings',
  entityId: PRIVACY_CONTACT_KEY,
} as const;

/** The controller of the personal data and how to reach them. */
export interface PrivacyContact {
  /** The organisation (controller) citizens write to, e.g. "Văn phòng UBND tỉnh Khánh Hoà". */
  readonly organisation: string;
  readonly address: string | null;
  readonly email: string | null;
  /** As the administrator wrote it (e.g. "0258 3822 123"): a Vietnamese mobile or landline number. */
  readonly phone: string | null;
}

export type PrivacyContactField = keyof PrivacyContact;
export const PRIVACY_CONTACT_FIELDS: readonly PrivacyContactField[] = ['organisation', 'address', 'email', 'phone'];
/** Longest value of each field, in characters. */
export const PRIVACY_CONTACT_MAX: Readonly<Record<PrivacyContactField, number>> = Object.freeze({
  organisation: 200,
  address: 300,
  email: 254,
  phone: 30,
});

/** What is wrong with a field: the screens name it in their language, the API in Vietnamese. */
export type ContactProblem = 'required' | 'tooLong' | 'badEmail' | 'badPhone' | 'needWay';

const PROBLEM_VI: Readonly<Record<ContactProblem, string>> = {
  required: 'cần nhập tên tổ chức',
  tooLong: 'quá dài hoặc có ký tự điều khiển',
  badEmail: 'địa chỉ thư điện tử không hợp lệ',
  badPhone: 'số điện thoại không hợp lệ (số di động hoặc số máy bàn Việt Nam)',
  needWay: 'cần ít nhất thư điện tử hoặc số điện thoại',
};

export type PrivacyContactInput = Partial<Record<PrivacyContactField, string | null>>;

/** The contact as given, cleaned (NFC, trimmed, empty = null), with a problem per field that has one. */
export function checkPrivacyContact(input: PrivacyContactInput): {
  contact: PrivacyContact;
  problems: Partial<Record<PrivacyContactField, ContactProblem>>;
} {
  const value = (field: PrivacyContactField) => input[field]?.normalize('NFC').trim() || null;
  const contact = { organisation: value('organisation') ?? '', address: value('address'), email: value('email'), phone: value('phone') };
  const problems: Partial<Record<PrivacyContactField, ContactProblem>> = {};
  for (const field of PRIVACY_CONTACT_FIELDS) {
    const v = contact[field];
    if (v && (v.length > PRIVACY_CONTACT_MAX[field] || CONTROL_CHARACTERS.test(v))) problems[field] = 'tooLong';
  }
  if (!contact.organisation) problems.organisation = 'required';
  if (contact.email && !problems.email && !isEmailAddress(contact.email)) problems.email = 'badEmail';
  if (contact.phone && !problems.phone) {
    const check = checkPhone(contact.phone);
    if (check.problem !== null && check.problem !== 'landline') problems.phone = 'badPhone';
  }
  if (!contact.email && !contact.phone) problems.email = 'needWay';
  return { contact, problems };
}

/** Whom the notice names: the settings, the server's default text, or nobody (the receiving agency). */
export type NoticeContact =
  | { readonly kind: 'settings'; readonly contact: PrivacyContact }
  | { readonly kind: 'default'; readonly text: string }
  | null;

export class SystemSettingsService {
  private readonly cache: TtlCache<typeof PRIVACY_CONTACT_KEY, PrivacyContact | null>;

  constructor(
    private readonly db: Db,
    /** MOTCUA_PRIVACY_CONTACT: what the notice says while no contact is set here. */
    private readonly defaultContact: string | null,
    ttlMs = 5_000,
  ) {
    this.cache = new TtlCache(ttlMs);
  }

  /** The contact set by the administrator, or null (cached a few seconds: the notice page is public). */
  privacyContact(): Promise<PrivacyContact | null> {
    return this.cache.get(PRIVACY_CONTACT_KEY, () => this.storedContact());
  }

  /** Read past the cache: what an audit row records as "before" is what the database held. */
  private async storedContact(): Promise<PrivacyContact | null> {
    const row = await findSystemSetting(this.db, PRIVACY_CONTACT_KEY);
    return row ? (JSON.parse(row.value) as PrivacyContact) : null;
  }

  /** What /quyen-rieng-tu names as the contact. */
  async noticeContact(): Promise<NoticeContact> {
    const contact = await this.privacyContact();
    if (contact) return { kind: 'settings', contact };
    return this.defaultContact ? { kind: 'default', text: this.defaultContact } : null;
  }

  /** The server's default, shown on the settings page while nothing is set. */
  get privacyContactDefault(): string | null {
    return this.defaultContact;
  }

  /** Saves the contact (400 INVALID_SETTINGS naming the first bad field); returns what was there before. */
  async putPrivacyContact(input: PrivacyContactInput, now: number): Promise<{ before: PrivacyContact | null; after: PrivacyContact }> {
    const { contact, problems } = checkPrivacyContact(input);
    const first = PRIVACY_CONTACT_FIELDS.find((f) => problems[f] !== undefined);
    if (first) throw badRequest('INVALID_SETTINGS', `${first}: ${PROBLEM_VI[problems[first]!]}.`, { field: first, problems });
    const before = await this.storedContact();
    await putSystemSetting(this.db, { key: PRIVACY_CONTACT_KEY, value: JSON.stringify(contact), now });
    this.cache.delete(PRIVACY_CONTACT_KEY);
    return { before, after: contact };
  }

  /** Removes the contact: the notice goes back to the server's default. Returns what was there. */
  async clearPrivacyContact(): Promise<PrivacyContact | null> {
    const before = await this.storedContact();
    await deleteSystemSetting(this.db, PRIVACY_CONTACT_KEY);
    this.cache.delete(PRIVACY_CONTACT_KEY);
    return before;
  }
}
