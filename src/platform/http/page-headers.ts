import type { FastifyReply } from 'fastify';

/** Headers of every HTML page, staff and public alike: no caching (personal data, live status), no framing
 *  (clickjacking), no sniffing, and a policy that runs only our own scripts and styles. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
});

/** Sends an HTML page with PAGE_HEADERS. */
export function sendHtml(reply: FastifyReply, page: string, status = 200): FastifyReply {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').headers(PAGE_HEADERS).send(page);
}
