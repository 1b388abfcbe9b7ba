/** Shared parts of the settings pages: who may see which agency, the sub-navigation, the page frame. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../main/context.js';
import { forbidden, notFound } from '../../platform/errors.js';
import type { Agency } from '../../reference/agency.service.js';
import { html, raw, type SafeHtml } from '../html.js';
import { renderPage, sendPage, type Flash } from '../web.layout.js';
import type { WebLang, WebUser } from '../web.types.js';

export const SETTINGS_ROLES = ['admin', 'agency_admin'] as const;

const SECTIONS = [
  { path: '/cai-dat', vi: 'Cơ quan, mẫu tin, thủ tục', en: 'Agency, templates, procedures', adminOnly: false },
  { path: '/cai-dat/lich', vi: 'Lịch làm việc', en: 'Working calendar', adminOnly: false },
  { path: '/cai-dat/nha-cung-cap', vi: 'Nhà cung cấp SMS', en: 'SMS providers', adminOnly: false },
  { path: '/cai-dat/ma-truy-cap', vi: 'Mã truy cập cho phần mềm một cửa', en: 'Tokens for one-stop software', adminOnly: true },
] as const;

export function settingsNav(user: WebUser, lang: WebLang, current: string): SafeHtml {
  const items = SECTIONS.filter((s) => !s.adminOnly || user.role === 'admin');
  return html`<nav aria-label="${lang === 'vi' ? 'Các mục cài đặt' : 'Settings sections'}" class="card"><ul class="actions">${items.map(
    (s) => html`<li class="inline"><a href="${s.path}"${s.path === current ? raw(' aria-current="page"') : null}>${s[lang]}</a></li>`,
  )}</ul></nav>`;
}

export function sendSettingsPage(
  request: FastifyRequest,
  reply: FastifyReply,
  title: string,
  body: SafeHtml,
  flash: Flash | null = null,
  status = 200,
): FastifyReply {
  return sendPage(
    reply,
    renderPage({ title, user: request.webUser, csrfToken: request.csrfToken, lang: request.webLang, active: '/cai-dat', body, flash }),
    status,
  );
}

/** The agency a settings user may edit: any (admin), or only their own (agency admin). */
export async function editableAgency(ctx: AppContext, user: WebUser, code: string): Promise<Agency> {
  if (user.role !== 'admin' && user.agencyCode !== code) throw forbidden('Bạn chỉ được cài đặt cho cơ quan của mình.');
  const agency = await ctx.agencies.get(code);
  if (!agency) throw notFound(`cơ quan mã "${code}"`);
  return agency;
}

export function flashFromQuery(request: FastifyRequest, messages: Record<string, string>): Flash | null {
  const ok = (request.query as Record<string, unknown>).ok;
  return typeof ok === 'string' && messages[ok] ? { kind: 'success', message: messages[ok]! } : null;
}
