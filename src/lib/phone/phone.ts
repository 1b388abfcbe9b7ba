/**
 * Checking and normalising the applicant's mobile number that a clerk types at
 * intake (Bộ phận Một cửa). Pure: no I/O.
 *
 * The result tells the caller whether the number can receive an SMS
 * (`problem === null`), its E.164 form and a carrier hint.
 *
 * The carrier is a HINT ONLY. Mobile number portability ("chuyển mạng giữ số")
 * has been available in Việt Nam since 2021, so the prefix no longer proves
 * which network a subscriber is on. Never route or bill on it.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';

export type Carrier = 'viettel' | 'vinaphone' | 'mobifone' | 'vietnamobile' | 'gmobile' | 'itelecom' | 'reddi';

export type PhoneProblem = 'missing' | 'invalid' | 'landline' | 'foreign';

export interface PhoneCheck {
  /** The value exactly as given (null for null/undefined). */
  input: string | null;
  /**
   * `+84` + 9 digits for Vietnamese mobiles; `+842…` for landlines; the
   * normalised international number for foreign numbers when it parses;
   * otherwise null.
   */
  e164: string | null;
  /** Carrier by prefix — a hint only (number portability since 2021). Null unless a Vietnamese mobile. */
  carrier: Carrier | null;
  /** Null when the number can receive SMS. */
  problem: PhoneProblem | null;
  /** True when an old (pre-2018) 11-digit mobile prefix was converted to the current one. */
  converted: boolean;
}

export const CARRIER_NAMES: Record<Carrier, string> = {
  viettel: 'Viettel',
  vinaphone: 'VinaPhone',
  mobifone: 'MobiFone',
  vietnamobile: 'Vietnamobile',
  gmobile: 'Gmobile',
  itelecom: 'Itelecom',
  reddi: 'Reddi',
};

/**
 * Current mobile prefixes, keyed by the two digits that follow the trunk `0`
 * (i.e. the first two digits of the 9-digit national significant number).
 */
const MOBILE_PREFIXES: Readonly<Record<string, Carrier>> = {
  // Viettel 086, 096, 097, 098, 032–039
  '86': 'viettel',
  '96': 'viettel',
  '97': 'viettel',
  '98': 'viettel',
  '32': 'viettel',
  '33': 'viettel',
  '34': 'viettel',
  '35': 'viettel',
  '36': 'viettel',
  '37': 'viettel',
  '38': 'viettel',
  '39': 'viettel',
  // VinaPhone 088, 091, 094, 081–085
  '88': 'vinaphone',
  '91': 'vinaphone',
  '94': 'vinaphone',
  '81': 'vinaphone',
  '82': 'vinaphone',
  '83': 'vinaphone',
  '84': 'vinaphone',
  '85': 'vinaphone',
  // MobiFone 089, 090, 093, 070, 076–079
  '89': 'mobifone',
  '90': 'mobifone',
  '93': 'mobifone',
  '70': 'mobifone',
  '76': 'mobifone',
  '77': 'mobifone',
  '78': 'mobifone',
  '79': 'mobifone',
  // Vietnamobile 092, 052, 056, 058
  '92': 'vietnamobile',
  '52': 'vietnamobile',
  '56': 'vietnamobile',
  '58': 'vietnamobile',
  // Gmobile 099, 059
  '99': 'gmobile',
  '59': 'gmobile',
  // Itelecom 087
  '87': 'itelecom',
  // Reddi 055
  '55': 'reddi',
};

/**
 * The 2018 conversion of 11-digit mobile numbers: old three digits after the
 * trunk `0` (e.g. `168` of 0168…) → new two digits (e.g. `38` of 038…).
 */
const OLD_MOBILE_PREFIXES: Readonly<Record<string, string>> = {
  // Viettel
  '162': '32',
  '163': '33',
  '164': '34',
  '165': '35',
  '166': '36',
  '167': '37',
  '168': '38',
  '169': '39',
  // VinaPhone
  '123': '83',
  '124': '84',
  '125': '85',
  '127': '81',
  '129': '82',
  // MobiFone
  '120': '70',
  '121': '79',
  '122': '77',
  '126': '76',
  '128': '78',
  // Vietnamobile
  '186': '56',
  '188': '58',
  // Gmobile
  '199': '59',
};

/** Anything longer than this is not a phone number someone typed. */
const MAX_INPUT_LENGTH = 64;

/** Invisible characters that come along with copy-paste (zero-width, BOM, bidi marks). */
const INVISIBLE = /[\u200B-\u200F\u2060\uFEFF]/g;
/** Dash-like characters NFKC leaves alone (hyphen, non-breaking hyphen, figure/en/em dash, minus). */
const DASHES = /[\u2010-\u2015\u2212]/g;
/** What may separate groups of digits. */
const SEPARATORS = /[\s.\-()/]/g;

function result(
  input: string | null,
  problem: PhoneProblem | null,
  e164: string | null = null,
  carrier: Carrier | null = null,
  converted = false,
): PhoneCheck {
  return { input, e164, carrier, problem, converted };
}

/**
 * Check and normalise a phone number as typed by a clerk.
 *
 * Accepts spaces, dots, dashes, brackets and slashes between groups; a leading
 * `+84`, `(+84)`, `84`, `0084`, `tel:`, the trunk `0`, or no prefix at all for
 * exactly 9 digits of a mobile prefix (`912345678`); full-width digits (NFKC).
 * Old 11-digit mobile numbers (0168…, +84 168…) are converted to the current
 * 10-digit form and flagged with `converted: true`.
 */
export function checkPhone(input: string | null | undefined): PhoneCheck {
  const raw = input ?? null;
  if (raw === null) return result(null, 'missing');

  let s = raw.normalize('NFKC').replace(INVISIBLE, '').trim();
  if (s === '') return result(raw, 'missing');
  if (s.length > MAX_INPUT_LENGTH) return result(raw, 'invalid');

  s = s.replace(/^tel:/i, '').replace(DASHES, '-').replace(SEPARATORS, '');
  // Only digits and at most one leading '+' may remain: letters, emoji,
  // commas, quotes, a '+' in the middle… are all invalid.
  if (!/^\+?\d+$/.test(s)) return result(raw, 'invalid');

  let international: string | null = null; // digits after '+' / '00'
  if (s.startsWith('+')) international = s.slice(1);
  else if (s.startsWith('00')) international = s.slice(2);

  let nsn: string; // national significant number (no trunk 0, no country code)
  if (international !== null) {
    if (!international.startsWith('84')) return foreign(raw, international);
    // '+84 (0) 912…' — drop a trunk 0 typed after the country code.
    nsn = international.slice(2).replace(/^0/, '');
  } else if (s.startsWith('0')) {
    nsn = s.slice(1);
  } else if (s.startsWith('84') && s.length >= 11) {
    // '84912345678', '841681234567', '84 0912 345 678'. Shorter forms starting
    // with 84 are national numbers without their 0 (e.g. '84xxxxxxx' = 084…).
    nsn = s.slice(2).replace(/^0/, '');
  } else if (s.length === 9 && MOBILE_PREFIXES[s.slice(0, 2)] !== undefined) {
    // Mobile number typed without its leading 0.
    nsn = s;
  } else {
    return result(raw, 'invalid');
  }

  return national(raw, nsn);
}

/** Classify a Vietnamese national significant number (digits only, no trunk 0). */
function national(raw: string, nsn: string): PhoneCheck {
  // Current 10-digit mobile (9 digits after the 0).
  if (nsn.length === 9) {
    const carrier = MOBILE_PREFIXES[nsn.slice(0, 2)];
    if (carrier !== undefined) return result(raw, null, `+84${nsn}`, carrier);
  }

  // Pre-2018 11-digit mobile (10 digits after the 0).
  if (nsn.length === 10) {
    const replacement = OLD_MOBILE_PREFIXES[nsn.slice(0, 3)];
    if (replacement !== undefined) {
      const converted = replacement + nsn.slice(3);
      const carrier = MOBILE_PREFIXES[replacement] ?? null;
      return result(raw, null, `+84${converted}`, carrier, true);
    }
  }

  // Landline: 02 + area code (0203–0299), 10–11 digits with the 0.
  // (Hà Nội 024 and TP.HCM 028 are 024x/028x here, inside the same range.)
  if (/^2\d{8,9}$/.test(nsn)) {
    const area = Number(nsn.slice(0, 3));
    if (area >= 203 && area <= 299) return result(raw, 'landline', `+84${nsn}`);
  }

  // Everything else — wrong length, unknown prefix, old landline codes
  // (04…, 08… before 2017) and service numbers — is 'invalid'.
  // Toll-free 1800… and premium 1900… numbers are deliberately 'invalid', not
  // 'landline': they are not subscriber numbers of any kind and cannot receive
  // SMS, and "this is a landline" would mislead the clerk.
  return result(raw, 'invalid');
}

/** A number with a country code other than 84 (`digits` excludes the '+' / '00'). */
function foreign(raw: string, digits: string): PhoneCheck {
  // E.164 allows at most 15 digits; country codes never start with 0; a
  // country code plus a few digits is not a number.
  if (digits.startsWith('0') || digits.length < 7 || digits.length > 15) return result(raw, 'invalid');
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  const e164 = parsed?.isPossible() ? parsed.number : null;
  return result(raw, 'foreign', e164);
}

const MESSAGES: Record<'vi' | 'en', Record<PhoneProblem, string>> = {
  vi: {
    missing: 'Chưa nhập số điện thoại',
    invalid: 'Số điện thoại không hợp lệ: số di động gồm 10 chữ số, bắt đầu bằng 0',
    landline: 'Số máy bàn (cố định) không nhận được SMS',
    foreign: 'Số nước ngoài: chỉ gửi được SMS tới số di động Việt Nam',
  },
  en: {
    missing: 'No phone number entered',
    invalid: 'Invalid phone number: a mobile number has 10 digits starting with 0',
    landline: 'Landline (fixed-line) numbers cannot receive SMS',
    foreign: 'Foreign number: SMS can only be sent to Vietnamese mobile numbers',
  },
};

/** What the clerk sees for a problem, in Vietnamese (default) or English. */
export function phoneProblemMessage(problem: PhoneProblem, lang: 'vi' | 'en' = 'vi'): string {
  return MESSAGES[lang][problem];
}

/** A number as a log line or an audit row may show it: national form, the middle hidden (`091****678`). */
export function maskPhone(value: string | null | undefined): string {
  if (!value) return '';
  const digits = value.replace(/\D/g, '');
  const national = value.trim().startsWith('+84') ? `0${digits.slice(2)}` : digits;
  if (national.length < 7) return '*'.repeat(national.length);
  return `${national.slice(0, 3)}${'*'.repeat(national.length - 6)}${national.slice(-3)}`;
}
