/** The public look-up page: server-rendered, works without JavaScript, no personal data. */
import { STATE_LABELS } from '../dossiers/dossier.labels.js';
import { CLOSED_WITHOUT_RESULT } from '../dossiers/dossier.deadline.js';
import type { DossierState } from '../dossiers/dossier.state-machine.js';
import type { PublicAgency, PublicStatus } from './public-lookup.service.js';
import { escapeHtml, nextStepHtml, officeHoursText, type LookupLang } from './lookup.next-step.js';

export { escapeHtml };

export interface LookupPageModel {
  code: string;
  status: PublicStatus | null;
  /** Who answers: the dossier's agency, with the contact details from its settings. */
  agency?: PublicAgency | null;
  /** 'vi' (default) or 'en' (?lang=en): the whole page in one language. */
  lang?: LookupLang;
  /** The SMS syntax in English words ("MCKH <receipt code> to 8083"), for the English page. */
  syntaxEn?: string;
  /** 'not_found' | 'invalid' | 'rate_limited' when there is no status to show */
  problem: 'not_found' | 'invalid' | 'rate_limited' | null;
  syntax: string;
  feeVnd: number;
  /** With 'rate_limited': in how many minutes the address may look up again. */
  retryMinutes?: number;
}

function formatDue(iso: string, lang: LookupLang): string {
  // "2026-11-27T08:15:00+07:00" → "08:15 ngày 27/11/2026" (English: "08:15 on 27/11/2026")
  const [date = '', time = ''] = iso.split('T');
  const [y, m, d] = date.split('-');
  return `${time.slice(0, 5)} ${lang === 'en' ? 'on' : 'ngày'} ${d}/${m}/${y}`;
}

/** The page's styles, served as a file: the page has the staff pages' CSP, which runs no inline style. */
export const LOOKUP_CSS_PATH = '/tra-cuu.css';
export const LOOKUP_CSS = `  :root { color-scheme: light; --ink: #1b1b1b; --muted: #4a4a4a; --brand: #9b1c1c; --ok: #0b6b2f; --late: #a4000f; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 1.0625rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink); background: #f6f6f4; }
  header { background: var(--brand); color: #fff; padding: 1rem; }
  header h1 { margin: 0; font-size: 1.25rem; }
  header p { margin: .25rem 0 0; font-size: .95rem; }
  main { max-width: 36rem; margin: 0 auto; padding: 1rem; }
  form { display: grid; gap: .5rem; background: #fff; padding: 1rem; border-radius: .5rem; border: 1px solid #ccc; }
  label { font-weight: 600; }
  input[type=text] { font: inherit; padding: .75rem; border: 2px solid #555; border-radius: .375rem; width: 100%; }
  input[type=text]:focus, button:focus { outline: 3px solid #1d4ed8; outline-offset: 2px; }
  button { font: inherit; font-weight: 600; padding: .75rem; border: 0; border-radius: .375rem; background: var(--brand); color: #fff; cursor: pointer; min-height: 44px; }
  .hint { color: var(--muted); font-size: .95rem; margin: 0; }
  .result, .problem { margin-top: 1rem; background: #fff; padding: 1rem; border-radius: .5rem; border: 1px solid #ccc; }
  .result h2 { margin: 0 0 .5rem; font-size: 1.125rem; word-break: break-all; }
  dl { margin: 0; display: grid; gap: .5rem; }
  dt { color: var(--muted); font-size: .95rem; }
  dd { margin: 0; font-weight: 600; }
  .ontime { color: var(--ok); } .late { color: var(--late); }
  .next { margin-top: 1rem; background: #fff; padding: 1rem; border-radius: .5rem; border: 1px solid #ccc; border-left: 6px solid var(--brand); }
  .next h2, .who h2 { margin: 0 0 .5rem; font-size: 1.125rem; }
  .next p { margin: 0 0 .5rem; } .next ul { margin: 0 0 .5rem; padding-left: 1.25rem; }
  .who { margin-top: 1rem; background: #fff; padding: 1rem; border-radius: .5rem; border: 1px solid #ccc; }
  .sep { color: var(--muted); font-weight: 400; }
  header a:focus, main a:focus, footer a:focus { outline: 3px solid #1d4ed8; outline-offset: 2px; }
  .problem { border-color: var(--late); }
  footer { max-width: 36rem; margin: 0 auto; padding: 1rem; color: var(--muted); font-size: .95rem; }
`;

interface PageTexts {
  title: string;
  heading: string;
  label: string;
  hint: string;
  button: string;
  dossier: string;
  state: string;
  step: string;
  due: string;
  next: string;
  who: string;
  agency: string;
  province: string;
  address: string;
  hours: string;
  hotline: string;
  onTime: string;
  late: string;
  notFound: (code: string) => string;
  invalid: string;
  rateLimited: (minutes: string, syntax: string) => string;
  bySms: (syntax: string, fee: string) => string;
  privacy: string;
  privacyLink: string;
  switchTo: string;
}

const TEXTS: Readonly<Record<LookupLang, PageTexts>> = {
  vi: {
    title: 'Tra cứu hồ sơ thủ tục hành chính',
    heading: 'Tra cứu tình trạng hồ sơ',
    label: 'Mã số biên nhận',
    hint: 'Ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả, ví dụ 000.00.15.H34-261123-0001.',
    button: 'Tra cứu',
    dossier: 'Hồ sơ',
    state: 'Tình trạng',
    step: 'Bước giải quyết hiện tại',
    due: 'Ngày hẹn trả kết quả',
    next: 'Bạn cần làm gì tiếp theo',
    who: 'Cơ quan giải quyết hồ sơ',
    agency: 'Cơ quan',
    province: 'Tỉnh, thành phố',
    address: 'Địa chỉ',
    hours: 'Giờ làm việc',
    hotline: 'Đường dây nóng',
    onTime: 'Đúng hạn',
    late: 'Trễ hạn',
    notFound: (code) =>
      `Không tìm thấy hồ sơ có mã số <strong>${code}</strong>. Vui lòng kiểm tra lại mã số trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả.`,
    invalid: 'Mã số biên nhận chỉ gồm chữ, số, dấu chấm và dấu gạch ngang (tối đa 64 ký tự).',
    rateLimited: (minutes, syntax) =>
      `Địa chỉ mạng này đã tra cứu quá nhiều lần trong thời gian ngắn (nhiều người dùng chung mạng ở cửa hàng, quán cà phê cũng tính chung). Vui lòng thử lại sau <strong data-testid="retry-minutes">${minutes} phút</strong>. Bạn cũng có thể tra cứu bằng tin nhắn: soạn ${syntax}.`,
    bySms: (syntax, fee) => `Tra cứu bằng tin nhắn: soạn <strong>${syntax}</strong> (phí ${fee} đồng/tin).`,
    privacy: 'Trang này không hiển thị họ tên hay số điện thoại của người nộp hồ sơ.',
    privacyLink: 'Quyền riêng tư',
    switchTo: '<a href="?lang=en" lang="en" hreflang="en">English</a>',
  },
  en: {
    title: 'Administrative dossier look-up',
    heading: 'Dossier status look-up',
    label: 'Receipt code',
    hint: 'Printed on the dossier receipt and appointment slip, e.g. 000.00.15.H34-261123-0001.',
    button: 'Look up',
    dossier: 'Dossier',
    state: 'Status',
    step: 'Current step',
    due: 'Result due',
    next: 'What to do next',
    who: 'Agency handling the dossier',
    agency: 'Agency',
    province: 'Province or city',
    address: 'Address',
    hours: 'Office hours',
    hotline: 'Hotline',
    onTime: 'On time',
    late: 'Late',
    notFound: (code) => `No dossier has the code <strong>${code}</strong>. Please check the code on your dossier receipt.`,
    invalid: 'A receipt code has only letters, digits, dots and dashes (64 characters at most).',
    rateLimited: (minutes, syntax) =>
      `This network address has looked up too many codes in a short time (people sharing a network in a shop or café count together). Please try again in <strong data-testid="retry-minutes">${minutes} min</strong>. You can also look up by SMS: send ${syntax}.`,
    bySms: (syntax, fee) => `Look up by SMS: send <strong>${syntax}</strong> (${fee} VND per message).`,
    privacy: "This page never shows the applicant's name or phone number.",
    privacyLink: 'Privacy',
    switchTo: '<a href="?lang=vi" lang="vi" hreflang="vi">Tiếng Việt</a>',
  },
};

/** Data typed by people (step names, agency names, addresses) stays as written: marked Vietnamese on the English page. */
function data(text: string, lang: LookupLang): string {
  return lang === 'en' ? `<span lang="vi">${escapeHtml(text)}</span>` : escapeHtml(text);
}

function agencySection(agency: PublicAgency, t: PageTexts, lang: LookupLang): string {
  const rows: string[] = [`<div><dt>${t.agency}</dt><dd data-testid="agency-name">${data(agency.name, lang)}</dd></div>`];
  if (agency.province) rows.push(`<div><dt>${t.province}</dt><dd data-testid="agency-province">${data(agency.province, lang)}</dd></div>`);
  if (agency.address) rows.push(`<div><dt>${t.address}</dt><dd data-testid="agency-address">${data(agency.address, lang)}</dd></div>`);
  if (agency.officeHours) rows.push(`<div><dt>${t.hours}</dt><dd>${escapeHtml(officeHoursText(agency.officeHours, lang))}</dd></div>`);
  if (agency.hotline)
    rows.push(
      `<div><dt>${t.hotline}</dt><dd><a href="tel:${escapeHtml(agency.hotline.replace(/[^0-9+]/g, ''))}" data-testid="agency-hotline">${escapeHtml(agency.hotline)}</a></dd></div>`,
    );
  return `
    <section class="who" aria-labelledby="who-title">
      <h2 id="who-title">${t.who}</h2>
      <dl>${rows.join('')}</dl>
    </section>`;
}

export function renderLookupPage(model: LookupPageModel): string {
  const { code, status, problem, syntax, feeVnd } = model;
  const lang: LookupLang = model.lang ?? 'vi';
  const t = TEXTS[lang];
  const smsSyntax = escapeHtml(lang === 'en' ? (model.syntaxEn ?? syntax) : syntax);
  let result = '';
  if (status) {
    const state = status.state as DossierState;
    const label = STATE_LABELS[state] ?? { vi: status.state, en: status.state };
    // The on-time label only where the deadline rule gives one (never for refused, withdrawn, stopped).
    const onTime =
      status.statusText === null || status.onTime === null
        ? ''
        : ` <span class="sep" aria-hidden="true">·</span> <strong class="${status.onTime ? 'ontime' : 'late'}" data-testid="status">${status.onTime ? t.onTime : t.late}</strong>`;
    const due = CLOSED_WITHOUT_RESULT.has(state)
      ? ''
      : `<div><dt>${t.due}</dt><dd data-testid="due">${escapeHtml(formatDue(status.dueAt, lang))}</dd></div>`;
    const agency: PublicAgency = model.agency ?? {
      name: '',
      province: null,
      address: null,
      hotline: null,
      officeHours: null,
      supplementRule: 'pause',
    };
    result = `
    <section class="result" aria-labelledby="result-title" role="status">
      <h2 id="result-title">${t.dossier} ${escapeHtml(status.receiptCode)}</h2>
      <dl>
        <div><dt>${t.state}</dt><dd><span data-testid="state">${escapeHtml(lang === 'en' ? label.en : label.vi)}</span>${onTime}</dd></div>
        <div><dt>${t.step}</dt><dd data-testid="step">${data(status.step, lang)}</dd></div>
        ${due}
      </dl>
    </section>
    <section class="next" aria-labelledby="next-title">
      <h2 id="next-title">${t.next}</h2>
      <div data-testid="next-step">${nextStepHtml(state, agency, lang)}</div>
    </section>${model.agency ? agencySection(model.agency, t, lang) : ''}`;
  } else if (problem) {
    const message =
      problem === 'not_found'
        ? t.notFound(escapeHtml(code))
        : problem === 'invalid'
          ? t.invalid
          : t.rateLimited(String(model.retryMinutes ?? 1), smsSyntax);
    result = `<section class="problem" role="alert"><p>${message}</p></section>`;
  }
  const fee = feeVnd.toLocaleString(lang === 'en' ? 'en-US' : 'vi-VN');
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t.title}${code ? ` – ${escapeHtml(code)}` : ''}</title>
<meta name="robots" content="noindex">
<link rel="stylesheet" href="${LOOKUP_CSS_PATH}">
</head>
<body>
<header>
  <h1>${t.heading}</h1>
</header>
<main>
  <form method="get" action="/tra-cuu" role="search">
    <label for="ma">${t.label}</label>
    <input type="text" id="ma" name="ma" value="${escapeHtml(code)}" maxlength="64" autocomplete="off" autocapitalize="characters" spellcheck="false" inputmode="text" aria-describedby="ma-hint" required>
    ${lang === 'en' ? '<input type="hidden" name="lang" value="en">' : ''}
    <p id="ma-hint" class="hint">${t.hint}</p>
    <button type="submit">${t.button}</button>
  </form>
  ${result}
</main>
<footer>
  <p>${t.bySms(smsSyntax, fee)}</p>
  <p>${t.privacy} <a href="/quyen-rieng-tu${lang === 'en' ? '?lang=en' : ''}">${t.privacyLink}</a>.</p>
  <p class="langs">${t.switchTo}</p>
</footer>
</body>
</html>`;
}
