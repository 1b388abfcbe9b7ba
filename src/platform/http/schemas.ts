import { Type, type Static } from '@sinclair/typebox';
import { BUSINESS_YEARS } from '../../lib/calendar/zone.js';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      field: Type.Optional(Type.String()),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { $id: 'ErrorBody' },
);

export const errorResponses = {
  400: Type.Ref('ErrorBody'),
  401: Type.Ref('ErrorBody'),
  403: Type.Ref('ErrorBody'),
  404: Type.Ref('ErrorBody'),
  409: Type.Ref('ErrorBody'),
  503: Type.Ref('ErrorBody'),
} as const;

export const ReceiptCode = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9.\\-]+$', description: 'Mã số biên nhận' });
export const Code = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._\\-]+$' });
/** Schema keyword (checked by `validation.ts`): the year written at the start of the string must lie in
 *  `[first, last]`. A date in year 9999 is a typing mistake or a probe, never business. */
export const YEAR_RANGE = 'x-yearRange';
const yearRange = { [YEAR_RANGE]: [BUSINESS_YEARS.first, BUSINESS_YEARS.last] };
const years = `${BUSINESS_YEARS.first}–${BUSINESS_YEARS.last}`;

export const Instant = Type.String({
  format: 'date-time',
  maxLength: 40,
  description: `ISO 8601 with offset, e.g. 2026-11-20T08:15:00+07:00; years ${years}`,
  ...yearRange,
});
export const LocalDate = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  format: 'date',
  description: `YYYY-MM-DD; years ${years}`,
  ...yearRange,
});

/**
 * Control characters no person types: C0 except tab, line feed and carriage return, and DEL. PostgreSQL
 * refuses NUL in text outright, and the rest only corrupt logs, exports and SMS. Every string of every
 * request (query, path, JSON or form body) is checked by `validation.ts`; a field the contract must accept
 * as given (an SMS text from a carrier) is named in the route's `config.controlCharactersAllowed` and
 * cleaned by its service with `replaceControlCharacters`.
 */
const CONTROL_CLASS = '\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F';
export const CONTROL_CHARACTERS = new RegExp(`[${CONTROL_CLASS}]`);
const CONTROL_CHARACTERS_ALL = new RegExp(`[${CONTROL_CLASS}]`, 'g');

/** The text with each control character replaced by a space. */
export function replaceControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS_ALL, ' ');
}

export const SafeText = (max: number, min = 1) => Type.String({ minLength: min, maxLength: max, pattern: `^[^${CONTROL_CLASS}]*$` });

export const PhoneJson = Type.Object({
  input: Type.Union([Type.String(), Type.Null()]),
  e164: Type.Union([Type.String(), Type.Null()]),
  carrier: Type.Union([Type.String(), Type.Null()]),
  problem: Type.Union([Type.Literal('missing'), Type.Literal('invalid'), Type.Literal('landline'), Type.Literal('foreign'), Type.Null()]),
  message: Type.Union([Type.String(), Type.Null()]),
});

export const DossierJsonSchema = Type.Object(
  {
    receiptCode: Type.String(),
    agencyCode: Type.String(),
    procedureCode: Type.String(),
    state: Type.String(),
    step: Type.String(),
    receivedAt: Type.String(),
    dueAt: Type.String(),
    onTime: Type.Union([Type.Boolean(), Type.Null()], { description: 'null for refused, withdrawn and stopped dossiers' }),
    statusText: Type.Union([Type.String(), Type.Null()], { description: 'Đúng hạn / Trễ hạn; null when onTime is null' }),
    returnMethod: Type.String(),
    portalStatus: Type.Integer(),
    phone: PhoneJson,
    applicant: Type.Object({
      name: Type.Union([Type.String(), Type.Null()], {
        description: 'null once de-identified (personal-data retention or an erase request)',
      }),
      email: Type.Union([Type.String(), Type.Null()]),
    }),
  },
  { $id: 'Dossier' },
);

const nullableString = Type.Union([Type.String(), Type.Null()]);
export const NotificationJsonSchema = Type.Object(
  {
    id: Type.Integer(),
    receiptCode: nullableString,
    agencyCode: nullableString,
    kind: Type.String(),
    channel: Type.String(),
    to: nullableString,
    from: Type.String(),
    body: Type.Union([Type.String(), Type.Null()], {
      description: 'null once de-identified (personal-data retention or an erase request)',
    }),
    encoding: Type.String(),
    segments: Type.Integer(),
    costVnd: Type.Number(),
    status: Type.String(),
    attempts: Type.Integer(),
    createdAt: Type.String(),
    sendAfter: Type.String(),
    sentAt: nullableString,
    deliveredAt: nullableString,
    failureReason: nullableString,
  },
  { $id: 'Notification' },
);

/** A notification as the API shows it (`Notification` above). */
export interface NotificationJson {
  id: number;
  receiptCode: string | null;
  agencyCode: string | null;
  kind: string;
  channel: 'sms' | 'email' | 'zalo';
  to: string | null;
  from: string;
  body: string | null;
  encoding: string;
  segments: number;
  costVnd: number;
  status: string;
  attempts: number;
  createdAt: string;
  sendAfter: string;
  sentAt: string | null;
  deliveredAt: string | null;
  failureReason: string | null;
}

export type DossierJsonType = Static<typeof DossierJsonSchema>;
export const sharedSchemas = [ErrorBody, DossierJsonSchema, NotificationJsonSchema];
