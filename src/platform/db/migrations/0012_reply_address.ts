import type { Kysely } from 'kysely';
import type { Dialect } from '../database.js';

/** A look-up reply goes back to the MO's source address exactly as the SMSC gave it: its SMPP type of
 *  number and numbering plan are kept with the row (null: not an SMPP address, the adapter decides). */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('notifications').addColumn('to_ton', 'integer').execute();
  await db.schema.alterTable('notifications').addColumn('to_npi', 'integer').execute();
}
