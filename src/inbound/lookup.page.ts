/** The public look-up page: server-rendered, works without JavaScript, no personal data. */
import { STATE_LABELS } from '../dossiers/dossier.labels.js';
import type { DossierState } from '../dossiers/dossier.state-machine.js';
import type { PublicStatus } from './lookup.service.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface LookupPageModel {
  code: string;
  status: PublicStatus | null;
  /** 'not_found' | 'invalid' | 'rate_limited' when there is no status to show */
  problem: 'not_found' | 'invalid' | 'rate_limited' | null;
  syntax: string;
  feeVnd: number;
  /** With 'rate_limited': in how many minutes the address may look up again. */
  retryMinutes?: number;
}

function formatDue(iso: string): string {
  // "2026-11-27T08:15:00+07:00" → "08:15 ngày 27/11/2026"
  const [date = '', time = ''] = iso.split('T');
  const [y, m, d] = date.split('-');
  return `${time.slice(0, 5)} ngày ${d}/${m}/${y}`;
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
  .en { color: var(--muted); font-weight: 400; }
  .problem { border-color: var(--late); }
  footer { max-width: 36rem; margin: 0 auto; padding: 1rem; color: var(--muted); font-size: .95rem; }
`;

export function renderLookupPage(model: LookupPageModel): string {
  const { code, status, problem, syntax, feeVnd } = model;
  let result = '';
  if (status) {
    const label = STATE_LABELS[status.state as DossierState] ?? { vi: status.state, en: status.state };
    result = `
    <section class="result" aria-labelledby="result-title" role="status">
      <h2 id="result-title">Hồ sơ ${escapeHtml(status.receiptCode)}</h2>
      <dl>
        <div><dt>Bước giải quyết hiện tại</dt><dd data-testid="step">${escapeHtml(status.step)}</dd></div>
        <div><dt>Tình trạng</dt><dd>${escapeHtml(label.vi)} <span lang="en" class="en">(${escapeHtml(label.en)})</span></dd></div>
        <div><dt>Ngày hẹn trả kết quả</dt><dd>${escapeHtml(formatDue(status.dueAt))}</dd></div>
        ${status.statusText === null ? '' : `<div><dt>Trạng thái</dt><dd><strong class="${status.onTime ? 'ontime' : 'late'}" data-testid="status">${escapeHtml(status.statusText)}</strong></dd></div>`}
      </dl>
    </section>`;
  } else if (problem) {
    const message =
      problem === 'not_found'
        ? `Không tìm thấy hồ sơ có mã số <strong>${escapeHtml(code)}</strong>. Vui lòng kiểm tra lại mã số trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả.`
        : problem === 'invalid'
          ? 'Mã số biên nhận chỉ gồm chữ, số, dấu chấm và dấu gạch ngang (tối đa 64 ký tự).'
          : `Địa chỉ mạng này đã tra cứu quá nhiều lần trong thời gian ngắn (nhiều người dùng chung mạng ở cửa hàng, quán cà phê cũng tính chung). Vui lòng thử lại sau <strong data-testid="retry-minutes">${model.retryMinutes ?? 1} phút</strong>. Bạn cũng có thể tra cứu bằng tin nhắn: soạn ${escapeHtml(syntax)}.`;
    result = `<section class="problem" role="alert"><p>${message}</p></section>`;
  }
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tra cứu hồ sơ thủ tục hành chính${code ? ` – ${escapeHtml(code)}` : ''}</title>
<meta name="robots" content="noindex">
<link rel="stylesheet" href="${LOOKUP_CSS_PATH}">
</head>
<body>
<header>
  <h1>Tra cứu tình trạng hồ sơ</h1>
  <p lang="en">Administrative dossier status look-up</p>
</header>
<main>
  <form method="get" action="/tra-cuu" role="search">
    <label for="ma">Mã số biên nhận</label>
    <input type="text" id="ma" name="ma" value="${escapeHtml(code)}" maxlength="64" autocomplete="off" autocapitalize="characters" spellcheck="false" inputmode="text" aria-describedby="ma-hint" required>
    <p id="ma-hint" class="hint">Ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả, ví dụ 000.00.15.H34-261123-0001.</p>
    <button type="submit">Tra cứu</button>
  </form>
  ${result}
</main>
<footer>
  <p>Tra cứu bằng tin nhắn: soạn <strong>${escapeHtml(syntax)}</strong> (phí ${feeVnd.toLocaleString('vi-VN')} đồng/tin).</p>
  <p>Trang này không hiển thị họ tên hay số điện thoại của người nộp hồ sơ. <a href="/quyen-rieng-tu">Quyền riêng tư</a> (<a href="/quyen-rieng-tu?lang=en" lang="en">privacy</a>).</p>
</footer>
</body>
</html>`;
}
