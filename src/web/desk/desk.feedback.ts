/**
 * What the desk tells a clerk after an action: which message goes, to whom and when; or why none goes
 * and what to do instead. The facts are the notifications the action created (from the outbox, through
 * the dossier service) and the message rules of messages/plan; nothing here decides what is sent.
 */
import type { DossierJson } from '../../dossiers/dossier.view.js';
import { transition, type DossierEventType, type DossierState } from '../../dossiers/dossier.state-machine.js';
import { TRIGGER_KINDS } from '../../messages/catalogue.js';
import { planForIntake, planForTransition, procedureGetsMessages, type TriggerSettings } from '../../messages/plan/notification.rules.js';
import type { NotificationJson } from '../../platform/http/schemas.js';
import { displayPhone, formatDateTime, label, NOTIFICATION_KIND_LABELS } from '../format.js';
import type { WebLang } from '../web.types.js';
import type { DeskAction } from './desk.actions.js';
import { T } from './desk.strings.js';

export type FeedbackAction = DeskAction | 'intake';
export type SubmittedVia = 'counter' | 'online' | 'postal';

export interface FeedbackInput {
  lang: WebLang;
  dossier: DossierJson;
  /** The notifications the action created. */
  created: readonly NotificationJson[];
  action: FeedbackAction;
  /** For an intake: how the dossier came in. */
  submittedVia?: SubmittedVia;
  /** The state before a transition. */
  beforeState?: DossierState;
  seq: number;
  processingDays: number;
  settings: TriggerSettings;
  now: number;
}

export interface Feedback {
  /** 'success': a message will go; 'warning': none will, and the clerk has something to do. */
  kind: 'success' | 'warning' | 'info';
  lines: string[];
}

/** Every trigger on and same-day procedures included: what an action could send at all. */
const ALL_ON: TriggerSettings = { triggers: Object.fromEntries(TRIGGER_KINDS.map((kind) => [kind, true])), notifySameDay: true };

/** The kinds an action could create at all (every trigger on), and those the agency's settings let through. */
function plannedKinds(input: FeedbackInput, settings: TriggerSettings): string[] {
  if (input.action === 'intake') {
    return planForIntake({ submittedVia: input.submittedVia ?? 'counter', processingDays: input.processingDays }, settings).create.map(
      (m) => m.kind,
    );
  }
  if (input.action === 'step' && input.beforeState === input.dossier.state) return [];
  return planForTransition(
    {
      before: input.beforeState ?? 'received',
      after: input.dossier.state,
      eventType: input.action as DossierEventType,
      seq: input.seq,
      returnMethod: input.dossier.returnMethod,
      processingDays: input.processingDays,
    },
    settings,
  ).create.map((m) => m.kind);
}

/** The phone in its national form (or as typed when it is no mobile: a landline, a foreign number), for "call the applicant". */
function phoneShown(d: DossierJson): string {
  return displayPhone(d.phone.e164) || (d.phone.input ?? '');
}

/** What to do when no message reaches the applicant. */
function whatToDo(d: DossierJson, lang: WebLang): string {
  const t = T[lang];
  return d.phone.input && (d.phone.problem === 'landline' || d.phone.problem === null) ? t.callApplicant(phoneShown(d)) : t.tellInPerson;
}

export function messageFeedback(input: FeedbackInput): Feedback {
  const { lang, dossier: d } = input;
  const t = T[lang];
  const kindName = (kind: string) => label(NOTIFICATION_KIND_LABELS, kind, lang);
  const lines: string[] = [];
  let going = 0;
  let undoBefore: string | null = null;
  for (const n of input.created) {
    const kind = kindName(n.kind);
    const to = n.channel === 'sms' ? displayPhone(n.to) : (n.to ?? '');
    if (n.status === 'failed') {
      const phone = phoneShown(d);
      const why =
        n.failureReason === 'landline'
          ? t.failLandline(kind, phone)
          : n.failureReason === 'foreign_phone'
            ? t.failForeign(kind, phone)
            : n.failureReason === 'invalid_phone'
              ? t.failInvalid(kind, phone)
              : t.failNoPhone(kind);
      lines.push(why);
      continue;
    }
    if (n.status === 'cancelled') continue;
    going++;
    const at = Date.parse(n.sendAfter);
    if (n.status === 'pending' && at > input.now) {
      lines.push(
        n.channel === 'sms' ? t.willSms(kind, to, formatDateTime(n.sendAfter)) : t.willEmail(kind, to, formatDateTime(n.sendAfter)),
      );
      if (input.action !== 'intake' && (undoBefore === null || n.sendAfter < undoBefore)) undoBefore = n.sendAfter;
    } else {
      lines.push(n.channel === 'sms' ? t.goneSms(kind, to) : t.goneEmail(kind, to));
    }
  }
  if (undoBefore) lines.push(t.undoUntil(formatDateTime(undoBefore)));
  if (going > 0) return { kind: 'success', lines };
  if (lines.length > 0) return { kind: 'warning', lines: [...lines, whatToDo(d, lang)] };

  // Nothing was created: say why.
  if (!procedureGetsMessages(input.processingDays, input.settings) && plannedKinds(input, ALL_ON).length > 0) {
    return { kind: 'warning', lines: [t.noneSameDay, whatToDo(d, lang)] };
  }
  const possible = plannedKinds(input, ALL_ON);
  if (possible.length > 0 && plannedKinds(input, input.settings).length === 0) {
    return { kind: 'warning', lines: [t.noneTriggerOff([...new Set(possible.map(kindName))].join(', ')), whatToDo(d, lang)] };
  }
  if (input.action === 'intake') {
    const warning = phoneWarning(d, lang);
    return warning ? { kind: 'warning', lines: [t.noneCounterIntake, warning] } : { kind: 'info', lines: [t.noneCounterIntake] };
  }
  return { kind: 'info', lines: [t.noneForAction] };
}

/** A warning about a phone that cannot receive SMS (null when it can). */
export function phoneWarning(d: DossierJson, lang: WebLang): string | null {
  const t = T[lang];
  if (d.phone.problem === null) return null;
  if (d.phone.problem === 'missing') return `${T[lang].hintNoSms} ${t.tellInPerson}`;
  return `${t.phoneWarning(phoneShown(d), d.phone.message ?? d.phone.problem)} ${whatToDo(d, lang)}`;
}

/** The hint above an action's button: what it will send, or why it will not. */
export function actionHint(
  lang: WebLang,
  d: DossierJson,
  action: DeskAction,
  processingDays: number,
  settings: TriggerSettings,
  usual: string,
): string {
  const t = T[lang];
  const input: FeedbackInput = {
    lang,
    dossier: { ...d, state: stateAfter(action, d.state) },
    created: [],
    action,
    beforeState: d.state,
    seq: 0,
    processingDays,
    settings,
    now: 0,
  };
  const possible = plannedKinds(input, ALL_ON);
  if (possible.length === 0) return usual;
  if (!procedureGetsMessages(processingDays, settings)) return t.hintSameDay;
  if (plannedKinds(input, settings).length === 0) return t.hintTriggerOff;
  if (d.phone.problem !== null && !d.applicant.email) return t.hintNoSms;
  return usual;
}

function stateAfter(action: DeskAction, state: DossierState): DossierState {
  const result = transition({ state, step: '' }, { type: action }, { resultStepName: '\u0000', supplementStepName: '\u0000' });
  return result.ok ? result.state : state;
}
