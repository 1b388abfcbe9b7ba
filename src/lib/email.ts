/** The one e-mail syntax check of the product: something@domain.tld, no spaces or angle brackets. */
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** Whether a (trimmed) value looks like an e-mail address; at most 254 characters (RFC 5321). */
export function isEmailAddress(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}
