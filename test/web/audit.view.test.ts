/**
 * The audit log's words come from the same catalogue as the pages the changes were made on: a token's
 * role as the token page names it, a return method as the reports name it, a calendar day's kind as the
 * calendar names it, channels as the oversight pages name them. In both languages, no stored code.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditActionLabel, auditChanges, auditEntityLabel } from '../../src/web/audit.view.js';

const text = (cell: { toString(): string }) =>
  cell
    .toString()
    .replace(/<\/dd>/g, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .trim();

test('a token created for an agency: its role as the token page says it, in Vietnamese and English', () => {
  const entry = {
    entity: 'api_token',
    beforeJson: null,
    afterJson: JSON.stringify({ role: 'agency', agencyCode: 'STC', label: 'Một cửa STC' }),
  };
  const vi = text(auditChanges(entry, 'vi').after);
  assert.match(vi, /Vai trò Phần mềm một cửa của cơ quan/);
  assert.match(vi, /Ghi chú Một cửa STC/);
  const en = text(auditChanges(entry, 'en').after);
  assert.match(en, /Role Agency one-stop software/);
  assert.doesNotMatch(en, /\(agency\)/);
  assert.equal(auditActionLabel('token.create', 'vi'), 'Tạo mã truy cập');
  assert.equal(auditEntityLabel('api_token', 'en'), 'API token');
});

test('a result returned by post, a make-up working day, Zalo first: each value in words', () => {
  const dossier = auditChanges(
    { entity: 'dossier', beforeJson: JSON.stringify({ returnMethod: 'counter' }), afterJson: JSON.stringify({ returnMethod: 'postal' }) },
    'vi',
  );
  assert.match(text(dossier.before), /Cách trả kết quả Tại Bộ phận Một cửa/);
  assert.match(text(dossier.after), /Cách trả kết quả Qua dịch vụ bưu chính công ích/);

  const day = auditChanges(
    { entity: 'calendar_day', beforeJson: null, afterJson: JSON.stringify({ date: '2026-12-26', kind: 'workday', name: 'Làm bù' }) },
    'vi',
  );
  assert.match(text(day.after), /Ngày 26\/12\/2026/);
  assert.match(text(day.after), /Loại Ngày làm bù/);

  const channels = auditChanges(
    {
      entity: 'agency',
      beforeJson: JSON.stringify({ name: 'UBND phường Lộc Thọ', settings: { channels: ['sms'] } }),
      afterJson: JSON.stringify({ name: 'UBND phường Lộc Thọ', settings: { channels: ['zalo', 'sms'] } }),
    },
    'en',
  );
  assert.equal(text(channels.before), 'Channels SMS');
  assert.match(text(channels.after), /Channels Zalo; SMS/);
});
