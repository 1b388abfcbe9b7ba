/** Settings shared by every agency: the working calendar, SMS providers and their health, API tokens. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addDays, isWeekend, utcMidnightMs, weekday } from '../../lib/calendar/zone.js';
import type { AuditService } from '../../accounts/audit.service.js';
import type { TokenService } from '../../accounts/token.service.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config/config.js';
import type { AppError } from '../../platform/errors.js';
import type { AgencyService } from '../../reference/agency.service.js';
import type { CalendarService } from '../../reference/calendar.service.js';
import { DEFAULT_SETTINGS } from '../../reference/agency.settings.js';
import { CARRIER_NAMES, type Carrier } from '../../lib/phone/phone.js';
import { html, raw, type SafeHtml } from '../html.js';
import { agencyOptions, csrfField, errorItems, fieldErrorOf, formString, selectField, textField, type FieldErrors } from '../forms.js';
import { requireWebUser } from '../web.session.js';
import type { WebLang } from '../web.types.js';
import { formatDateTime } from '../format.js';
import { texts } from '../i18n/catalogue.js';
import { confirmed, sendConfirmPage } from '../confirm.js';
import { CONTROL, flashFromQuery, sendSettingsPage, settingsNav, SETTINGS_ROLES } from './settings.common.js';

const TOKEN_ROLES = ['agency', 'gateway', 'oversight', 'admin'] as const;

function validDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  try {
    utcMidnightMs(value);
    return true;
  } catch {
    return false;
  }
}

/** Whatever `health()` a provider pool reports, as table rows (the shape belongs to the pool). */
function healthRows(providers: object): Array<Record<string, unknown>> | null {
  if (!('health' in providers) || typeof (providers as { health?: unknown }).health !== 'function') return null;
  const rows = (providers as { health: () => unknown }).health();
  return Array.isArray(rows) ? rows.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null) : null;
}

/** The providers table's columns, in order; each cell formatted for people (never the pool's field names). */
const PROVIDER_COLUMNS = [
  'name',
  'channel',
  'priority',
  'weight',
  'effectiveWeight',
  'score',
  'latencyMs',
  'errorRate',
  'recentSends',
  'lastErrorReason',
  'lastErrorAt',
  'tps',
  'carriers',
] as const;
type ProviderColumn = (typeof PROVIDER_COLUMNS)[number];

function carrierName(carrier: string): string {
  return CARRIER_NAMES[carrier as Carrier] ?? carrier;
}

function cell(column: ProviderColumn, value: unknown, lang: WebLang): string {
  const t = texts(lang).system;
  if (value === null || value === undefined || value === '') return column === 'carriers' ? t.anyCarrier : '—';
  const number = (n: number, digits = 2) => n.toLocaleString(lang === 'en' ? 'en-GB' : 'vi-VN', { maximumFractionDigits: digits });
  switch (column) {
    case 'channel':
      return (texts(lang).reportLabels.channels as Readonly<Record<string, string>>)[String(value)] ?? String(value);
    case 'latencyMs':
      return typeof value === 'number' ? `${number(value, 0)} ms` : String(value);
    case 'errorRate':
      return typeof value === 'number' ? `${number(value * 100, 1)} %` : String(value);
    case 'lastErrorAt':
      return typeof value === 'number' || typeof value === 'string' ? formatDateTime(value) : '—';
    case 'carriers':
      return Array.isArray(value) ? value.map((c) => carrierName(String(c))).join(', ') : String(value);
    default:
      return typeof value === 'number' ? number(value) : String(value);
  }
}

export interface SystemSettingsDeps {
  readonly config: Pick<Config, 'sms'>;
  readonly clock: Clock;
  readonly calendars: CalendarService;
  readonly agencies: AgencyService;
  readonly tokens: TokenService;
  readonly audit: AuditService;
  /** The provider pool; its `health()`, when it has one, fills the providers table. */
  readonly providers: object;
}

export function systemSettingsRoutes(app: FastifyInstance, deps: SystemSettingsDeps): void {
  const { calendars, tokens, audit } = deps;
  const guard = { preHandler: requireWebUser([...SETTINGS_ROLES]) };
  const adminOnly = { preHandler: requireWebUser(['admin']) };

  const calendarPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    year: number,
    form: { date: string; kind: string; name: string },
    errors: FieldErrors,
    status = 200,
  ) => {
    const user = request.webUser!;
    const lang: WebLang = request.webLang;
    const t = texts(lang).system;
    const [days, calendar] = await Promise.all([calendars.list(year), calendars.calendar(DEFAULT_SETTINGS.officeHours)]);
    let workingDays = 0;
    for (let date = `${year}-01-01`; date <= `${year}-12-31`; date = addDays(date, 1)) if (calendar.isWorkingDay(date)) workingDays++;
    const admin = user.role === 'admin';
    const body = html`<h1>${t.calendar}</h1>
${settingsNav(user, lang, '/cai-dat/lich')}
<p class="hint">${t.calendarIntro}</p>
<form method="get" action="/cai-dat/lich" class="card actions">
  ${textField({ name: 'year', label: t.year, type: 'number', value: year, error: errors.year, attrs: raw('min="2000" max="2100" inputmode="numeric"') })}
  <button type="submit" class="secondary">${t.show}</button>
</form>
<section class="card" aria-labelledby="days-title">
  <h2 id="days-title">${t.calendar} ${year}</h2>
  <p>${t.workingDays(workingDays)}</p>
  ${
    days.length === 0
      ? html`<p>${t.none}</p>`
      : html`<div class="table-wrap"><table><caption class="visually-hidden">${t.calendar} ${year}</caption><thead><tr><th scope="col">${t.date}</th><th scope="col">${t.weekday}</th><th scope="col">${t.kind}</th><th scope="col">${t.name}</th>${admin ? html`<th scope="col"><span class="visually-hidden">${t.remove}</span></th>` : null}</tr></thead>
  <tbody>${days.map(
    (d) =>
      html`<tr><td>${d.date.split('-').reverse().join('/')}</td><td>${t.days[weekday(d.date)]}</td><td>${d.kind === 'holiday' ? t.holiday : t.workday}</td><td>${d.name}</td>${
        admin
          ? html`<td><form method="post" action="/cai-dat/lich/xoa" class="inline">${csrfField(request.csrfToken)}<input type="hidden" name="date" value="${d.date}"><button type="submit" class="secondary">${t.remove}<span class="visually-hidden"> ${d.date}</span></button></form></td>`
          : null
      }</tr>`,
  )}</tbody></table></div>`
  }
</section>
${
  admin
    ? html`<section class="card" aria-labelledby="add-title"><h2 id="add-title">${t.add}</h2>
  <form method="post" action="/cai-dat/lich" class="stack" novalidate>
    ${csrfField(request.csrfToken)}
    <div class="grid three">
      ${textField({ name: 'date', label: t.date, type: 'date', value: form.date, error: errors.date, required: true })}
      ${selectField({
        name: 'kind',
        label: t.kind,
        value: form.kind,
        options: [
          { value: 'holiday', label: t.holiday },
          { value: 'workday', label: t.workday },
        ],
        error: errors.kind,
      })}
      ${textField({ name: 'name', label: t.name, value: form.name, error: errors.name, required: true, attrs: raw('maxlength="200"') })}
    </div>
    <div><button type="submit">${t.save}</button></div>
  </form></section>`
    : html`<p class="hint">${t.readOnly}</p>`
}`;
    const flash = flashFromQuery(request, { saved: t.saved, removed: t.removed });
    return sendSettingsPage(request, reply, `${t.calendar} ${year}`, body, flash, status, errorItems(errors));
  };

  const currentYear = () => new Date(deps.clock.now() + 7 * 3_600_000).getUTCFullYear();

  app.get('/cai-dat/lich', guard, async (request, reply) => {
    const raw = String((request.query as Record<string, unknown>).year ?? '');
    const year = raw === '' ? currentYear() : Number(raw);
    if (!Number.isInteger(year) || year < 2000 || year > 2100) {
      return calendarPage(
        request,
        reply,
        currentYear(),
        { date: '', kind: 'holiday', name: '' },
        { year: texts(request.webLang).system.badYear },
        400,
      );
    }
    return calendarPage(request, reply, year, { date: '', kind: 'holiday', name: '' }, {});
  });

  app.post('/cai-dat/lich', adminOnly, async (request, reply) => {
    const t = texts(request.webLang).system;
    const form = {
      date: formString(request.body, 'date').trim(),
      kind: formString(request.body, 'kind'),
      name: formString(request.body, 'name').normalize('NFC').trim(),
    };
    const errors: FieldErrors = {};
    if (!validDate(form.date) || Number(form.date.slice(0, 4)) < 2000 || Number(form.date.slice(0, 4)) > 2100) errors.date = t.badDate;
    else if (form.kind === 'holiday' && isWeekend(form.date)) errors.date = t.holidayWeekend;
    else if (form.kind === 'workday' && !isWeekend(form.date)) errors.date = t.workdayWeekday;
    if (form.kind !== 'holiday' && form.kind !== 'workday') errors.kind = t.required;
    if (!form.name) errors.name = t.required;
    else if (form.name.length > 200 || CONTROL.test(form.name)) errors.name = t.tooLong;
    const year = validDate(form.date) ? Number(form.date.slice(0, 4)) : currentYear();
    if (Object.keys(errors).length > 0)
      return calendarPage(request, reply, year >= 2000 && year <= 2100 ? year : currentYear(), form, errors, 400);
    const before = (await calendars.list(year)).find((d) => d.date === form.date) ?? null;
    const day = { date: form.date, kind: form.kind as 'holiday' | 'workday', name: form.name };
    await calendars.put(day, deps.clock.now());
    await audit.record(request.webUser!, {
      action: 'calendar.put',
      entity: 'calendar_day',
      entityId: day.date,
      before,
      after: day,
      ip: request.ip,
    });
    return reply.code(303).header('location', `/cai-dat/lich?year=${year}&ok=saved`).send();
  });

  app.post('/cai-dat/lich/xoa', adminOnly, async (request, reply) => {
    const date = formString(request.body, 'date');
    if (!validDate(date))
      return calendarPage(
        request,
        reply,
        currentYear(),
        { date: '', kind: 'holiday', name: '' },
        { _form: texts(request.webLang).system.badDate },
        400,
      );
    const year = Number(date.slice(0, 4));
    const before = (await calendars.list(year)).find((d) => d.date === date) ?? null;
    if (before && !confirmed(request.body)) {
      const t = texts(request.webLang).system;
      const shown = `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
      return sendConfirmPage(request, reply, {
        title: t.confirmRemoveTitle(shown),
        consequences: [t.confirmRemoveText(`${before.kind === 'holiday' ? t.holiday : t.workday}: ${before.name}`)],
        action: '/cai-dat/lich/xoa',
        hidden: { date },
        confirmLabel: t.confirmRemove,
        cancelLabel: t.cancel,
        cancelHref: `/cai-dat/lich?year=${year}`,
        active: '/cai-dat',
      });
    }
    if (before) {
      await calendars.remove(date);
      await audit.record(request.webUser!, {
        action: 'calendar.remove',
        entity: 'calendar_day',
        entityId: date,
        before,
        after: null,
        ip: request.ip,
      });
    }
    return reply.code(303).header('location', `/cai-dat/lich?year=${year}&ok=removed`).send();
  });

  app.get('/cai-dat/nha-cung-cap', guard, async (request, reply) => {
    const user = request.webUser!;
    const lang = request.webLang;
    const t = texts(lang).system;
    const rows = healthRows(deps.providers);
    const present = new Set(rows?.flatMap((r) => Object.keys(r)) ?? []);
    const columns = PROVIDER_COLUMNS.filter((c) => present.has(c));
    const prices = Object.entries(deps.config.sms.pricePerSegmentVnd)
      .map(([carrier, price]) => `${carrier === 'default' ? t.defaultPrice : carrierName(carrier)}: ${price.toLocaleString('vi-VN')} ₫`)
      .join(', ');
    const body = html`<h1>${t.providers}</h1>
${settingsNav(user, lang, '/cai-dat/nha-cung-cap')}
<p class="hint">${t.providerIntro}</p>
<section class="card"><dl class="facts">
  <dt>${t.configured}</dt><dd data-testid="provider-name">${deps.config.sms.provider}</dd>
  <dt>${t.brandname}</dt><dd>${deps.config.sms.brandname}</dd>
  <dt>${t.prices}</dt><dd>${prices}</dd>
</dl></section>
${
  rows && rows.length > 0
    ? html`<div class="table-wrap"><table><caption>${t.providers}</caption><thead><tr>${columns.map((c) => html`<th scope="col">${t.providerColumns[c]}</th>`)}<th scope="col">${t.status}</th></tr></thead>
  <tbody>${rows.map((r) => html`<tr>${columns.map((c) => html`<td>${cell(c, r[c], lang)}</td>`)}<td><strong class="${r.healthy === false ? 'late' : 'ontime'}">${r.healthy === false ? t.down : t.healthy}</strong></td></tr>`)}</tbody></table></div>`
    : html`<p class="card">${t.noHealth}</p>`
}`;
    return sendSettingsPage(request, reply, t.providers, body);
  });

  const tokensPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: { created?: string; errors?: FieldErrors; form?: { role: string; agencyCode: string; label: string }; status?: number },
  ) => {
    const user = request.webUser!;
    const lang = request.webLang;
    const t = texts(lang).system;
    const [list, agencies] = await Promise.all([tokens.list(), deps.agencies.list()]);
    const errors = state.errors ?? {};
    const form = state.form ?? { role: 'agency', agencyCode: '', label: '' };
    const body: SafeHtml = html`<h1>${t.tokens}</h1>
${settingsNav(user, lang, '/cai-dat/ma-truy-cap')}
<p class="hint">${t.tokenIntro}</p>
${
  state.created
    ? html`<section class="flash success" role="status" aria-labelledby="new-token-title"><h2 id="new-token-title">${t.newToken}</h2><p><code data-testid="new-token">${state.created}</code></p></section>`
    : null
}
<section class="card" aria-labelledby="create-title"><h2 id="create-title">${t.create}</h2>
  <form method="post" action="/cai-dat/ma-truy-cap" class="stack" novalidate>
    ${csrfField(request.csrfToken)}
    <div class="grid three">
      ${selectField({ name: 'role', label: t.role, value: form.role, options: TOKEN_ROLES.map((r) => ({ value: r, label: t.roles[r] })), error: errors.role })}
      ${selectField({ name: 'agencyCode', label: t.agency, value: form.agencyCode, options: agencyOptions(agencies, t.noAgency), error: errors.agencyCode })}
      ${textField({ name: 'label', label: t.label, value: form.label, error: errors.label, attrs: raw('maxlength="200"') })}
    </div>
    <div><button type="submit">${t.create}</button></div>
  </form>
</section>
<div class="table-wrap"><table><caption>${t.tokens}</caption><thead><tr><th scope="col">#</th><th scope="col">${t.role}</th><th scope="col">${t.agency}</th><th scope="col">${t.label}</th><th scope="col">${t.created}</th><th scope="col"><span class="visually-hidden">${t.revoke}</span></th></tr></thead>
<tbody>${list.map(
      (tk) =>
        html`<tr><td>${tk.id}</td><td>${t.roles[tk.role as (typeof TOKEN_ROLES)[number]] ?? tk.role}</td><td>${tk.agencyCode ?? '—'}</td><td>${tk.label}</td><td>${formatDateTime(tk.createdAt)}</td><td>${
          tk.revokedAt !== null
            ? html`${t.revoked} ${formatDateTime(tk.revokedAt)}`
            : html`<form method="post" action="/cai-dat/ma-truy-cap/${tk.id}/thu-hoi" class="inline">${csrfField(request.csrfToken)}<button type="submit" class="danger">${t.revoke}<span class="visually-hidden"> #${tk.id}</span></button></form>`
        }</td></tr>`,
    )}</tbody></table></div>`;
    const flash = flashFromQuery(request, { revoked: t.tokenRevoked });
    return sendSettingsPage(request, reply, t.tokens, body, flash, state.status ?? 200, errorItems(errors));
  };

  app.get('/cai-dat/ma-truy-cap', adminOnly, async (request, reply) => tokensPage(request, reply, {}));

  app.post('/cai-dat/ma-truy-cap', adminOnly, async (request, reply) => {
    const t = texts(request.webLang).system;
    const form = {
      role: formString(request.body, 'role'),
      agencyCode: formString(request.body, 'agencyCode'),
      label: formString(request.body, 'label').normalize('NFC').trim(),
    };
    if (!(TOKEN_ROLES as readonly string[]).includes(form.role))
      return tokensPage(request, reply, { form, errors: { role: t.required }, status: 400 });
    if (form.label.length > 200 || CONTROL.test(form.label))
      return tokensPage(request, reply, { form, errors: { label: t.tooLong }, status: 400 });
    try {
      const { id, token } = await tokens.create({
        role: form.role as (typeof TOKEN_ROLES)[number],
        agencyCode: form.agencyCode || null,
        ...(form.label ? { label: form.label } : {}),
      });
      await audit.record(request.webUser!, {
        action: 'token.create',
        entity: 'api_token',
        entityId: id,
        after: { role: form.role, agencyCode: form.agencyCode || null, label: form.label || null },
        ip: request.ip,
      });
      return tokensPage(request, reply, { created: token });
    } catch (error) {
      const field = fieldErrorOf(error);
      if (!field) throw error;
      return tokensPage(request, reply, { form, errors: { [field.field]: field.message }, status: (error as AppError).status });
    }
  });

  app.post('/cai-dat/ma-truy-cap/:id/thu-hoi', adminOnly, async (request, reply) => {
    const id = Number((request.params as { id: string }).id);
    if (!Number.isSafeInteger(id) || id < 1)
      return tokensPage(request, reply, { errors: { _form: texts(request.webLang).system.required }, status: 400 });
    const current = (await tokens.list()).filter((tk) => tk.revokedAt === null);
    const target = current.find((tk) => tk.id === id);
    if (target && !confirmed(request.body)) {
      const t = texts(request.webLang).system;
      const lastAdmin = target.role === 'admin' && current.filter((tk) => tk.role === 'admin').length === 1;
      return sendConfirmPage(request, reply, {
        title: t.confirmRevokeTitle(id),
        warning: lastAdmin ? t.lastAdminToken : null,
        consequences: [
          t.confirmRevokeText(
            `${t.roles[target.role]}${target.agencyCode ? ` · ${target.agencyCode}` : ''}${target.label ? ` · ${target.label}` : ''}`,
          ),
        ],
        action: `/cai-dat/ma-truy-cap/${id}/thu-hoi`,
        confirmLabel: t.confirmRevoke,
        cancelLabel: t.cancel,
        cancelHref: '/cai-dat/ma-truy-cap',
        active: '/cai-dat',
      });
    }
    const before = await tokens.revoke(id);
    if (before) {
      await audit.record(request.webUser!, {
        action: 'token.revoke',
        entity: 'api_token',
        entityId: id,
        before: { role: before.role, agencyCode: before.agencyCode, label: before.label, revoked: false },
        after: { role: before.role, agencyCode: before.agencyCode, label: before.label, revoked: true },
        ip: request.ip,
      });
    }
    return reply.code(303).header('location', '/cai-dat/ma-truy-cap?ok=revoked').send();
  });
}
