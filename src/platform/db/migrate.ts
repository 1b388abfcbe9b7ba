import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './database.js';
import * as core from './migrations/0001_core.js';
import * as calendarSeed from './migrations/0002_calendar_seed.js';
import * as webAccounts from './migrations/0004_web_accounts.js';
import * as transport from './migrations/0003_transport.js';
import * as dossierSearch from './migrations/0005_dossier_search.js';
import * as healthProbe from './migrations/0006_health_probe.js';
import * as personalData from './migrations/0007_personal_data.js';
import * as zalo from './migrations/0008_zalo.js';
import * as loginThrottle from './migrations/0009_login_throttle.js';
import * as systemSettings from './migrations/0010_system_settings.js';
import * as replyAddress from './migrations/0012_reply_address.js';

/** Numbered, forward-only migrations. Kysely's migrator takes a lock (an advisory lock on PostgreSQL),
 *  so two processes starting together apply each migration once. */
function provider(db: Db): MigrationProvider {
  const steps: Record<string, { up(k: any, dialect: Db['dialect']): Promise<void> }> = {
    '0001_core': core,
    '0002_calendar_seed': calendarSeed,
    '0004_web_accounts': webAccounts,
    '0003_transport': transport,
    '0005_dossier_search': dossierSearch,
    '0006_health_probe': healthProbe,
    '0007_personal_data': personalData,
    '0008_zalo': zalo,
    '0009_login_throttle': loginThrottle,
    '0010_system_settings': systemSettings,
    '0012_reply_address': replyAddress,
  };
  return {
    async getMigrations() {
      const migrations: Record<string, Migration> = {};
      for (const [name, step] of Object.entries(steps)) migrations[name] = { up: (k) => step.up(k, db.dialect) };
      return migrations;
    },
  };
}

/**
 * Numbers are handed out per piece of work, so one may be merged after a higher one (0010 after 0012):
 * a database that already ran the higher one then runs the lower one too, instead of refusing to start.
 */
function migratorOf(db: Db): Migrator {
  return new Migrator({ db: db.kysely, provider: provider(db), allowUnorderedMigrations: true });
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = migratorOf(db);
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Applies migrations up to and including `name` (tests of a migration on data written before it). */
export async function migrateUpTo(db: Db, name: string): Promise<void> {
  const migrator = migratorOf(db);
  const { error } = await migrator.migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
