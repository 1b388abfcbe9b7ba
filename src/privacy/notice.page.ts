/** /quyen-rieng-tu: the public privacy notice (Law 91/2025/QH15) — what is processed, why, how long, whom to contact. */
import type { RetentionSettings } from '../platform/config/config.js';
import type { NoticeContact } from '../reference/system-settings.service.js';
import { LOOKUP_CSS_PATH, escapeHtml } from '../inbound/lookup.page.js';

export const NOTICE_PATH = '/quyen-rieng-tu';

export interface NoticeModel {
  lang: 'vi' | 'en';
  retention: RetentionSettings;
  /** Whom to contact about one's data: the system settings, else MOTCUA_PRIVACY_CONTACT; null: the agency that received the dossier. */
  contact: NoticeContact;
}

export function renderNotice(model: NoticeModel): string {
  const r = model.retention;
  const vi = model.lang === 'vi';
  const contact = contactHtml(model.contact, vi);
  const rows = vi
    ? [
        ['Họ tên, số điện thoại, thư điện tử người nộp', 'gửi thông báo về hồ sơ', `${r.dossierDays} ngày sau khi hồ sơ kết thúc`],
        ['Số nhận và nội dung tin nhắn', 'gửi tin, đối soát cước với nhà mạng', `${r.messageDays} ngày sau khi tin có trạng thái cuối`],
        ['Số gửi và nội dung tin tra cứu (MO)', 'trả lời tra cứu, chống dò mã', `${r.inboundDays} ngày`],
        ['Số liệu tổng hợp không định danh', 'giám sát, báo cáo', 'lâu dài'],
      ]
    : [
        ["Applicant's name, phone number, e-mail", 'notifications about the dossier', `${r.dossierDays} days after the dossier closes`],
        ['Recipient and text of messages', 'sending, reconciling charges with carriers', `${r.messageDays} days after the final status`],
        ['Sender and text of look-up SMS (MO)', 'answering look-ups, guarding against enumeration', `${r.inboundDays} days`],
        ['Aggregate figures without identity', 'oversight, reports', 'kept'],
      ];
  const table = rows.map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<!doctype html>
<html lang="${model.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${vi ? 'Quyền riêng tư' : 'Privacy'} – MotcuaSMS</title>
<link rel="stylesheet" href="${LOOKUP_CSS_PATH}">
</head>
<body>
<header>
  <h1>${vi ? 'Quyền riêng tư và dữ liệu cá nhân' : 'Privacy and personal data'}</h1>
  <p><a href="${NOTICE_PATH}?lang=${vi ? 'en' : 'vi'}" lang="${vi ? 'en' : 'vi'}" hreflang="${vi ? 'en' : 'vi'}">${vi ? 'English' : 'Tiếng Việt'}</a></p>
</header>
<main>
  <p>${
    vi
      ? 'Theo Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 và Nghị định 356/2025/NĐ-CP. Hồ sơ gốc do phần mềm một cửa quản lý; hệ thống này chỉ giữ dữ liệu để gửi thông báo, trả lời tra cứu và lập số liệu giám sát.'
      : 'Under Law No. 91/2025/QH15 on Personal Data Protection and Decree 356/2025/ND-CP. The authoritative dossier is kept by the one-stop software; this system keeps data only to send notifications, answer look-ups and compute oversight figures.'
  }</p>
  <table>
  <thead><tr><th scope="col">${vi ? 'Dữ liệu' : 'Data'}</th><th scope="col">${vi ? 'Mục đích' : 'Purpose'}</th><th scope="col">${vi ? 'Thời hạn lưu' : 'Kept for'}</th></tr></thead>
  <tbody>
${table}
  </tbody>
  </table>
  <p>${
    vi
      ? 'Hết thời hạn, họ tên, số điện thoại và nội dung tin được xoá định danh. Bạn có quyền yêu cầu xem toàn bộ dữ liệu về số điện thoại của mình và yêu cầu xoá; hồ sơ đang giải quyết giữ họ tên và số đến khi kết thúc.'
      : 'After that, names, numbers and message texts are de-identified. You may ask to see everything held about your number and to have it erased; a dossier still open keeps the name and number until it closes.'
  }</p>
  ${contact}
</main>
<footer><p><a href="/tra-cuu">${vi ? 'Tra cứu hồ sơ' : 'Dossier look-up'}</a></p></footer>
</body>
</html>`;
}

/** The contact paragraph: the controller set in the system settings (with address, e-mail and phone as
 *  links), the server's default text, or the receiving agency's desk. */
function contactHtml(contact: NoticeContact, vi: boolean): string {
  const label = vi ? 'Liên hệ' : 'Contact';
  if (contact === null)
    return `<p>${label}: ${vi ? 'bộ phận một cửa của cơ quan đã tiếp nhận hồ sơ' : 'the one-stop desk of the agency that received the dossier'}</p>`;
  if (contact.kind === 'default') return `<p>${label}: ${escapeHtml(contact.text)}</p>`;
  const c = contact.contact;
  const lines = [
    `<dt>${vi ? 'Tổ chức' : 'Organisation'}</dt><dd data-testid="contact-organisation">${escapeHtml(c.organisation)}</dd>`,
    c.address ? `<dt>${vi ? 'Địa chỉ' : 'Address'}</dt><dd>${escapeHtml(c.address)}</dd>` : '',
    c.email ? `<dt>${vi ? 'Thư điện tử' : 'E-mail'}</dt><dd><a href="mailto:${escapeHtml(c.email)}">${escapeHtml(c.email)}</a></dd>` : '',
    c.phone
      ? `<dt>${vi ? 'Điện thoại' : 'Phone'}</dt><dd><a href="tel:${escapeHtml(c.phone.replace(/[^\d+]/g, ''))}">${escapeHtml(c.phone)}</a></dd>`
      : '',
  ];
  return `<h2>${label}</h2>\n  <dl>${lines.filter(Boolean).join('')}</dl>`;
}
