/** The grouped counts behind the oversight figures, per agency and procedure, for instants [start, end). */
import { sql } from 'kysely';
import type { DbHandle } from '../platform/db/database.js';
import type { ReportWindow } from './period.js';
import { onTimeCountSql } from '../dossiers/dossier.deadline.js';
import { NOT_SMS_LOOKUP_GATEWAYS, WEB_LOOKUP_GATEWAY } from '../inbound/lookup.billing.js';

/** Dossiers received, and how many of them have a mobile number that can get SMS. */
export async function receivedCounts(db: DbHandle, w: ReportWindow) {
  let query = db.kysely
    .selectFrom('dossiers as d')
    .select(['d.agency_code', 'd.procedure_code'])
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn.sum<number>(sql`case when d.phone_problem is null then 1 else 0 end`).as('reachable'),
    ])
    .where('d.received_at', '>=', w.start)
    .where('d.received_at', '<', w.end)
    .groupBy(['d.agency_code', 'd.procedure_code']);
  if (w.agencyCode) query = query.where('d.agency_code', '=', w.agencyCode);
  return query.execute();
}

/** Dossiers that reached their result: how many on time, how many with a delivered result message. */
export async function resolvedCounts(db: DbHandle, w: ReportWindow) {
  let query = db.kysely
    .selectFrom('dossiers as d')
    .select(['d.agency_code', 'd.procedure_code'])
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn.sum<number>(onTimeCountSql('d')).as('on_time'),
      eb.fn
        .sum<number>(
          sql`case when exists (select 1 from notifications n where n.dossier_id = d.id and n.kind = 'result_ready' and n.status = 'delivered') then 1 else 0 end`,
        )
        .as('delivered'),
      eb.fn
        .sum<number>(
          sql`case when not exists (select 1 from notifications n where n.dossier_id = d.id and n.kind = 'result_ready' and n.status = 'delivered')
                    and exists (select 1 from notifications n where n.dossier_id = d.id and n.kind = 'result_ready' and n.status = 'unknown') then 1 else 0 end`,
        )
        .as('unknown'),
    ])
    .where(sql.ref('d.state'), 'in', ['result_ready', 'returned'])
    .where('d.finished_at', '>=', w.start)
    .where('d.finished_at', '<', w.end)
    .groupBy(['d.agency_code', 'd.procedure_code']);
  if (w.agencyCode) query = query.where('d.agency_code', '=', w.agencyCode);
  return query.execute();
}

/** Events that put a dossier in `awaiting_supplement` (a due date change while waiting is not a new request). */
export async function supplementCounts(db: DbHandle, w: ReportWindow) {
  let query = db.kysely
    .selectFrom('dossier_events as e')
    .innerJoin('dossiers as d', 'd.id', 'e.dossier_id')
    .select(['d.agency_code', 'd.procedure_code'])
    .select((eb) => eb.fn.countAll<number>().as('total'))
    .where('e.state_after', '=', 'awaiting_supplement')
    .where('e.type', '<>', 'due_changed')
    .where('e.at', '>=', w.start)
    .where('e.at', '<', w.end)
    .groupBy(['d.agency_code', 'd.procedure_code']);
  if (w.agencyCode) query = query.where('d.agency_code', '=', w.agencyCode);
  return query.execute();
}

/** Automatic messages created (look-up replies are counted as look-ups), by kind, status and failure reason, with their cost. */
export async function messageCounts(db: DbHandle, w: ReportWindow) {
  let query = db.kysely
    .selectFrom('notifications as m')
    .innerJoin('dossiers as d', 'd.id', 'm.dossier_id')
    .select(['d.agency_code', 'd.procedure_code', 'm.kind', 'm.status', 'm.failure_reason', 'm.channel'])
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn.sum<number>('m.cost_vnd').as('cost'),
      // Zalo (issue 17): SMS sent as a fallback, late Zalo deliveries, and what Zalo messages would have cost by SMS.
      eb.fn.sum<number>(sql`case when m.fallback_of is null then 0 else 1 end`).as('fallbacks'),
      eb.fn
        .sum<number>(sql`case when m.channel = 'zalo' and m.status = 'failed' and m.delivered_at is not null then 1 else 0 end`)
        .as('late'),
      eb.fn.sum<number>(sql`coalesce(m.sms_cost_vnd, 0)`).as('sms_cost'),
    ])
    .where('m.created_at', '>=', w.start)
    .where('m.created_at', '<', w.end)
    .where('m.kind', '<>', 'lookup_reply')
    .groupBy(['d.agency_code', 'd.procedure_code', 'm.kind', 'm.status', 'm.failure_reason', 'm.channel']);
  if (w.agencyCode) query = query.where('d.agency_code', '=', w.agencyCode);
  return query.execute();
}

/** Look-ups received and their revenue; a look-up of no known dossier has a null agency and procedure. */
export async function lookupCounts(db: DbHandle, w: ReportWindow) {
  let query = db.kysely
    .selectFrom('inbound_messages as i')
    .leftJoin('dossiers as d', 'd.id', 'i.dossier_id')
    .select(['d.agency_code', 'd.procedure_code'])
    .select((eb) => [
      eb.fn.count<number>(eb.case().when('i.gateway', '!=', WEB_LOOKUP_GATEWAY).then(1).end()).as('total'),
      eb.fn.count<number>(eb.case().when('i.gateway', '=', WEB_LOOKUP_GATEWAY).then(1).end()).as('web'),
      eb.fn.sum<number>('i.fee_vnd').as('revenue'),
    ])
    .where('i.received_at', '>=', w.start)
    .where('i.received_at', '<', w.end)
    // SMS look-ups (billed) and web look-ups (no fee), each counted; the phone simulator's nowhere (lookup.billing.ts).
    .where(
      'i.gateway',
      'not in',
      NOT_SMS_LOOKUP_GATEWAYS.filter((g) => g !== WEB_LOOKUP_GATEWAY),
    )
    .groupBy(['d.agency_code', 'd.procedure_code']);
  if (w.agencyCode) query = query.where('d.agency_code', '=', w.agencyCode);
  return query.execute();
}
