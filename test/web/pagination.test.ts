/** The one pagination of the staff lists (src/web/pagination.ts): which numbers it shows, its range and the page past the end. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isPastEnd, pageCount, pageNumbers, pageOf, pageRange, pagination, pastEnd } from '../../src/web/pagination.js';

const href = (n: number) => `/tin-nhan?page=${n}`;

describe('pagination', () => {
  test('page numbers: first, last, the current one and its neighbours, gaps as "…"', () => {
    assert.deepEqual(pageNumbers(1, 1), [1]);
    assert.deepEqual(pageNumbers(1, 13), [1, 2, 'gap', 13]);
    assert.deepEqual(pageNumbers(7, 13), [1, 'gap', 6, 7, 8, 'gap', 13]);
    assert.deepEqual(pageNumbers(13, 13), [1, 'gap', 12, 13]);
    // A single hidden number is shown rather than an ellipsis standing for it.
    assert.deepEqual(pageNumbers(4, 13), [1, 2, 3, 4, 5, 'gap', 13]);
    assert.deepEqual(pageNumbers(3, 5), [1, 2, 3, 4, 5]);
  });

  test('"1–50 / 647" and the links around the current page', () => {
    const p = { page: 1, pageSize: 50, total: 647 };
    assert.equal(pageCount(p), 13);
    assert.equal(pageRange('vi', p)?.toString(), '<p class="page-range" data-testid="range">1–50 / 647</p>');
    assert.match(pageRange('vi', { ...p, page: 13 })?.toString() ?? '', />601–647 \/ 647</);
    assert.match(pageRange('vi', { ...p, total: 2000, page: 40 })?.toString() ?? '', />1.951–2.000 \/ 2.000</);
    const nav = pagination('vi', { ...p, page: 7 }, href)?.toString() ?? '';
    assert.match(nav, /<nav class="pagination" aria-label="Phân trang"/);
    assert.match(nav, /href="\/tin-nhan\?page=6" rel="prev">← Trang trước/);
    assert.match(nav, /href="\/tin-nhan\?page=8" rel="next">Trang sau →/);
    assert.match(nav, /href="\/tin-nhan\?page=7" aria-current="page" aria-label="Trang 7">7</);
    assert.equal((nav.match(/pagination-gap/g) ?? []).length, 2);
    assert.ok(!(pagination('vi', p, href)?.toString() ?? '').includes('rel="prev"'), 'no previous on the first page');
    assert.ok(!(pagination('vi', { ...p, page: 13 }, href)?.toString() ?? '').includes('rel="next"'), 'no next on the last page');
    assert.equal(pagination('vi', { page: 1, pageSize: 50, total: 50 }, href), null, 'one page: no navigation');
    assert.equal(pageRange('vi', { page: 1, pageSize: 50, total: 0 }), null, 'an empty list has no range');
  });

  test('a page past the end says so and links to the last page; English too', () => {
    const p = { page: 20, pageSize: 50, total: 647 };
    assert.ok(isPastEnd(p));
    assert.equal(pageRange('vi', p), null);
    assert.equal(pagination('vi', p, href), null);
    assert.match(
      pastEnd('vi', p, href)?.toString() ?? '',
      /Không có trang 20: danh sách chỉ có 13 trang\. <a href="\/tin-nhan\?page=13">Đến trang cuối<\/a>/,
    );
    assert.match(
      pastEnd('en', p, href)?.toString() ?? '',
      /There is no page 20: the list has 13 page\(s\)\. <a href="\/tin-nhan\?page=13">Go to the last page/,
    );
    assert.equal(pastEnd('vi', { ...p, page: 13 }, href), null);
    assert.equal(pastEnd('vi', { ...p, total: 0, page: 3 }, href), null, 'an empty list is empty, not past its end');
  });

  test('a list held in memory is cut the same way', () => {
    const rows = Array.from({ length: 120 }, (_, i) => i);
    assert.deepEqual(pageOf(rows, 3, 50), { items: rows.slice(100), page: 3, pageSize: 50, total: 120 });
    assert.deepEqual(pageOf(rows, 4, 50).items, []);
  });
});
