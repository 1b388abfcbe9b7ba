/** /mot-cua/ho-so/:code — one dossier at the desk: its page, its actions, and undo while the message is held. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../platform/errors.js';
import type { DossierJson } from '../../dossiers/dossier.view.js';
import type { ReturnMethod } from '../../dossiers/dossier.input.js';
import { formBool, formString } from '../forms.js';
import type { Flash } from '../web.layout.js';
import { requireWebUser } from '../web.session.js';
import { principalForUser } from '../web.types.js';
import { isDeskAction } from './desk.actions.js';
import { sendDossierPage, type AfterAction } from './desk.dossier.view.js';
import type { SubmittedVia } from './desk.feedback.js';
import { DESK_ROLES } from './desk.intake.routes.js';
import { T } from './desk.strings.js';
import type { DeskDeps } from './desk.view.js';

/** What the audit log keeps of a dossier before and after a desk action. */
const snapshot = (d: DossierJson) => ({ state: d.state, step: d.step, dueAt: d.dueAt, returnMethod: d.returnMethod });

const codeOf = (request: FastifyRequest) => (request.params as { code: string }).code;

/** The ids a redirect carries: "12.13" → [12, 13] (anything else is ignored). */
function idsOf(value: unknown): number[] {
  if (typeof value !== 'string') return [];
  return value
    .split('.')
    .slice(0, 20)
    .map(Number)
    .filter((n) => Number.isSafeInteger(n) && n > 0);
}

export function deskActionRoutes(app: FastifyInstance, deps: DeskDeps): void {
  const guard = { preHandler: requireWebUser([...DESK_ROLES]) };

  app.get('/mot-cua/ho-so/:code', guard, async (request, reply) => {
    const t = T[request.webLang];
    const query = request.query as Record<string, unknown>;
    const code = codeOf(request);
    const created = idsOf(query.n);
    const via = ['counter', 'online', 'postal'].includes(String(query.via)) ? (String(query.via) as SubmittedVia) : 'counter';
    const action = String(query.a ?? '');
    let after: AfterAction | Flash | null = null;
    if (query.ok === 'intake' && query.n !== undefined) {
      after = { flash: t.intakeOk(code), action: 'intake', submittedVia: via, created };
    } else if (query.ok === 'intake') {
      after = { kind: 'success', message: t.intakeOk(code) };
    } else if (query.ok === 'action' && isDeskAction(action) && query.n !== undefined) {
      after = { flash: t.actionOk, action, created };
    } else if (query.ok === 'action') {
      after = { kind: 'success', message: t.actionOk };
    } else if (query.ok === 'undo') {
      after = { kind: 'success', message: t.undoOk };
    } else if (query.ok === 'undoLate') {
      after = { kind: 'error', message: t.undoLate };
    }
    return sendDossierPage(deps, request, reply, code, {}, after);
  });

  app.post('/mot-cua/ho-so/:code/su-kien', guard, async (request, reply) => {
    const user = request.webUser!;
    const t = T[request.webLang];
    const code = codeOf(request);
    const body = request.body;
    const action = formString(body, 'action');
    const version = Number(formString(body, 'version'));
    if (!isDeskAction(action) || !Number.isSafeInteger(version) || version < 0) {
      const invalid = request.webLang === 'vi' ? 'Thao tác không hợp lệ.' : 'Invalid action.';
      return sendDossierPage(deps, request, reply, code, { _form: invalid }, null, 400);
    }
    const step = formString(body, 'step').normalize('NFC').trim();
    if (action === 'step' && !step) return sendDossierPage(deps, request, reply, code, { step: t.needStep }, null, 400);
    if (step.length > 200) return sendDossierPage(deps, request, reply, code, { step: t.tooLong }, null, 400);
    if ((action === 'refused' || action === 'withdrawn') && !formBool(body, 'confirm'))
      return sendDossierPage(deps, request, reply, code, { [action]: t.confirmNeeded }, null, 400);
    const method = formString(body, 'returnMethod');
    try {
      const result = await deps.dossiers.applyEvent(
        principalForUser(user),
        code,
        { type: action, ...(action === 'step' ? { step } : {}), eventId: `desk-${version + 1}-${action}` },
        {
          expectedVersion: version,
          ...(action === 'result_ready' && ['counter', 'postal', 'online'].includes(method)
            ? { returnMethod: method as ReturnMethod }
            : {}),
        },
      );
      const held = await deps.dossierQueries.heldBy(code, version + 1);
      await deps.audit.record(user, {
        action: `dossier.${action}`,
        entity: 'dossier',
        entityId: code,
        before: snapshot(result.before),
        after: { ...snapshot(result.dossier), heldMessages: held.map((h) => h.id) },
        ip: request.ip,
      });
      const created = result.notifications.map((n) => n.id).join('.');
      return reply
        .code(303)
        .header('location', `/mot-cua/ho-so/${encodeURIComponent(code)}?ok=action&a=${action}&n=${created}`)
        .send();
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 404 || error.status === 403) throw error;
      return sendDossierPage(deps, request, reply, code, { _form: error.message }, null, error.status);
    }
  });

  app.post('/mot-cua/ho-so/:code/hoan-tac', guard, async (request, reply) => {
    const user = request.webUser!;
    const code = codeOf(request);
    const seq = Number(formString(request.body, 'seq'));
    if (!Number.isSafeInteger(seq) || seq < 1) {
      const invalid = request.webLang === 'vi' ? 'Yêu cầu hoàn tác không hợp lệ.' : 'Invalid undo request.';
      return sendDossierPage(deps, request, reply, code, { _form: invalid }, null, 400);
    }
    try {
      const outcome = await deps.dossiers.undo(principalForUser(user), code, seq);
      await deps.audit.record(user, {
        action: 'dossier.undo',
        entity: 'dossier',
        entityId: code,
        before: snapshot(outcome.before),
        after: { ...snapshot(outcome.dossier), cancelledMessages: outcome.cancelled },
        ip: request.ip,
      });
      return reply
        .code(303)
        .header('location', `/mot-cua/ho-so/${encodeURIComponent(code)}?ok=${outcome.leftAnyway > 0 ? 'undoLate' : 'undo'}`)
        .send();
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      return sendDossierPage(deps, request, reply, code, { _form: error.message }, null, 409);
    }
  });
}
