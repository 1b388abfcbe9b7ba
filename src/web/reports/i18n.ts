/** Words and formats of the oversight and read pages: their words come from the catalogues (`reports`, `reportLabels`). */
import { formatVnIso } from '../../lib/calendar/zone.js';
import type { ReconciliationWhy } from '../../reports/report.service.js';
import type { WebLang } from '../web.types.js';
import { EVENT_LABELS, label, NOTIFICATION_KIND_LABELS, NOTIFICATION_STATUS_LABELS, STATE_LABELS } from '../format.js';
import { texts } from '../i18n/catalogue.js';
import type { Catalogue } from '../i18n/vi.js';

export type UiKey = keyof Catalogue['reports'];

/** A UI string with `{name}` placeholders filled in. */
export function t(lang: WebLang, key: UiKey, vars: Record<string, string | number> = {}): string {
  return texts(lang).reports[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

const labels = (lang: WebLang) => texts(lang).reportLabels;

/** The entry of a label table, or null for a code it does not have (inherited keys never count). */
function entry(table: Readonly<Record<string, string>>, key: string | number): string | null {
  return Object.hasOwn(table, key) ? (table[key] ?? null) : null;
}

export const stateLabel = (lang: WebLang, state: string) => label(STATE_LABELS, state, lang);

export const eventLabel = (lang: WebLang, type: string) => label(EVENT_LABELS, type, lang);

export const MESSAGE_KINDS = NOTIFICATION_KIND_LABELS;
export const kindLabel = (lang: WebLang, kind: string) => label(MESSAGE_KINDS, kind, lang);

export const MESSAGE_STATUSES = NOTIFICATION_STATUS_LABELS;
export const messageStatusLabel = (lang: WebLang, status: string) => label(MESSAGE_STATUSES, status, lang);

export const CHANNELS = Object.keys(texts('vi').reportLabels.channels);
export const channelLabel = (lang: WebLang, channel: string) => entry(labels(lang).channels, channel) ?? channel;

export const encodingLabel = (lang: WebLang, encoding: string) => entry(labels(lang).encodings, encoding) ?? encoding;

export const returnMethodLabel = (lang: WebLang, method: string) => entry(labels(lang).returnMethods, method) ?? method;

/** A failure reason as people read it; provider codes outside the table are carrier errors, shown with their code. */
export function failureReasonLabel(lang: WebLang, reason: string): string {
  const known = entry(labels(lang).failureReasons, reason);
  if (known) return known;
  if (reason.startsWith('gave_up:')) return t(lang, 'gaveUp', { reason: failureReasonLabel(lang, reason.slice('gave_up:'.length)) });
  return t(lang, 'carrierError', { reason });
}

export const whyLabel = (lang: WebLang, why: ReconciliationWhy) => labels(lang).whys[why];

export const portalLabel = (lang: WebLang, code: number) => entry(labels(lang).portal, code) ?? String(code);

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

/** The `datetime` attribute of a <time> element. */
export function isoAttr(instant: number | string): string {
  return typeof instant === 'number' ? formatVnIso(new Date(instant)) : formatVnIso(new Date(Date.parse(instant)));
}
