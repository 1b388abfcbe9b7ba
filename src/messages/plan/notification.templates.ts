/** Glue between the pure template module and the outbox: per-agency overrides, the privacy link, validation on save. */
import { renderTemplate, validateTemplate, type TemplateVars } from '../../lib/sms-text/template.js';
import type { SmsEncoding } from '../../lib/sms-text/encode.js';
import {
  ALLOWED_PLACEHOLDERS,
  CATALOGUE,
  DEFAULT_TEMPLATES,
  isTemplateKind,
  TEMPLATE_KINDS,
  TEMPLATE_MESSAGE_KINDS,
} from '../catalogue.js';

export type { TemplateVars };

/** Longest an automatic message may be, in SMS segments. */
export const MAX_TEMPLATE_SEGMENTS = 3;

/** The short path messages carry to the privacy notice; privacy/privacy.routes.ts redirects it to /quyen-rieng-tu. */
export const PRIVACY_LINK_PATH = '/qrt';

/**
 * The privacy link as a message ends with it: " Quyền riêng tư: sms.tinh.gov.vn/qrt" (folded to
 * "Quyen rieng tu" in an ASCII message). `https://` is left out, as phones make a link of a bare domain
 * and every character costs; any other scheme (a test server's `http://`) stays.
 */
export function privacyLinkText(publicBaseUrl: string): string {
  const base = publicBaseUrl.replace(/\/+$/, '').replace(/^https:\/\//i, '');
  return ` Quyền riêng tư: ${base}${PRIVACY_LINK_PATH}`;
}

/**
 * THE rule of the privacy link (issue 16 item 5): what a message written with this template ends with —
 * the link when the agency has switched it on (`privacyLink`, off by default) and the kind carries it
 * (every message we start to a citizen; never the paid look-up reply, which must stay one segment);
 * else nothing. Rows, the settings preview and the check on save all take it from here.
 */
export function privacyLinkFor(template: string, settings: { readonly privacyLink: boolean }, publicBaseUrl: string): string {
  if (!settings.privacyLink || !isTemplateKind(template)) return '';
  return CATALOGUE[TEMPLATE_MESSAGE_KINDS[template]].privacyLink ? privacyLinkText(publicBaseUrl) : '';
}

/** The template an agency uses for a kind: its override, or the seed default. */
export function templateFor(kind: string, overrides: Readonly<Record<string, string>>): string {
  const override = overrides[kind];
  if (override !== undefined) return override;
  if (!isTemplateKind(kind)) throw new Error(`No template for message kind "${kind}"`);
  return DEFAULT_TEMPLATES[kind];
}

export function renderFor(kind: string, overrides: Readonly<Record<string, string>>, vars: TemplateVars): string {
  return renderTemplate(templateFor(kind, overrides), vars);
}

export interface TemplateProblem {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/** Why a template an agency wants to save is unusable, or null when it is fine. `suffix`: what every
 *  message of it ends with (the privacy link, from `privacyLinkFor`), counted in its length. */
export function templateProblem(kind: string, template: string, encoding: SmsEncoding, suffix = ''): TemplateProblem | null {
  if (!isTemplateKind(kind)) {
    return {
      code: 'UNKNOWN_TEMPLATE_KIND',
      message: `Không có loại tin nhắn "${kind}". Các loại hợp lệ: ${TEMPLATE_KINDS.join(', ')}.`,
      details: { kind },
    };
  }
  const result = validateTemplate(template, {
    allowed: ALLOWED_PLACEHOLDERS[kind],
    maxSegments: MAX_TEMPLATE_SEGMENTS,
    encoding,
    sample: {},
    suffix,
  });
  if (result.ok) return null;
  const details: Record<string, unknown> = { kind };
  if (result.placeholder !== undefined) details.placeholder = result.placeholder;
  if (result.segments !== undefined) details.segments = result.segments;
  const message =
    suffix && result.code === 'TOO_LONG'
      ? `${result.message.replace(/\.$/, '')}, kể cả liên kết quyền riêng tư ở cuối tin.`
      : result.message;
  return { code: `TEMPLATE_${result.code}`, message, details };
}
