/**
 * Chooses how a message body is sent and what it costs in segments.
 */
import { foldVietnamese } from './fold.js';
import { GSM_SINGLE_SEPTETS, gsmSeptets, isGsmText, splitGsm, splitUcs2 } from './gsm.js';

/** How an agency wants its SMS sent: ascii-folded plain SMS, or Unicode (diacritics kept). */
export type SmsEncoding = 'ascii' | 'unicode';

export interface PreparedSms {
  /** The text that actually leaves (folded for ascii, NFC for unicode). */
  readonly body: string;
  readonly dataCoding: 'gsm7' | 'ucs2';
  /** Number of SMS the body is sent as; 0 for an empty body. */
  readonly segments: number;
  /**
   * Length in the units the segment limits are counted in: GSM septets (an extension character
   * such as `{` or `€` counts 2) for gsm7, UTF-16 code units for ucs2.
   */
  readonly characters: number;
}

const ASCII_ONLY = /^[\x00-\x7F]*$/;

function gsm7(body: string): PreparedSms {
  const characters = gsmSeptets(body);
  // splitGsm only to count the parts of a long message (it would count the septets again)
  const segments = characters === 0 ? 0 : characters <= GSM_SINGLE_SEPTETS ? 1 : splitGsm(body).length;
  return { body, dataCoding: 'gsm7', segments, characters };
}

/**
 * Prepares a message body for sending.
 *
 * - `ascii`: body = `foldVietnamese(text)`, always gsm7; 1 segment up to 160 septets, otherwise
 *   one per 153-septet part (an escape pair is never split, so the count is the parts' count).
 * - `unicode`: body = `text` in NFC. If that body is plain ASCII GSM text it still goes as gsm7
 *   (cheaper, and identical on the phone); otherwise ucs2, 1 segment up to 70 UTF-16 code units,
 *   else one per 67-unit part. A body whose only non-ASCII characters happen to be in the GSM
 *   alphabet (à, é, …) is sent as ucs2, not gsm7: Vietnamese aggregators and handsets treat
 *   non-Unicode SMS as plain ASCII and would garble them.
 * - Empty text: body '', gsm7, 0 segments, 0 characters (nothing to send; callers decide).
 */
export function prepareSms(text: string, encoding: SmsEncoding): PreparedSms {
  if (encoding === 'ascii') return gsm7(foldVietnamese(text));
  const body = text.normalize('NFC');
  if (ASCII_ONLY.test(body) && isGsmText(body)) return gsm7(body);
  return { body, dataCoding: 'ucs2', segments: splitUcs2(body).length, characters: body.length };
}
