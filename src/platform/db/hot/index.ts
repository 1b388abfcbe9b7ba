/** The hot statements of the handle's dialect (see statements.ts). */
import type { DbHandle } from '../database.js';
import { POSTGRES_HOT } from './postgres.js';
import { SQLITE_HOT } from './sqlite.js';
import type { HotStatements } from './statements.js';

export type {
  HotDossier,
  HotNewInbound,
  HotNewNotification,
  HotNotification,
  HotSent,
  HotSenderUsage,
  HotStatements,
} from './statements.js';

export function hot(db: DbHandle): HotStatements {
  return db.dialect === 'postgres' ? POSTGRES_HOT : SQLITE_HOT;
}
