/**
 * Planted personal data for the privacy tests: dossiers, messages, MOs, login attempts and audit rows
 * written straight into the real database with chosen times, states, costs and fees, so the oversight
 * figures can be computed by hand.
 */
import { receiptKey } from '../../src/dossiers/dossier.repository.js';
import type { Harness } from '../support/harness.js';

export const ms = (iso: string) => Date.parse(iso);

export interface PlantedDossier {
  code: string;
  state: string;
  name: string | null;
  phone: string | null;
  problem?: string | null;
  receivedAt: string;
  dueAt: string;
  finishedAt?: string | null;
  updatedAt: string;
  email?: string | null;
}

export async function plantDossier(h: Harness, d: PlantedDossier): Promise<number> {
  const row = await h.ctx.db.kysely
    .insertInto('dossiers')
    .values({
      receipt_code: d.code,
      receipt_key: receiptKey(d.code),
      agency_code: 'STC',
      procedure_code: '1.004227',
      applicant_name: d.name,
      search_name: d.name === null ? null : d.name.toLowerCase(),
      phone_input: d.phone,
      phone_e164: d.phone === null ? null : `+84${d.phone.replace(/\D/g, '').slice(1)}`,
      phone_carrier: d.phone === null ? null : 'vinaphone',
      phone_problem: d.problem ?? (d.phone === null ? 'missing' : null),
      email: d.email ?? null,
      return_method: 'counter',
      state: d.state,
      step: d.state === 'returned' ? 'Trả kết quả' : 'Thẩm định',
      received_at: ms(d.receivedAt),
      due_at: ms(d.dueAt),
      paused_at: null,
      finished_at: d.finishedAt ? ms(d.finishedAt) : null,
      returned_at: d.state === 'returned' && d.finishedAt ? ms(d.finishedAt) : null,
      intake_hash: `hash-${d.code}`,
      event_count: 0,
      created_at: ms(d.receivedAt),
      updated_at: ms(d.updatedAt),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface PlantedMessage {
  dossierId: number | null;
  kind: string;
  to: string | null;
  body: string;
  status: 'pending' | 'sent' | 'delivered' | 'failed' | 'cancelled';
  cost: number;
  segments?: number;
  failureReason?: string | null;
  createdAt: string;
  updatedAt?: string;
}

let seq = 0;
export async function plantMessage(h: Harness, m: PlantedMessage): Promise<number> {
  const created = ms(m.createdAt);
  const row = await h.ctx.db.kysely
    .insertInto('notifications')
    .values({
      dossier_id: m.dossierId,
      agency_code: 'STC',
      kind: m.kind,
      channel: m.to?.includes('@') ? 'email' : 'sms',
      dedupe_key: `planted|${m.kind}|${++seq}|${created}`,
      to_address: m.to,
      carrier: m.to?.includes('@') ? null : 'vinaphone',
      sender: 'MotcuaSMS',
      body: m.body,
      encoding: 'gsm7',
      segments: m.segments ?? 1,
      cost_vnd: m.cost,
      status: m.status,
      failure_reason: m.failureReason ?? null,
      last_error: m.status === 'failed' ? `provider refused ${m.to}` : null,
      attempts: m.status === 'pending' ? 0 : 1,
      provider: m.status === 'pending' ? null : 'sandbox',
      created_at: created,
      send_after: created,
      next_attempt_at: created,
      sent_at: m.status === 'sent' || m.status === 'delivered' ? created : null,
      delivered_at: m.status === 'delivered' ? created : null,
      updated_at: ms(m.updatedAt ?? m.createdAt),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function plantInbound(
  h: Harness,
  i: { from: string; text: string; dossierId: number | null; fee: number; receivedAt: string; messageId: string },
): Promise<number> {
  const row = await h.ctx.db.kysely
    .insertInto('inbound_messages')
    .values({
      gateway: 'test',
      gateway_message_id: i.messageId,
      sender: i.from,
      sender_e164: i.from,
      short_code: '8083',
      text: i.text,
      outcome: i.dossierId === null ? 'not_found' : 'found',
      parsed_code: i.text.split(' ')[1] ?? null,
      dossier_id: i.dossierId,
      fee_vnd: i.fee,
      reply: `Ho so ${i.text.split(' ')[1] ?? ''}: dang giai quyet`,
      reply_notification_id: null,
      received_at: ms(i.receivedAt),
      created_at: ms(i.receivedAt),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Every text value of every table that contains `needle` (digits compared without separators too). */
export async function textColumnsHolding(h: Harness, needles: readonly string[]): Promise<string[]> {
  const db = h.ctx.db;
  const tables =
    db.dialect === 'postgres'
      ? (
          await db.kysely
            .selectFrom('information_schema.columns' as never)
            .select(['table_name as t', 'column_name as c'] as never)
            .where('table_schema' as never, '=', 'public' as never)
            .where('data_type' as never, '=', 'text' as never)
            .execute()
        ).map((r) => r as unknown as { t: string; c: string })
      : await sqliteTextColumns(h);
  const hits: string[] = [];
  for (const { t, c } of tables) {
    const rows = (await db.kysely
      .selectFrom(t as never)
      .select(`${c} as v` as never)
      .execute()) as unknown as Array<{ v: string | null }>;
    for (const r of rows) if (r.v !== null && needles.some((n) => String(r.v).includes(n))) hits.push(`${t}.${c}: ${r.v}`);
  }
  return hits;
}

async function sqliteTextColumns(h: Harness): Promise<Array<{ t: string; c: string }>> {
  const { sql } = await import('kysely');
  const { rows: tables } = await sql<{
    name: string;
  }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(h.ctx.db.kysely);
  const out: Array<{ t: string; c: string }> = [];
  for (const { name } of tables) {
    const { rows } = await sql<{ name: string; type: string }>`select name, type from pragma_table_info(${name})`.execute(h.ctx.db.kysely);
    for (const col of rows) if (/text/i.test(col.type)) out.push({ t: name, c: col.name });
  }
  return out;
}
