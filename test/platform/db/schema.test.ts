/**
 * Schema snapshot, one per dialect: the schema the migrations build, dumped and compared with the
 * committed test/platform/db/schema.<dialect>.snapshot, so no migration changes the schema unnoticed.
 *   SQLite:     sqlite_master's SQL, whitespace normalised, one table element per line.
 *   PostgreSQL: information_schema columns, constraints (pg_get_constraintdef), indexes (pg_indexes),
 *               views and triggers of the public schema, sorted.
 * A deliberate change: `UPDATE_SNAPSHOTS=1 TZ=UTC node scripts/run-tests.mjs schema.test` (and again with
 * MOTCUA_TEST_DB=postgres) rewrites the file; commit it with the migration.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from '../../../src/platform/db/database.js';
import { migratedTestDatabase, TEST_DB, type TestDatabase } from '../../support/database.js';

const SNAPSHOT = fileURLToPath(new URL(`./schema.${TEST_DB}.snapshot`, import.meta.url));
const UPDATE = process.env.UPDATE_SNAPSHOTS === '1';
/** Kysely's own bookkeeping, not the product's schema. */
const TOOLING = new Set(['kysely_migration', 'kysely_migration_lock']);

/** Splits `a, b(c, d), e` at the commas outside parentheses and quotes. */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = '';
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    if (ch === ',' && depth === 0 && !quote) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/** One statement, whitespace collapsed; a CREATE TABLE gets one column or constraint per line. */
function normaliseSqliteSql(statement: string): string {
  const flat = statement.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();
  const open = flat.indexOf('(');
  if (!/^create table/i.test(flat) || open < 0 || !flat.endsWith(')')) return `${flat};`;
  const body = flat.slice(open + 1, -1);
  return `${flat.slice(0, open).trim()} (\n${topLevelParts(body)
    .map((part) => `  ${part}`)
    .join(',\n')}\n);`;
}

async function dumpSqlite(db: Db): Promise<string> {
  const { rows } = await sql<{ type: string; name: string; table: string; sql: string }>`
    select type, name, tbl_name as "table", sql from sqlite_master
     where sql is not null and name not like 'sqlite_%' order by type, name`.execute(db.kysely);
  return rows
    .filter((r) => !TOOLING.has(r.table))
    .map((r) => `-- ${r.type} ${r.name}\n${normaliseSqliteSql(r.sql)}\n`)
    .join('\n');
}

async function dumpPostgres(db: Db): Promise<string> {
  const lines = (title: string, rows: string[]) => `-- ${title}\n${rows.length === 0 ? '(none)' : rows.join('\n')}\n`;
  const keep = (table: string) => !TOOLING.has(table);
  const columns = await sql<{ t: string; c: string; type: string; nullable: string; def: string | null }>`
    select table_name as t, column_name as c,
           case when data_type = 'USER-DEFINED' then udt_name
                when character_maximum_length is not null then data_type || '(' || character_maximum_length || ')'
                else data_type end as type,
           is_nullable as nullable, column_default as def
      from information_schema.columns where table_schema = 'public'
     order by table_name, column_name`.execute(db.kysely);
  const constraints = await sql<{ t: string; name: string; def: string }>`
    select cl.relname as t, co.conname as name, pg_get_constraintdef(co.oid, true) as def
      from pg_constraint co join pg_class cl on cl.oid = co.conrelid
     where co.connamespace = 'public'::regnamespace
     order by cl.relname, co.conname`.execute(db.kysely);
  const indexes = await sql<{ t: string; name: string; def: string }>`
    select tablename as t, indexname as name, indexdef as def from pg_indexes where schemaname = 'public'
     order by tablename, indexname`.execute(db.kysely);
  const views = await sql<{ name: string; def: string }>`
    select table_name as name, view_definition as def from information_schema.views where table_schema = 'public'
     order by table_name`.execute(db.kysely);
  const triggers = await sql<{ t: string; name: string; event: string; timing: string; action: string }>`
    select event_object_table as t, trigger_name as name, event_manipulation as event, action_timing as timing,
           action_statement as action
      from information_schema.triggers where trigger_schema = 'public'
     order by event_object_table, trigger_name, event_manipulation`.execute(db.kysely);
  return [
    lines(
      'columns: table.column type [not null] [default …]',
      columns.rows
        .filter((r) => keep(r.t))
        .map((r) => `${r.t}.${r.c} ${r.type}${r.nullable === 'NO' ? ' not null' : ''}${r.def === null ? '' : ` default ${r.def}`}`),
    ),
    lines(
      'constraints',
      constraints.rows.filter((r) => keep(r.t)).map((r) => `${r.t} ${r.name}: ${r.def}`),
    ),
    lines(
      'indexes',
      indexes.rows.filter((r) => keep(r.t)).map((r) => `${r.t} ${r.name}: ${r.def}`),
    ),
    lines(
      'views',
      views.rows.map((r) => `${r.name}: ${r.def.replace(/\s+/g, ' ').trim()}`),
    ),
    lines(
      'triggers',
      triggers.rows.map((r) => `${r.t} ${r.name}: ${r.timing} ${r.event} ${r.action}`),
    ),
  ].join('\n');
}

describe(`schema snapshot (${TEST_DB})`, () => {
  let database: TestDatabase;
  let db: Db;

  before(async () => {
    ({ database, db } = await migratedTestDatabase());
  });

  after(async () => {
    await db?.close();
    await database?.drop();
  });

  test(`the migrated schema matches test/platform/db/schema.${TEST_DB}.snapshot`, async () => {
    const actual = db.dialect === 'sqlite' ? await dumpSqlite(db) : await dumpPostgres(db);
    if (UPDATE) {
      writeFileSync(SNAPSHOT, actual);
      return;
    }
    assert.ok(
      existsSync(SNAPSHOT),
      `${SNAPSHOT} is missing: run UPDATE_SNAPSHOTS=1 with MOTCUA_TEST_DB=${TEST_DB} to write it, and commit it`,
    );
    assert.equal(
      actual,
      readFileSync(SNAPSHOT, 'utf8'),
      'the migrated schema changed: if the change is deliberate, rerun with UPDATE_SNAPSHOTS=1 and commit the snapshot',
    );
  });

  test('the dump sees every table the migrations create (it cannot pass on an empty schema)', async () => {
    const actual = db.dialect === 'sqlite' ? await dumpSqlite(db) : await dumpPostgres(db);
    for (const [table, column] of [
      ['agencies', 'code'],
      ['procedures', 'agency_code'],
      ['dossiers', 'receipt_key'],
      ['notifications', 'dossier_id'],
    ] as const) {
      if (db.dialect === 'sqlite') {
        const block = actual.split('\n\n').find((b) => b.startsWith(`-- table ${table}\n`)) ?? '';
        assert.match(block, new RegExp(`\\n  "?${column}"? `), `${table}.${column}`);
      } else assert.match(actual, new RegExp(`\\n${table}\\.${column} `), `${table}.${column}`);
    }
  });
});
