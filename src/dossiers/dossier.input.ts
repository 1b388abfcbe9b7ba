import { createHash } from 'node:crypto';
import { badRequest } from '../platform/errors.js';
import { BUSINESS_YEARS, inBusinessYears } from '../lib/calendar/zone.js';
import type { DossierEventType } from './dossier.state-machine.js';
import { receiptKey } from './dossier.repository.js';

/** What callers send to open a dossier or record an event, and how it is checked before anything is written. */
export type ReturnMethod = 'counter' | 'postal' | 'online';
export type SubmissionChannel = 'counter' | 'online' | 'postal';

export interface IntakeInput {
  receiptCode: string;
  agencyCode: string;
  procedureCode: string;
  applicant: { name: string; phone?: string | null; email?: string | null };
  receivedAt?: string;
  dueAt?: string;
  returnMethod?: ReturnMethod;
  submittedVia?: SubmissionChannel;
}

export interface EventInput {
  type: DossierEventType;
  step?: string;
  at?: string;
  eventId?: string;
  dueAt?: string;
  note?: string;
}

export interface EventOptions {
  /** The event count the person saw; a dossier changed since refuses with 409 DOSSIER_CHANGED. */
  readonly expectedVersion?: number;
  /** How the result is returned, stored with the event (the result message's wording depends on it). */
  readonly returnMethod?: ReturnMethod;
}

export interface DossierSearchQuery {
  q?: string | undefined;
  state?: string | undefined;
  limit: number;
  offset?: number | undefined;
  beforeId?: number | undefined;
}

export function parseInstant(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms))
    throw badRequest('VALIDATION_FAILED', `${field}: thời điểm không hợp lệ "${value}" (ISO 8601 có múi giờ).`, { field });
  if (!inBusinessYears(ms))
    throw badRequest('VALIDATION_FAILED', `${field}: phải là thời điểm trong các năm ${BUSINESS_YEARS.first}–${BUSINESS_YEARS.last}.`, {
      field,
    });
  return ms;
}

export function intakeHash(input: IntakeInput): string {
  const canonical = {
    receiptCode: receiptKey(input.receiptCode),
    agencyCode: input.agencyCode,
    procedureCode: input.procedureCode,
    name: input.applicant.name.normalize('NFC').trim(),
    phone: input.applicant.phone?.trim() || null,
    email: input.applicant.email?.trim().toLowerCase() || null,
    receivedAt: parseInstant(input.receivedAt, 'receivedAt') ?? null,
    dueAt: parseInstant(input.dueAt, 'dueAt') ?? null,
    returnMethod: input.returnMethod ?? 'counter',
    submittedVia: input.submittedVia ?? 'counter',
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}
