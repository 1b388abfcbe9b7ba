/** Form helpers shared by the staff pages: labelled fields with their error next to them. */
import { AppError } from '../platform/errors.js';
import { html, raw, type HtmlValue, type SafeHtml } from './html.js';

export type FieldErrors = Record<string, string>;

/** A string field of a urlencoded form body ('' when absent; the first value when repeated). */
export function formString(body: unknown, name: string): string {
  if (!body || typeof body !== 'object') return '';
  const value = (body as Record<string, unknown>)[name];
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : '';
  return typeof value === 'string' ? value : '';
}

export function formBool(body: unknown, name: string): boolean {
  const value = formString(body, name);
  return value === 'on' || value === 'true' || value === '1';
}

/** The field a service error is about, mapped to the form's field name, or null for other errors. */
export function fieldErrorOf(error: unknown, rename: Record<string, string> = {}): { field: string; message: string } | null {
  if (!(error instanceof AppError) || error.status >= 500) return null;
  const field = typeof error.details?.field === 'string' ? error.details.field : '_form';
  return { field: rename[field] ?? field, message: error.message };
}

export interface FieldOptions {
  name: string;
  label: string;
  value?: string | number | null;
  error?: string | undefined;
  hint?: HtmlValue;
  type?: string;
  required?: boolean;
  autocomplete?: string;
  /** Extra trusted attributes, e.g. raw('inputmode="tel"'). */
  attrs?: SafeHtml;
  id?: string;
  /** Markup placed after the input (e.g. a live status line). */
  after?: HtmlValue;
}

function describedBy(id: string, hint: boolean, error: boolean, extra?: string): SafeHtml | null {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null, extra ?? null].filter(Boolean);
  return ids.length ? html` aria-describedby="${ids.join(' ')}"` : null;
}

export function textField(o: FieldOptions): SafeHtml {
  const id = o.id ?? `f-${o.name}`;
  return html`<div class="field">
  <label for="${id}">${o.label}${o.required ? html` <span aria-hidden="true">*</span>` : null}</label>
  ${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : null}
  <input type="${o.type ?? 'text'}" id="${id}" name="${o.name}" value="${o.value ?? ''}"${o.required ? raw(' required') : null}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : null}${o.error ? raw(' aria-invalid="true"') : null}${describedBy(id, Boolean(o.hint), Boolean(o.error))}${o.attrs ? html` ${o.attrs}` : null}>
  ${o.error ? html`<p class="error" id="${id}-error">${o.error}</p>` : null}
  ${o.after}
</div>`;
}

export function textArea(o: FieldOptions & { rows?: number }): SafeHtml {
  const id = o.id ?? `f-${o.name}`;
  return html`<div class="field">
  <label for="${id}">${o.label}</label>
  ${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : null}
  <textarea id="${id}" name="${o.name}" rows="${o.rows ?? 4}"${o.required ? raw(' required') : null}${o.error ? raw(' aria-invalid="true"') : null}${describedBy(id, Boolean(o.hint), Boolean(o.error))}${o.attrs ? html` ${o.attrs}` : null}>${o.value ?? ''}</textarea>
  ${o.error ? html`<p class="error" id="${id}-error">${o.error}</p>` : null}
  ${o.after}
</div>`;
}

/** Agencies as select options, "CODE – Name"; with `none`, a first empty option of that label. */
export function agencyOptions(
  agencies: ReadonlyArray<{ code: string; name: string }>,
  none?: string,
): Array<{ value: string; label: string }> {
  const options = agencies.map((a) => ({ value: a.code, label: `${a.code} – ${a.name}` }));
  return none === undefined ? options : [{ value: '', label: none }, ...options];
}

export function selectField(o: Omit<FieldOptions, 'type'> & { options: ReadonlyArray<{ value: string; label: string }> }): SafeHtml {
  const id = o.id ?? `f-${o.name}`;
  const current = o.value === null || o.value === undefined ? '' : String(o.value);
  return html`<div class="field">
  <label for="${id}">${o.label}</label>
  ${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : null}
  <select id="${id}" name="${o.name}"${o.required ? raw(' required') : null}${o.error ? raw(' aria-invalid="true"') : null}${describedBy(id, Boolean(o.hint), Boolean(o.error))}${o.attrs ? html` ${o.attrs}` : null}>
    ${o.options.map((opt) => html`<option value="${opt.value}"${opt.value === current ? raw(' selected') : null}>${opt.label}</option>`)}
  </select>
  ${o.error ? html`<p class="error" id="${id}-error">${o.error}</p>` : null}
</div>`;
}

export function checkbox(o: { name: string; label: string; checked: boolean; id?: string; hint?: string }): SafeHtml {
  const id = o.id ?? `f-${o.name}`;
  return html`<div class="field"><div><input type="checkbox" id="${id}" name="${o.name}" value="on"${o.checked ? raw(' checked') : null}${o.hint ? html` aria-describedby="${id}-hint"` : null}> <label for="${id}">${o.label}</label></div>${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : null}</div>`;
}

export function csrfField(token: string | null): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token ?? ''}">`;
}

/** An error about the whole form (not one field). */
export function formError(message: string | undefined): SafeHtml | null {
  return message ? html`<div class="flash error" role="alert">${message}</div>` : null;
}

/** The error summary's entries for a form's errors: each field's message linking to its input
 *  (`f-<name>` unless `ids` names another), the whole form's error without a link. */
export function errorItems(
  errors: FieldErrors,
  ids: Readonly<Record<string, string>> = {},
): Array<{ message: string; fieldId: string | null }> {
  return Object.entries(errors)
    .filter(([, message]) => Boolean(message))
    .map(([name, message]) => ({ message, fieldId: name === '_form' ? null : (ids[name] ?? `f-${name}`) }));
}
