/** The one dossier search, through the API, on both databases: names match whatever the diacritics and case. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { admin, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../support/harness.js';

const APPLICANTS: ReadonlyArray<[code: string, name: string, phone: string]> = [
  ['000.00.15.H34-261123-0101', 'Nguyễn Văn An', '0912 345 601'],
  ['000.00.15.H34-261123-0102', 'NGUYỄN VĂN BÌNH', '0912 345 602'],
  ['000.00.15.H34-261123-0103', 'Nguyễn Thị Bích Ngọc', '0983 111 222'],
  ['000.00.15.H34-261123-0104', 'Trần Đức Thắng', '0903 222 333'],
  ['000.00.15.H34-261123-0105', 'Lê Văn Đạt', '0868 444 555'],
  // Typed on a keyboard that writes decomposed characters (NFD).
  ['000.00.15.H34-261123-0106', 'Phạm Thị Hồng Nhung'.normalize('NFD'), '0977 666 777'],
  ['000.00.15.H34-261123-0107', 'Hoàng  Quốc   Việt', '0394 888 999'],
];

describe(`dossier search ignores diacritics and case (${TEST_DB})`, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await seedBasics(h);
    for (const [receiptCode, name, phone] of APPLICANTS) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/dossiers',
        headers: admin,
        payload: intakeBody({ receiptCode, applicant: { name, phone } }),
      });
      assert.equal(res.statusCode, 201, res.body);
    }
  });
  after(async () => h.close());

  const names = async (q: string): Promise<string[]> => {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/dossiers?q=${encodeURIComponent(q)}`, headers: admin });
    assert.equal(res.statusCode, 200, res.body);
    const items = (res.json() as { items: Array<{ receiptCode: string; applicant: { name: string } }> }).items;
    return items.map((item) => item.applicant.name.normalize('NFC')).sort();
  };

  const cases: ReadonlyArray<[query: string, expected: string[]]> = [
    ['nguyen van', ['NGUYỄN VĂN BÌNH', 'Nguyễn Văn An']],
    ['Nguyễn Văn', ['NGUYỄN VĂN BÌNH', 'Nguyễn Văn An']],
    ['NGUYEN', ['NGUYỄN VĂN BÌNH', 'Nguyễn Thị Bích Ngọc', 'Nguyễn Văn An']],
    ['thi bich ngoc', ['Nguyễn Thị Bích Ngọc']],
    ['duc thang', ['Trần Đức Thắng']],
    ['Đức Thắng', ['Trần Đức Thắng']],
    ['dat', ['Lê Văn Đạt']],
    ['đạt', ['Lê Văn Đạt']],
    ['hong nhung', ['Phạm Thị Hồng Nhung']],
    ['Hồng Nhung'.normalize('NFD'), ['Phạm Thị Hồng Nhung']],
    ['quoc viet', ['Hoàng  Quốc   Việt']],
    ['  van   binh ', ['NGUYỄN VĂN BÌNH']],
    ['0983111222', ['Nguyễn Thị Bích Ngọc']],
    ['+84868444555', ['Lê Văn Đạt']],
    ['h34-261123-0104', ['Trần Đức Thắng']],
    // LIKE wildcards typed by a person are dropped, never interpreted.
    ['nguyen%', ['NGUYỄN VĂN BÌNH', 'Nguyễn Thị Bích Ngọc', 'Nguyễn Văn An']],
    ['tran_duc', []],
    ['nguyễn văn xyz', []],
  ];
  for (const [query, expected] of cases) {
    test(`"${query}" finds ${expected.length === 0 ? 'nobody' : expected.join(', ')}`, async () => {
      assert.deepEqual(await names(query), [...expected].sort());
    });
  }
});
