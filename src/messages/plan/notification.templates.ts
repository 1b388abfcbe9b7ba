/** Glue between the pure template module and the outbox: per-agency overrides, validation on save. */
import { renderTemplate, validateTemplate, type TemplateVars } from '../../lib/sms-text/template.js';
import type { SmsEncoding } from '../../lib/sms-text/encode.js';
import { ALLOWED_PLACEHOLDERS, DEFAULT_TEMPLATES, isTemplateKind, TEMPLATE_KINDS } from '../catalogue.js';

export type { TemplateVars };

/** Longest an automatic message may be, in SMS segments. */
export const MAX_TEMPLATE_SEGMENTS = 3;

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

/** Why a template an agency wants to save is unusable, or null when it is fine. */
export function templateProblem(kind: string, template: string, encoding: SmsEncoding): TemplateProblem | null {
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
  });
  if (result.ok) return null;
  const details: Record<string, unknown> = { kind };
  if (result.placeholder !== undefined) details.placeholder = result.placeholder;
  if (result.segments !== undefined) details.segments = result.segments;
  return { code: `TEMPLATE_${result.code}`, message: result.message, details };
}
