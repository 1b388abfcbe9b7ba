/** The page frame of every staff screen: header, navigation by role, flash message, footer. */
import type { FastifyReply } from 'fastify';
import { sendHtml } from '../platform/http/page-headers.js';
import { html, raw, type SafeHtml } from './html.js';
import { texts } from './i18n/catalogue.js';
import type { Catalogue } from './i18n/vi.js';
import type { WebLang, WebRole, WebUser } from './web.types.js';

export type FlashKind = 'success' | 'error' | 'info';
export type Flash = string | { kind: FlashKind; message: string | SafeHtml };

export interface PageModel {
  title: string;
  user: WebUser | null;
  csrfToken: string | null;
  lang: WebLang;
  /** Path of the navigation entry to mark as current, e.g. '/mot-cua'. */
  active?: string;
  /** The page's markup: `SafeHtml`, or a string that is already markup. */
  body: SafeHtml | string;
  flash?: Flash | null;
  /** The form's errors, GOV.UK style: a summary at the top linking to each field (focused on load), and "Lỗi: " before the title. */
  errors?: readonly ErrorItem[] | null;
}

/** One entry of the error summary: the message, and the id of the field it is about (none for the whole form). */
export interface ErrorItem {
  message: string;
  fieldId?: string | null;
}

function errorSummary(items: readonly ErrorItem[], heading: string): SafeHtml {
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" data-error-summary data-testid="error-summary">
  <h2 id="error-summary-title">${heading}</h2>
  <ul>${items.map((item) => html`<li>${item.fieldId ? html`<a href="#${item.fieldId}">${item.message}</a>` : item.message}</li>`)}</ul>
</div>`;
}

interface NavItem {
  path: string;
  /** Its name in the catalogue's `nav`. */
  name: keyof Catalogue['nav'];
  roles: readonly WebRole[];
}

const ALL: readonly WebRole[] = ['admin', 'oversight', 'agency_admin', 'clerk'];
const DESK: readonly WebRole[] = ['admin', 'agency_admin', 'clerk'];

const NAV: readonly NavItem[] = [
  { path: '/giam-sat', name: 'overview', roles: ALL },
  { path: '/ho-so', name: 'dossiers', roles: ALL },
  { path: '/mot-cua', name: 'desk', roles: DESK },
  { path: '/tin-nhan', name: 'messages', roles: ALL },
  { path: '/cai-dat', name: 'settings', roles: ['admin', 'agency_admin'] },
  { path: '/tai-khoan', name: 'accounts', roles: ['admin'] },
  { path: '/nhat-ky', name: 'audit', roles: ['admin'] },
  { path: '/gia-lap', name: 'simulator', roles: ALL },
];

/** Home of a role after login. */
export function homeFor(user: WebUser): string {
  return user.role === 'clerk' || user.role === 'agency_admin' ? '/mot-cua' : '/giam-sat';
}

function navFor(user: WebUser): NavItem[] {
  return NAV.filter((item) => item.roles.includes(user.role));
}

function flashBlock(flash: Flash | null | undefined): SafeHtml | null {
  if (!flash) return null;
  const { kind, message } = typeof flash === 'string' ? { kind: 'info' as const, message: flash } : flash;
  return html`<div class="flash ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${message}</div>`;
}

/** A complete HTML document. */
export function renderPage(model: PageModel): string {
  const { user, csrfToken, lang, active, flash } = model;
  const words = texts(lang);
  const t = words.layout;
  const errors = model.errors?.length ? model.errors : null;
  const title = errors ? `${t.errorPrefix}${model.title}` : model.title;
  const body = typeof model.body === 'string' ? raw(model.body) : model.body;
  const other = lang === 'vi' ? 'en' : 'vi';
  const header = html`<header class="site-header">
  <div class="bar">
    <a class="brand" href="${user ? '/giam-sat' : '/dang-nhap'}">${t.brand}</a>
    ${user ? html`<span class="who">${user.displayName} · ${words.roles[user.role]}${user.agencyCode ? ` · ${user.agencyCode}` : ''}</span>` : null}
    <a href="/ngon-ngu?lang=${other}" lang="${other}" hreflang="${other}" aria-label="${t.switchLabel}">${t.switchTo}</a>
    ${
      user && csrfToken
        ? html`<form method="post" action="/dang-xuat" class="inline"><input type="hidden" name="_csrf" value="${csrfToken}"><button type="submit" class="link">${t.logout}</button></form>`
        : null
    }
  </div>
  ${
    user
      ? html`<nav class="site-nav" aria-label="${t.nav}"><ul>${navFor(user).map(
          (item) =>
            html`<li><a href="${item.path}"${item.path === active ? raw(' aria-current="page"') : null}>${words.nav[item.name]}</a></li>`,
        )}</ul></nav>`
      : null
  }
</header>`;
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${csrfToken ? html`<meta name="csrf-token" content="${csrfToken}">` : ''}
<title>${html`${title} – MotcuaSMS`}</title>
<link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">${html`${t.skip}`}</a>
${header}
<main id="main" tabindex="-1">
${errors ? errorSummary(errors, t.errorSummary) : ''}
${flashBlock(flash) ?? ''}
${body}
</main>
<footer class="site-footer"><p>${html`${t.footer}`} <a href="/quyen-rieng-tu${model.lang === 'en' ? '?lang=en' : ''}">${model.lang === 'en' ? 'Privacy' : 'Quyền riêng tư'}</a></p></footer>
</body>
</html>`;
}

/** Sends a page with the headers every page needs (no caching of personal data, no framing). */
export function sendPage(reply: FastifyReply, page: string, status = 200): FastifyReply {
  return sendHtml(reply, page, status);
}
