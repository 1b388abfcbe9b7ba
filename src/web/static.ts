/** The web screens' stylesheet and small enhancement script, served from memory (no build step). */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

const CSS = `
:root { color-scheme: light; --ink: #1b1b1b; --muted: #4a4a4a; --brand: #9b1c1c; --brand-dark: #7a1515; --ok: #0b6b2f; --late: #a4000f; --link: #1d4ed8; --line: #c4c4c4; --bg: #f6f6f4; --warn-bg: #fff7e0; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
.skip { position: absolute; left: -10000px; top: 0; background: #fff; color: var(--ink); padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: .5rem; top: .5rem; }
.site-header { background: var(--brand); color: #fff; }
.site-header a, .site-header button.link { color: #fff; }
.site-header a:focus-visible, .site-header button:focus-visible { outline-color: #fff; }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; padding: .75rem 1rem; max-width: 72rem; margin: 0 auto; }
.brand { font-weight: 700; font-size: 1.125rem; text-decoration: none; margin-right: auto; }
.who { font-size: .9375rem; }
.site-nav { background: var(--brand-dark); }
.site-nav ul { list-style: none; margin: 0 auto; padding: 0 .5rem; display: flex; flex-wrap: wrap; max-width: 72rem; }
.site-nav a { display: block; padding: .625rem .75rem; color: #fff; text-decoration: none; min-height: 44px; }
.site-nav a[aria-current="page"] { background: #fff; color: var(--brand-dark); font-weight: 700; }
nav.card a[aria-current="page"] { font-weight: 700; color: var(--ink); text-decoration: none; border-bottom: 3px solid var(--brand); }
.site-nav a:focus-visible { outline: 3px solid #fff; outline-offset: -3px; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: .25rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 1.5rem 0 .75rem; }
h3 { font-size: 1.0625rem; margin: 1rem 0 .5rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; margin: 0 0 1rem; }
.grid { display: grid; gap: 1rem; }
@media (min-width: 48rem) { .grid.two { grid-template-columns: 1fr 1fr; } .grid.three { grid-template-columns: repeat(3, 1fr); } }
form.stack, .stack { display: grid; gap: .75rem; }
.field { display: grid; gap: .25rem; }
label, .label { font-weight: 600; }
input[type=text], input[type=password], input[type=number], input[type=date], input[type=time], input[type=search], input[type=tel], input[type=email], select, textarea {
  font: inherit; padding: .625rem; border: 2px solid #555; border-radius: .375rem; width: 100%; background: #fff; color: var(--ink); min-height: 44px; }
textarea { min-height: 6rem; resize: vertical; }
input[aria-invalid="true"], select[aria-invalid="true"], textarea[aria-invalid="true"] { border-color: var(--late); }
.hint { color: var(--muted); font-size: .9375rem; margin: 0; }
.error { color: var(--late); font-weight: 600; margin: 0; }
.okmsg { color: var(--ok); font-weight: 600; margin: 0; }
.warnmsg { color: #6b4500; font-weight: 600; margin: 0; }
button, .button { font: inherit; font-weight: 600; padding: .625rem 1rem; border: 2px solid var(--brand); border-radius: .375rem; background: var(--brand); color: #fff; cursor: pointer; min-height: 44px; text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: #fff; color: var(--brand); }
button.link { background: none; border: 0; padding: 0; min-height: 0; text-decoration: underline; font-weight: 400; }
button.danger { background: var(--late); border-color: var(--late); }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.inline { display: inline; }
.error-summary { border: 4px solid var(--late); border-radius: .5rem; padding: .75rem 1rem; margin: 0 0 1rem; background: #fff; }
.error-summary:focus { outline: 3px solid #fd0; outline-offset: 0; }
.error-summary h2 { margin: 0 0 .5rem; }
.error-summary ul { margin: 0; padding-left: 1.25rem; }
.error-summary a { color: var(--late); font-weight: 600; }
.flash { border-radius: .5rem; padding: .75rem 1rem; margin: 0 0 1rem; border: 2px solid; background: #fff; }
.flash.success { border-color: var(--ok); }
.flash.error { border-color: var(--late); }
.flash.info { border-color: var(--link); }
.demo-banner { margin: 0; padding: .5rem 1rem; background: #ffd400; color: #1b1b1b; font-weight: 700; text-align: center; border-bottom: 3px solid #1b1b1b; }
.hold { background: var(--warn-bg); border: 2px solid #8a5a00; border-radius: .5rem; padding: .75rem 1rem; margin: 0 0 1rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eee; }
caption { text-align: left; font-weight: 600; padding: .5rem 0; }
dl.facts { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: .25rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; font-weight: 600; }
.ontime { color: var(--ok); } .late { color: var(--late); }
.badge { display: inline-block; border: 1px solid currentColor; border-radius: 1rem; padding: 0 .5rem; font-size: .875rem; }
.preview { white-space: pre-wrap; word-break: break-word; background: #f0f0f0; border: 1px solid var(--line); border-radius: .375rem; padding: .5rem; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .9375rem; }
.filters { display: grid; gap: .5rem; }
@media (min-width: 48rem) { .filters { grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); align-items: end; } }
.narrow { max-width: 28rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
pre.json { white-space: pre-wrap; word-break: break-word; font-size: .8125rem; margin: 0; max-width: 28rem; }
footer.site-footer { max-width: 72rem; margin: 0 auto; padding: 1rem; color: var(--muted); font-size: .875rem; }
.nowrap { white-space: nowrap; }
.page-range { margin: .5rem 0; font-weight: 600; font-variant-numeric: tabular-nums; }
.pagination ul { display: flex; flex-wrap: wrap; gap: .25rem; align-items: center; list-style: none; margin: 1rem 0; padding: 0; }
.pagination a { display: inline-flex; align-items: center; justify-content: center; min-width: 44px; min-height: 44px; padding: 0 .5rem; }
.pagination .current a { background: var(--brand); color: #fff; font-weight: 700; text-decoration: none; border-radius: .25rem; }
.pagination-gap { min-width: 2rem; text-align: center; }
.scroll-box { margin: 0 0 1rem; }
.scroll-hint { font-weight: 600; color: var(--muted); margin: 0 0 .25rem; }
.scroll-box .table-wrap { background:
  linear-gradient(to right, #fff 30%, rgba(255, 255, 255, 0)) left / 2.5rem 100% no-repeat local,
  linear-gradient(to left, #fff 30%, rgba(255, 255, 255, 0)) right / 2.5rem 100% no-repeat local,
  radial-gradient(farthest-side at 0 50%, rgba(0, 0, 0, .3), rgba(0, 0, 0, 0)) left / 1rem 100% no-repeat scroll,
  radial-gradient(farthest-side at 100% 50%, rgba(0, 0, 0, .3), rgba(0, 0, 0, 0)) right / 1rem 100% no-repeat scroll,
  #fff; }
.scroll-box table { background: transparent; }
.sticky-first tr > :first-child { position: sticky; left: 0; z-index: 1; box-shadow: inset -1px 0 0 var(--line); }
.sticky-first tbody td:first-child { background: #fff; }
`;

/** Enhancements only: every form also works without this script. */
const JS = `
(function () {
  'use strict';
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  var lang = document.documentElement.lang === 'en' ? 'en' : 'vi';

  // An error summary takes the focus, so the person (and their screen reader) starts from the list of problems.
  var summary = document.querySelector('[data-error-summary]');
  if (summary) {
    summary.focus();
    // A link of the summary puts the cursor in its field, with the field's label in view.
    summary.addEventListener('click', function (event) {
      var link = event.target && event.target.closest ? event.target.closest('a[href^="#"]') : null;
      var field = link ? document.getElementById(link.getAttribute('href').slice(1)) : null;
      if (!field) return;
      event.preventDefault();
      var details = field.closest('details');
      if (details) details.open = true;
      var labelFor = document.querySelector('label[for="' + field.id + '"]');
      (labelFor || field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  // Hold countdowns: data-countdown-seconds = seconds left when the page was rendered.
  document.querySelectorAll('[data-countdown-seconds]').forEach(function (box) {
    var left = Number(box.getAttribute('data-countdown-seconds'));
    var out = box.querySelector('[data-countdown-out]');
    var started = Date.now();
    function tick() {
      var remaining = Math.max(0, Math.ceil(left - (Date.now() - started) / 1000));
      if (out) out.textContent = String(remaining);
      if (remaining <= 0) {
        box.querySelectorAll('[data-countdown-undo]').forEach(function (el) { el.hidden = true; });
        box.querySelectorAll('[data-countdown-done]').forEach(function (el) { el.hidden = false; });
        box.querySelectorAll('[data-countdown-title]').forEach(function (el) { el.textContent = el.getAttribute('data-countdown-title'); });
        return;
      }
      setTimeout(tick, 250);
    }
    tick();
  });

  // Phone check while typing.
  document.querySelectorAll('input[data-phone-check]').forEach(function (input) {
    var out = document.getElementById(input.getAttribute('data-phone-check'));
    var timer = null;
    var seq = 0;
    function check() {
      var mine = ++seq;
      var value = input.value;
      if (!value.trim()) { if (out) { out.textContent = ''; out.className = 'hint'; } input.removeAttribute('aria-invalid'); return; }
      fetch('/mot-cua/kiem-tra-so?lang=' + lang + '&phone=' + encodeURIComponent(value), { headers: { accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (mine !== seq || !out) return;
          out.textContent = data.message;
          out.className = data.ok ? 'okmsg' : data.accepted ? 'warnmsg' : 'error';
          if (data.accepted) input.removeAttribute('aria-invalid'); else input.setAttribute('aria-invalid', 'true');
        })
        .catch(function () {});
    }
    input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(check, 250); });
    input.addEventListener('blur', check);
  });

  // Live preview of an SMS template.
  document.querySelectorAll('textarea[data-preview]').forEach(function (area) {
    var out = document.getElementById(area.getAttribute('data-preview'));
    var form = area.form;
    var timer = null;
    var seq = 0;
    function preview() {
      var mine = ++seq;
      var encoding = form && form.querySelector('[name="smsEncoding"]') ? form.querySelector('[name="smsEncoding"]').value : '';
      var body = new URLSearchParams();
      body.set('kind', area.getAttribute('data-kind') || '');
      body.set('agency', area.getAttribute('data-agency') || '');
      body.set('template', area.value);
      if (encoding) body.set('encoding', encoding);
      body.set('lang', lang);
      fetch('/cai-dat/xem-truoc', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'x-csrf-token': csrf }, body: body.toString(), credentials: 'same-origin' })
        .then(function (r) { return r.json(); })
        .then(function (data) { if (mine === seq && out) out.innerHTML = data.html; })
        .catch(function () {});
    }
    area.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(preview, 200); });
  });

  // A table wider than its box scrolls inside it (its hidden edges are shaded by CSS alone): say so, "Kéo ngang…".
  var scrollBoxes = document.querySelectorAll('[data-scroll-cue]');
  function scrollCue(box) {
    var wrap = box.querySelector('.table-wrap');
    if (!wrap) return;
    var over = wrap.scrollWidth > wrap.clientWidth + 1;
    box.setAttribute('data-overflow', over ? 'true' : 'false');
    var hint = box.querySelector('.scroll-hint');
    if (hint) hint.hidden = !over;
  }
  scrollBoxes.forEach(scrollCue);
  if (scrollBoxes.length > 0) {
    window.addEventListener('resize', function () { scrollBoxes.forEach(scrollCue); });
    // Opening a long message or a column chooser changes widths.
    document.addEventListener('toggle', function () { scrollBoxes.forEach(scrollCue); }, true);
  }
})();
`;

interface Asset {
  body: string;
  type: string;
  etag: string;
}

const asset = (body: string, type: string): Asset => ({
  body,
  type,
  etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`,
});

const ASSETS: Readonly<Record<string, Asset>> = {
  '/static/app.css': asset(CSS, 'text/css; charset=utf-8'),
  '/static/app.js': asset(JS, 'text/javascript; charset=utf-8'),
};

export function staticRoutes(app: FastifyInstance): void {
  for (const [url, item] of Object.entries(ASSETS)) {
    app.get(url, { schema: { hide: true } }, async (request, reply) => {
      reply.header('etag', item.etag).header('cache-control', 'public, max-age=300').header('x-content-type-options', 'nosniff');
      if (request.headers['if-none-match'] === item.etag) return reply.code(304).send();
      return reply.type(item.type).send(item.body);
    });
  }
}
