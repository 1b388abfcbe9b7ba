/**
 * One tone-mark style across the product (issue 15 item 9): the new style, as the screens use it —
 * "hoá, huỷ, khoá, hoà, thuỷ" — never the old "hóa, hủy, khóa, hòa, thủy". The old style puts the
 * mark on the first vowel of an open "oa", "oe" or "uy" at the end of a word; closed syllables
 * ("hoàn", "khuyết") and "quý" are the same in both styles. Checked: the Vietnamese catalogue and the
 * texts derived from the seeds (message templates, template sample data, demo agencies and
 * procedures), and every source file (its strings and comments) but the folding table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from '../../src/web/i18n/vi.js';
import { NOTIFICATION_KINDS, kindEntry } from '../../src/messages/catalogue.js';
import { SAMPLE_VARS } from '../../src/lib/sms-text/template.js';
import { DEMO_AGENCIES } from '../../src/main/demo/demo.data.js';

const OLD_STYLE = /\p{L}*(?:[òóỏõọ][ae]|[ùúủũụ]y)(?!\p{L})/giu;
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** The words written in the old style. */
const oldForms = (text: string) => [...text.matchAll(OLD_STYLE)].map((m) => m[0]);

function stringsOf(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (typeof value === 'function') into.push(value.toString());
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringsOf(v, into);
  return into;
}

test('the check finds the old style and leaves the new one and closed syllables alone', () => {
  assert.deepEqual(oldForms('Mã hóa, Đã hủy, khóa, Khánh Hòa, thủy, tùy, Ủy ban, khỏe'), [
    'hóa',
    'hủy',
    'khóa',
    'Hòa',
    'thủy',
    'tùy',
    'Ủy',
    'khỏe',
  ]);
  assert.deepEqual(oldForms('Mã hoá, Đã huỷ, khoá, Khánh Hoà, thuỷ, tuỳ, Uỷ ban, khoẻ, hoàn tác, khuyết, quý, hoạch, toàn'), []);
});

test('the Vietnamese catalogue and the seed-derived texts use the new tone-mark style', () => {
  const texts = [
    ...stringsOf(vi),
    ...NOTIFICATION_KINDS.flatMap((kind) => stringsOf(kindEntry(kind))),
    ...Object.values(SAMPLE_VARS),
    ...DEMO_AGENCIES.flatMap((a) => [a.name, ...a.procedures.map((p) => p.name)]),
  ];
  assert.ok(texts.length > 300, `${texts.length} texts`);
  assert.deepEqual(texts.flatMap(oldForms), []);
});

test('no source file writes the old style (strings or comments), the folding table aside', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
    });
  const found = files(SRC)
    .filter((f) => !f.endsWith(join('sms-text', 'fold.ts')))
    .flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => oldForms(line).map((word) => `${relative(SRC, f)}:${i + 1}: ${word}`)),
    );
  assert.deepEqual(found, []);
});
