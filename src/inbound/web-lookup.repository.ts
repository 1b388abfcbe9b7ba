/** A web look-up as the oversight figures count it (public-lookup.service.ts): nothing personal is stored. */
import type { DbHandle } from '../platform/db/database.js';
import { WEB_LOOKUP_GATEWAY } from './lookup.billing.js';

export async function insertWebLookup(
  db: DbHandle,
  lookup: { readonly code: string | null; readonly dossierId: number | null; readonly feeVnd: number; readonly at: number },
): Promise<void> {
  await db.kysely
    .insertInto('inbound_messages')
    .values({
      gateway: WEB_LOOKUP_GATEWAY,
      gateway_message_id: null,
      sender: WEB_LOOKUP_GATEWAY,
      sender_e164: null,
      short_code: '',
      text: '',
      outcome: lookup.dossierId === null ? 'not_found' : 'found',
      parsed_code: lookup.code,
      dossier_id: lookup.dossierId,
      fee_vnd: lookup.feeVnd,
      reply: null,
      reply_notification_id: null,
      received_at: lookup.at,
      created_at: lookup.at,
    })
    .execute();
}
