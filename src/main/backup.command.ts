/** `motcua backup <file>`: a consistent copy of a running SQLite database (better-sqlite3's online backup API). */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { ConfigError, type Config } from '../platform/config/config.js';

export async function runBackup(config: Config, target: string): Promise<{ file: string; pages: number }> {
  if (config.database.dialect !== 'sqlite' || config.database.path === ':memory:')
    throw new ConfigError('motcua backup copies a SQLite database; for PostgreSQL use pg_dump (see the README, "Backups")');
  const file = resolve(target);
  if (resolve(config.database.path) === file) throw new ConfigError('the backup file must not be the database itself');
  if (existsSync(file)) throw new ConfigError(`${file} exists already; choose a new file name`);
  if (!existsSync(config.database.path)) throw new ConfigError(`no database at ${config.database.path}`);
  mkdirSync(dirname(file), { recursive: true });
  // Read-only: the copy never writes the live database; other processes go on writing meanwhile and
  // the backup restarts its pass over pages they change, so the file is one consistent instant.
  const source = new SQLite(config.database.path, { readonly: true, fileMustExist: true });
  try {
    const result = await source.backup(file);
    return { file, pages: result.totalPages };
  } finally {
    source.close();
  }
}
