/** The checker behind the every-page browser scan (test/support/screen-text.ts) finds what issue 15 item 6 listed, and passes plain Vietnamese. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { screenProblems } from '../support/screen-text.js';

const words = (text: string, exempt: string[] = []) => screenProblems(text, exempt).map((p) => `${p.kind}:${p.word}`);

test("finds the issue's internal codes and English", () => {
  assert.deepEqual(words('Đã huỷ (state_changed)'), ['snake_case:state_changed']);
  assert.deepEqual(words('name / effectiveWeight / latencyMs'), ['camelCase:effectiveWeight', 'camelCase:latencyMs', 'English:name']);
  assert.deepEqual(words('Có kết quả (result_ready — mặc định)'), ['snake_case:result_ready']);
  assert.deepEqual(words('Ghi chú: bootstrap admin'), ['English:bootstrap', 'English:admin']);
  assert.deepEqual(words('Giá mỗi tin SMS default: 750 đ'), ['English:default']);
  assert.deepEqual(words('Từ ngày (from)'), ['English:from']);
  assert.deepEqual(words('Thao tác agency.settings'), ['dotted code:agency.settings']);
  assert.deepEqual(words('Gọi cho +84912345678'), ['international phone:+849']);
  assert.deepEqual(words('Delivered'), ['English:Delivered']);
});

test('passes Vietnamese, folded SMS text, codes, numbers, allowed words and what the page shows on purpose', () => {
  assert.deepEqual(
    words(
      'Hồ sơ 000.00.15.H34-261123-0001 đã có kết quả. Ho so 000.00.15.H34-261123-0001 da co ket qua tai So Tu phap. ' +
        'Gửi SMS hoặc Zalo, xuất CSV, Excel; thư điện tử a@example.vn; gọi 0912 345 678 hoặc 0258 3822 123; thủ tục 1.004227; ' +
        'Tên thương hiệu (brandname) MotcuaSMS; địa chỉ IP; giao diện web; dạng HH:MM; Phan Thu An',
    ),
    [],
  );
  assert.deepEqual(words('Đăng nhập: admin', ['admin']), []);
});
