/** /mot-cua: the desk's front page, the live phone check and intake. */
import type { FastifyInstance } from 'fastify';
import type { AppError } from '../../platform/errors.js';
import { forbidden } from '../../platform/errors.js';
import { phoneProblemMessage } from '../../lib/phone/phone.js';
import { isEmailAddress } from '../../lib/email.js';
import type { ReturnMethod, SubmissionChannel } from '../../dossiers/dossier.input.js';
import { fieldErrorOf, formBool, formString, type FieldErrors } from '../forms.js';
import { requireWebUser } from '../web.session.js';
import { principalForUser, type WebUser } from '../web.types.js';
import { T } from './desk.strings.js';
import { phoneStatus, sendDeskPage, type DeskDeps, type IntakeForm } from './desk.view.js';

export const DESK_ROLES = ['admin', 'agency_admin', 'clerk'] as const;
const RECEIPT = /^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/;
const CHANNELS = ['counter', 'postal', 'online'];

/** The agency a desk user works for: their own, or (admin) the one chosen. */
export async function deskAgency(deps: DeskDeps, user: WebUser, requested: string): Promise<string | null> {
  if (user.role !== 'admin') return user.agencyCode;
  if (requested && (await deps.agencies.get(requested))) return requested;
  return (await deps.agencies.list())[0]?.code ?? null;
}

export function deskIntakeRoutes(app: FastifyInstance, deps: DeskDeps): void {
  const guard = { preHandler: requireWebUser([...DESK_ROLES]) };

  app.get('/mot-cua/kiem-tra-so', guard, async (request, reply) => {
    const phone = String((request.query as Record<string, unknown>).phone ?? '').slice(0, 64);
    return reply.header('cache-control', 'no-store').send(phoneStatus(phone, request.webLang));
  });

  app.get('/mot-cua', guard, async (request, reply) => {
    const agencyCode = await deskAgency(deps, request.webUser!, String((request.query as Record<string, unknown>).agency ?? ''));
    return sendDeskPage(deps, request, reply, agencyCode, null, {}, null);
  });

  app.post('/mot-cua/tiep-nhan', guard, async (request, reply) => {
    const user = request.webUser!;
    const lang = request.webLang;
    const t = T[lang];
    const body = request.body;
    const agencyCode = await deskAgency(deps, user, formString(body, 'agencyCode'));
    if (!agencyCode) throw forbidden();
    const form: IntakeForm = {
      receiptCode: formString(body, 'receiptCode').trim(),
      procedureCode: formString(body, 'procedureCode'),
      applicantName: formString(body, 'applicantName').normalize('NFC').trim(),
      phone: formString(body, 'phone').trim(),
      noPhone: formBool(body, 'noPhone'),
      email: formString(body, 'email').trim(),
      returnMethod: CHANNELS.includes(formString(body, 'returnMethod')) ? formString(body, 'returnMethod') : 'counter',
      submittedVia: CHANNELS.includes(formString(body, 'submittedVia')) ? formString(body, 'submittedVia') : 'counter',
    };
    const errors: FieldErrors = {};
    if (!form.receiptCode) errors.receiptCode = t.needReceipt;
    else if (!RECEIPT.test(form.receiptCode)) errors.receiptCode = t.badReceipt;
    if (!form.procedureCode) errors.procedureCode = t.needProcedure;
    if (!form.applicantName) errors.applicantName = t.needApplicant;
    else if (form.applicantName.length > 200) errors.applicantName = t.tooLong;
    if (form.phone) {
      // A landline or a foreign number never refuses the dossier (the API takes it too): it is taken,
      // with a warning and the e-mail offered. A malformed number is most likely a typo: fix it first.
      const status = phoneStatus(form.phone, lang);
      if (!status.accepted) errors.phone = status.message;
    } else if (!form.noPhone) {
      errors.phone = `${phoneProblemMessage('missing', lang)}. ${lang === 'vi' ? 'Nếu người nộp không có số di động, hãy đánh dấu ô bên dưới.' : 'If the applicant has no mobile number, tick the box below.'}`;
    }
    if (form.email && (!isEmailAddress(form.email) || form.email.length > 200)) errors.email = t.badEmail;
    if (Object.keys(errors).length > 0) return sendDeskPage(deps, request, reply, agencyCode, form, errors, null, 400);
    try {
      const result = await deps.dossiers.intake(principalForUser(user), {
        receiptCode: form.receiptCode,
        agencyCode,
        procedureCode: form.procedureCode,
        applicant: { name: form.applicantName, phone: form.phone || null, email: form.email || null },
        returnMethod: form.returnMethod as ReturnMethod,
        submittedVia: form.submittedVia as SubmissionChannel,
      });
      if (!result.created) {
        const used =
          lang === 'vi' ? `Mã số biên nhận "${form.receiptCode}" đã được dùng.` : `Receipt code "${form.receiptCode}" is already used.`;
        return sendDeskPage(deps, request, reply, agencyCode, form, { receiptCode: used }, null, 409);
      }
      const d = result.dossier;
      await deps.audit.record(user, {
        action: 'dossier.intake',
        entity: 'dossier',
        entityId: d.receiptCode,
        after: {
          agencyCode: d.agencyCode,
          procedureCode: d.procedureCode,
          state: d.state,
          step: d.step,
          dueAt: d.dueAt,
          returnMethod: d.returnMethod,
          phone: d.phone.e164,
          notifications: result.notifications.map((n) => n.id),
        },
        ip: request.ip,
      });
      const created = result.notifications.map((n) => n.id).join('.');
      return reply
        .code(303)
        .header('location', `/mot-cua/ho-so/${encodeURIComponent(d.receiptCode)}?ok=intake&via=${form.submittedVia}&n=${created}`)
        .send();
    } catch (error) {
      const field = fieldErrorOf(error);
      if (!field) throw error;
      return sendDeskPage(deps, request, reply, agencyCode, form, { [field.field]: field.message }, null, (error as AppError).status);
    }
  });
}
