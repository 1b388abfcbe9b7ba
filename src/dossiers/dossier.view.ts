import type { NotificationJson } from '../platform/http/schemas.js';
import { vnIso } from '../lib/calendar/zone.js';
import { phoneProblemMessage, type PhoneProblem } from '../lib/phone/phone.js';
import { deadlineStatus, type StatusText } from './dossier.deadline.js';
import { PORTAL_STATUS, type DossierState } from './dossier.state-machine.js';
import type { DossierRow } from './dossier.repository.js';
import type { ReturnMethod } from './dossier.input.js';

/** A dossier as the API, the look-up and the pages show it: one mapping from the stored row. */
export interface DossierJson {
  receiptCode: string;
  agencyCode: string;
  procedureCode: string;
  state: DossierState;
  step: string;
  receivedAt: string;
  dueAt: string;
  onTime: boolean | null;
  statusText: StatusText | null;
  returnMethod: ReturnMethod;
  portalStatus: number;
  phone: { input: string | null; e164: string | null; carrier: string | null; problem: PhoneProblem | null; message: string | null };
  applicant: { name: string; email: string | null };
}

export function toDossierJson(row: DossierRow, now: number): DossierJson {
  const { onTime, statusText } = deadlineStatus(row, now);
  const problem = row.phone_problem as PhoneProblem | null;
  return {
    receiptCode: row.receipt_code,
    agencyCode: row.agency_code,
    procedureCode: row.procedure_code,
    state: row.state as DossierState,
    step: row.step,
    receivedAt: vnIso(row.received_at),
    dueAt: vnIso(row.due_at),
    onTime,
    statusText,
    returnMethod: row.return_method,
    portalStatus: PORTAL_STATUS[row.state as DossierState],
    phone: {
      input: row.phone_input,
      e164: row.phone_e164,
      carrier: row.phone_carrier,
      problem,
      message: problem ? phoneProblemMessage(problem) : null,
    },
    applicant: { name: row.applicant_name, email: row.email },
  };
}

export interface DossierDetail {
  dossier: DossierJson;
  /** The number of events so far: what a screen sends back as `expectedVersion`. */
  version: number;
  events: Array<{ seq: number; type: string; step: string | null; at: string; eventId: string | null; state: string; dueAt: string }>;
  notifications: NotificationJson[];
}
