/**
 * A look-up reply is one SMS: the citizen paid for one look-up and gets one message back. The text is
 * rendered from the agency's template; when it is longer than one segment in the agency's encoding it
 * goes folded to ASCII (GSM-7, 160 characters a segment, where Unicode gives 70), and a value still too
 * long (a step or agency name, at worst the code a citizen typed) is cut with an ellipsis.
 */
import { prepareSms, type SmsEncoding } from '../lib/sms-text/encode.js';
import type { TemplateVars } from '../lib/sms-text/template.js';
import { renderFor } from '../messages/plan/notification.templates.js';

/** Values cut, first to last, until the reply fits. */
const CUTTABLE = ['step', 'agencyName', 'procedureName', 'statusText', 'receiptCode'] as const;

/** What a cut value ends with: three dots are GSM-7 in either encoding ("…" is not). */
const ELLIPSIS = '...';

export interface FittedReply {
  readonly text: string;
  readonly encoding: SmsEncoding;
}

function cut(value: string, characters: number): string {
  const chars = Array.from(value);
  if (characters >= chars.length) return value;
  return `${chars.slice(0, characters).join('').trimEnd()}${ELLIPSIS}`;
}

/**
 * The reply of this template kind in one segment where the values allow it. An agency's own template
 * that is longer than a segment by itself is sent as it is (its settings allow up to three segments).
 */
export function fitOneSegment(
  kind: string,
  overrides: Readonly<Record<string, string>>,
  vars: TemplateVars,
  encoding: SmsEncoding,
): FittedReply {
  const fits = (text: string, enc: SmsEncoding) => prepareSms(text, enc).segments <= 1;
  const first = renderFor(kind, overrides, vars);
  if (fits(first, encoding)) return { text: first, encoding };
  if (fits(first, 'ascii')) return { text: first, encoding: 'ascii' };
  let current: TemplateVars = { ...vars };
  for (const key of CUTTABLE) {
    const value = current[key];
    if (value === undefined || value === '') continue;
    const length = Array.from(value).length;
    const attempt = (n: number) => renderFor(kind, overrides, { ...current, [key]: cut(value, n) });
    if (!fits(attempt(0), 'ascii')) {
      current = { ...current, [key]: cut(value, 0) };
      continue;
    }
    // The longest prefix that fits: folding keeps one character one character, so longer never fits better.
    let low = 0;
    let high = length;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (fits(attempt(mid), 'ascii')) low = mid;
      else high = mid - 1;
    }
    return { text: attempt(low), encoding: 'ascii' };
  }
  return { text: renderFor(kind, overrides, current), encoding: 'ascii' };
}
