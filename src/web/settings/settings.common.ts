/** Shared parts of the settings pages: who may see which agency, the sub-navigation, the page frame, form checks. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { forbidden, notFound } from '../../platform/errors.js';
import type { Agency, AgencyService } from '../../reference/agency.service.js';
import { html, raw, type SafeHtml } from '../html.js';
import { texts } from '../i18n/catalogue.js';
import { renderPage, sendPage, type ErrorItem, type Flash } from '../web.layout.js';
import type { WebLang, WebUser } from '../web.types.js';

export const SETTINGS_ROLES = ['admin', 'agency_admin'] as const;

/** Control characters other than tab and line breaks: refused in names and templates. */
export const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

const SECTIONS = [
  { path: '/cai-dat', name: 'agency', adminOnly: false },
  { path: '/cai-dat/lich', name: 'calendar', adminOnly: false },
  { path: '/cai-dat/nha-cung-cap', name: 'providers', adminOnly: false },
  { path: '/cai-dat/ma-truy-cap', name: 'tokens', adminOnly: true },
  { path: '/cai-dat/quyen-rieng-tu', name: 'privacy', adminOnly: true },
] as const;

export function settingsNav(user: WebUser, lang: WebLang, current: string): SafeHtml {
  const t = texts(lang).settings;
  const items = SECTIONS.filter((s) => !s.adminOnly || user.role === 'admin');
  return html`<nav aria-label="${t.navLabel}" class="card"><ul class="actions">${items.map(
    (s) => html`<li class="inline"><a href="${s.path}"${s.path === current ? raw(' aria-current="page"') : null}>${t[s.name]}</a></li>`,
  )}</ul></nav>`;
}

export function sendSettingsPage(
  request: FastifyRequest,
  reply: FastifyReply,
  title: string,
  body: SafeHtml,
  flash: Flash | null = null,
  status = 200,
  errors: readonly ErrorItem[] | null = null,
): FastifyReply {
  return sendPage(
    reply,
    renderPage({
      title,
      user: request.webUser,
      csrfToken: request.csrfToken,
      lang: request.webLang,
      active: '/cai-dat',
      body,
      flash,
      errors,
    }),
    status,
  );
}

/** The agency a settings user may edit: any (admin), or only their own (agency admin). */
export async function editableAgency(agencies: AgencyService, user: WebUser, code: string): Promise<Agency> {
  if (user.role !== 'admin' && user.agencyCode !== code) throw forbidden('Bạn chỉ được cài đặt cho cơ quan của mình.');
  const agency = await agencies.get(code);
  if (!agency) throw notFound(`cơ quan mã "${code}"`);
  return agency;
}

export function flashFromQuery(request: FastifyRequest, messages: Record<string, string>): Flash | null {
  const ok = (request.query as Record<string, unknown>).ok;
  return typeof ok === 'string' && messages[ok] ? { kind: 'success', message: messages[ok]! } : null;
}
