/**
 * What a citizen should do next, for each of the eight dossier states, in plain words (the style of
 * dichvucong.gov.vn): where to bring papers, where and when to collect a result, what to carry, whom to
 * call. Filled in from the agency's settings (address, office hours, hotline, supplement rule).
 */
import type { DossierState } from '../dossiers/dossier.state-machine.js';
import type { PublicAgency } from './public-lookup.service.js';

export type LookupLang = 'vi' | 'en';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "07:00-11:30,13:30-17:00" → "07:00–11:30 và 13:30–17:00" ("… and …" in English). */
export function officeHoursText(officeHours: string, lang: LookupLang): string {
  const spans = officeHours
    .split(',')
    .map((span) => span.trim().replace('-', '–'))
    .filter(Boolean);
  return spans.join(lang === 'en' ? ' and ' : ' và ');
}

function desk(agency: PublicAgency, lang: LookupLang): string {
  // Names and addresses are data typed in Vietnamese: on the English page they are marked as such.
  const data = (text: string) => (lang === 'en' ? `<span lang="vi">${escapeHtml(text)}</span>` : `<strong>${escapeHtml(text)}</strong>`);
  if (lang === 'en') {
    const of = agency.name ? ` of ${data(agency.name)}` : '';
    return `the one-stop desk (reception and results)${of}${agency.address ? `, ${data(agency.address)}` : ''}`;
  }
  const of = agency.name ? ` của ${data(agency.name)}` : '';
  return `Bộ phận tiếp nhận và trả kết quả (Bộ phận một cửa)${of}${agency.address ? `, địa chỉ: ${data(agency.address)}` : ''}`;
}

function hours(agency: PublicAgency, lang: LookupLang): string {
  if (!agency.officeHours) return lang === 'en' ? 'during office hours on working days' : 'trong giờ hành chính các ngày làm việc';
  const text = escapeHtml(officeHoursText(agency.officeHours, lang));
  return lang === 'en' ? `on working days, ${text}` : `trong giờ làm việc: ${text}, các ngày làm việc`;
}

function call(agency: PublicAgency, lang: LookupLang): string {
  if (!agency.hotline) {
    return lang === 'en'
      ? '<p>Questions? Ask at the one-stop desk (details below).</p>'
      : '<p>Cần hỏi thêm? Hãy liên hệ Bộ phận một cửa theo thông tin bên dưới.</p>';
  }
  const tel = `<a href="tel:${escapeHtml(agency.hotline.replace(/[^0-9+]/g, ''))}">${escapeHtml(agency.hotline)}</a>`;
  return lang === 'en' ? `<p>Questions? Call the hotline ${tel}.</p>` : `<p>Cần hỏi thêm? Gọi đường dây nóng ${tel}.</p>`;
}

function vi(state: DossierState, agency: PublicAgency): string {
  const where = desk(agency, 'vi');
  const when = hours(agency, 'vi');
  switch (state) {
    case 'received':
      return '<p>Hồ sơ của bạn đã được tiếp nhận và đang được chuyển đến bộ phận giải quyết. Bạn chưa cần làm gì thêm.</p><p>Hãy giữ Giấy tiếp nhận hồ sơ và hẹn trả kết quả: bạn cần giấy này để tra cứu và để nhận kết quả.</p>';
    case 'in_progress':
      return '<p>Cơ quan đang giải quyết hồ sơ của bạn. Bạn chưa cần làm gì thêm.</p><p>Cơ quan sẽ báo cho bạn khi có kết quả, hoặc khi cần bổ sung giấy tờ.</p>';
    case 'awaiting_supplement':
      return `<p>Hồ sơ của bạn cần bổ sung giấy tờ. Những giấy tờ cần bổ sung được ghi trong Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ mà cơ quan đã gửi cho bạn.</p>
<ul><li>Mang các giấy tờ đó và Giấy tiếp nhận hồ sơ và hẹn trả kết quả.</li><li>Nộp tại ${where}, ${when}.</li></ul>
<p>${
        agency.supplementRule === 'restart'
          ? 'Thời hạn giải quyết được tính lại từ ngày bạn nộp đủ giấy tờ bổ sung.'
          : 'Thời gian chờ bổ sung không tính vào thời hạn giải quyết; ngày hẹn trả sẽ được lùi lại tương ứng.'
      }</p>`;
    case 'result_ready':
      return `<p>Đã có kết quả giải quyết hồ sơ của bạn. Mời bạn đến nhận tại ${where}, ${when}.</p>
<ul><li>Mang theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả.</li><li>Mang theo Căn cước công dân (hoặc thẻ Căn cước, hộ chiếu) của người nộp hồ sơ. Nếu nhận thay, mang thêm giấy uỷ quyền và giấy tờ tuỳ thân của người nhận thay.</li></ul>
<p>Muốn nhận kết quả qua bưu điện (dịch vụ bưu chính công ích)? Hãy đăng ký với Bộ phận một cửa${agency.hotline ? ' hoặc gọi đường dây nóng' : ''}; phí chuyển phát do người nhận trả.</p>`;
    case 'returned':
      return '<p>Bạn đã nhận kết quả. Hồ sơ đã hoàn tất, bạn không cần làm gì thêm.</p><p>Nếu có thắc mắc về kết quả, hãy liên hệ cơ quan theo thông tin bên dưới.</p>';
    case 'refused':
      return `<p>Hồ sơ không đủ điều kiện giải quyết. Lý do được ghi trong văn bản trả lời của cơ quan.</p><p>Bạn có thể nhận lại hồ sơ đã nộp tại ${where}, ${when}. Khi đủ điều kiện, bạn có thể nộp hồ sơ mới.</p>`;
    case 'withdrawn':
      return '<p>Hồ sơ đã được rút theo đề nghị của người nộp; cơ quan không tiếp tục giải quyết. Bạn không cần làm gì thêm.</p><p>Khi cần, bạn có thể nộp hồ sơ mới.</p>';
    case 'stopped':
      return '<p>Cơ quan đã dừng xử lý hồ sơ này. Lý do được ghi trong thông báo của cơ quan gửi cho bạn.</p><p>Hãy liên hệ cơ quan theo thông tin bên dưới để biết bạn cần làm gì tiếp.</p>';
  }
}

function en(state: DossierState, agency: PublicAgency): string {
  const where = desk(agency, 'en');
  const when = hours(agency, 'en');
  switch (state) {
    case 'received':
      return '<p>Your dossier has been received and is being passed to the officers who will handle it. Nothing is needed from you yet.</p><p>Keep your dossier receipt and appointment slip: you need it to look up your dossier and to collect the result.</p>';
    case 'in_progress':
      return '<p>The agency is working on your dossier. Nothing is needed from you yet.</p><p>The agency will tell you when the result is ready, or if more papers are needed.</p>';
    case 'awaiting_supplement':
      return `<p>Your dossier needs more papers. The request for additional documents that the agency sent you lists them.</p>
<ul><li>Bring those papers and your dossier receipt.</li><li>Hand them in at ${where}, ${when}.</li></ul>
<p>${
        agency.supplementRule === 'restart'
          ? 'The processing time starts again from the day you hand in all the papers.'
          : 'The time spent waiting for the papers does not count against the processing time; the result date moves back to match.'
      }</p>`;
    case 'result_ready':
      return `<p>The result of your dossier is ready. Please collect it at ${where}, ${when}.</p>
<ul><li>Bring your dossier receipt and appointment slip.</li><li>Bring the applicant's citizen ID card (or ID card, passport). Someone collecting on the applicant's behalf also brings a letter of authorisation and their own ID.</li></ul>
<p>Prefer to receive the result by post (public postal service)? Register at the one-stop desk${agency.hotline ? ' or call the hotline' : ''}; the recipient pays the postage.</p>`;
    case 'returned':
      return '<p>You have collected the result. The dossier is complete; nothing more is needed from you.</p><p>If you have questions about the result, contact the agency (details below).</p>';
    case 'refused':
      return `<p>The dossier does not meet the conditions to be processed. The agency's written reply gives the reason.</p><p>You can take back the papers you handed in at ${where}, ${when}. Once the conditions are met, you may file a new dossier.</p>`;
    case 'withdrawn':
      return "<p>The dossier was withdrawn at the applicant's request; the agency will not process it further. Nothing more is needed from you.</p><p>You may file a new dossier whenever you need.</p>";
    case 'stopped':
      return '<p>The agency has stopped processing this dossier. The notice the agency sent you gives the reason.</p><p>Contact the agency (details below) to learn what to do next.</p>';
  }
}

/** The next-step block for a state, as HTML (every piece of data escaped). */
export function nextStepHtml(state: DossierState, agency: PublicAgency, lang: LookupLang): string {
  const body = lang === 'en' ? en(state, agency) : vi(state, agency);
  return `${body ?? ''}${call(agency, lang)}`;
}
