/** What the report routes share: optional query fields, the page guard, the view of a request, sending a page, the error page. */
import { requestForLog } from '../../platform/log.js';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../../platform/errors.js';
import { fieldOf } from '../../platform/http/error-handler.js';
import { html, type SafeHtml } from '../html.js';
import { texts } from '../i18n/catalogue.js';
import { renderPage, sendPage } from '../web.layout.js';
import { requireWebUser, sendBusyPage } from '../web.session.js';
import type { WebLang } from '../web.types.js';
import { t, type UiKey } from './i18n.js';
import type { View } from './ui.js';

/** An optional query parameter: an empty form field ('') counts as absent. */
export const Opt = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([Type.Literal(''), schema]));
export const Lang = Type.Optional(Type.Union([Type.Literal('vi'), Type.Literal('en')]));

export const blank = <T>(value: T | '' | undefined): T | undefined => (value === '' ? undefined : value);

/** Page guard run on onRequest, so a visitor without a session is sent to the login page before
 *  the query string is validated. */
export function guard(): onRequestAsyncHookHandler {
  const check = requireWebUser();
  return async function (request, reply) {
    return check.call(this, request, reply);
  };
}

export function viewOf(request: FastifyRequest): View {
  const user = request.webUser;
  if (!user) throw new AppError('UNAUTHORIZED', 401, 'Chưa đăng nhập.');
  return { user, lang: request.webLang, csrfToken: request.csrfToken };
}

export function send(reply: FastifyReply, view: View, title: string, active: string, body: SafeHtml, status = 200): FastifyReply {
  return sendPage(reply, renderPage({ title, user: view.user, csrfToken: view.csrfToken, lang: view.lang, active, body }), status);
}

/** What the people using the forms call each parameter. */
const FIELD_LABELS: Readonly<Record<string, UiKey>> = {
  from: 'from',
  to: 'to',
  preset: 'preset',
  groupBy: 'groupBy',
  agency: 'agency',
  q: 'searchLabel',
  page: 'pagination',
  kind: 'kind',
  status: 'status',
  channel: 'channel',
  code: 'receiptCode',
  so: 'simulatorPhone',
  phone: 'simulatorPhone',
  text: 'simulatorText',
  cols: 'columns',
  reason: 'reason',
  rpage: 'pagination',
};

/** Errors of these pages as HTML pages in the user's language: 400 names the bad field. */
export function errorPage(logger: Logger) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const lang: WebLang = request.webLang ?? 'vi';
    const busy = sendBusyPage(request, reply, error);
    if (busy) return busy;
    let status = 500;
    let message = texts(lang).errors.systemError;
    if (error.validation && error.validation.length > 0) {
      status = 400;
      const issue = error.validation[0] as unknown as Parameters<typeof fieldOf>[1];
      const name = fieldOf(error.validationContext, issue).replace(/^(querystring|params|body)\./, '');
      const label = FIELD_LABELS[name];
      message = t(lang, 'invalidInput', { detail: label ? `${t(lang, label)} (${name})` : name });
    } else if (error instanceof AppError && error.status < 500) {
      status = error.status;
      message =
        error.code === 'BAD_PERIOD'
          ? t(lang, 'badDates')
          : error.status === 403
            ? t(lang, 'forbidden')
            : error.status === 404 && lang === 'en'
              ? t(lang, 'notFound')
              : error.message;
    } else if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      status = error.statusCode;
      message = t(lang, 'invalidInput', { detail: error.message });
    } else {
      logger.error({ err: error, req: requestForLog(request) }, 'report page error');
    }
    const body = html`<h1>${t(lang, 'errorTitle')}</h1><div class="card" role="alert"><p>${message}</p></div>`;
    return sendPage(
      reply,
      renderPage({ title: t(lang, 'errorTitle'), user: request.webUser, csrfToken: request.csrfToken, lang, body }),
      status,
    );
  };
}
