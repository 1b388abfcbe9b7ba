import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PLACEHOLDERS,
  SAMPLE_VARS,
  sampleVarsOn,
  TemplateSyntaxError,
  parseTemplate,
  renderTemplate,
  validateTemplate,
} from '../../../src/lib/sms-text/template.js';
import type { TemplateVar, TemplateVars, ValidateTemplateOptions } from '../../../src/lib/sms-text/template.js';
import { prepareSms } from '../../../src/lib/sms-text/encode.js';
import { foldVietnamese } from '../../../src/lib/sms-text/fold.js';
import { gsmSeptets, isGsmText } from '../../../src/lib/sms-text/gsm.js';
import { ALLOWED_PLACEHOLDERS, DEFAULT_TEMPLATES, type TemplateKind } from '../../../src/messages/catalogue.js';

/** A real dossier of Sở Tài chính (seed 001), with a receipt code in the format real software issues. */
const VARS: TemplateVars = {
  receiptCode: '000.00.15.H34-210312-0001',
  agencyName: 'Sở Tài chính',
  dueDate: '27/11/2026',
  step: 'Thẩm định hồ sơ',
  statusText: 'Đúng hạn',
};

interface Expected {
  readonly kind: TemplateKind;
  /** The rendered text, diacritics kept. */
  readonly text: string;
  /** What leaves as a plain SMS. */
  readonly ascii: string;
  readonly asciiSegments: number;
  readonly ucs2Segments: number;
}

const EXPECTED: readonly Expected[] = [
  {
    kind: 'result_ready',
    text: 'TB: Hồ sơ của quý ông/bà (MS: 000.00.15.H34-210312-0001) đã được giải quyết xong. Mời ông/bà đến Bộ phận Một cửa Sở Tài chính để nhận kết quả.',
    ascii:
      'TB: Ho so cua quy ong/ba (MS: 000.00.15.H34-210312-0001) da duoc giai quyet xong. Moi ong/ba den Bo phan Mot cua So Tai chinh de nhan ket qua.',
    asciiSegments: 1,
    ucs2Segments: 3,
  },
  {
    kind: 'supplement_required',
    text: 'TB: Hồ sơ của quý ông/bà (MS: 000.00.15.H34-210312-0001) cần bổ sung theo quy định. Mời ông/bà đến Bộ phận Một cửa Sở Tài chính để nhận thông báo.',
    ascii:
      'TB: Ho so cua quy ong/ba (MS: 000.00.15.H34-210312-0001) can bo sung theo quy dinh. Moi ong/ba den Bo phan Mot cua So Tai chinh de nhan thong bao.',
    asciiSegments: 1,
    ucs2Segments: 3,
  },
  {
    kind: 'apology',
    text:
      'TB: Hồ sơ của quý ông/bà (MS: 000.00.15.H34-210312-0001) chưa có kết quả vào ngày 27/11/2026. Ông/bà có thể đến Bộ phận Một cửa Sở Tài chính ' +
      'nhận Thông báo xin lỗi, hẹn lại thời gian trả kết quả hoặc đến nhận kết quả khi có tin nhắn tiếp theo.',
    ascii:
      'TB: Ho so cua quy ong/ba (MS: 000.00.15.H34-210312-0001) chua co ket qua vao ngay 27/11/2026. Ong/ba co the den Bo phan Mot cua So Tai chinh ' +
      'nhan Thong bao xin loi, hen lai thoi gian tra ket qua hoac den nhan ket qua khi co tin nhan tiep theo.',
    asciiSegments: 2,
    ucs2Segments: 4,
  },
  {
    kind: 'lookup_reply',
    // Shorter than SPEC.md's seed text: a paid look-up is answered in one segment (issue 14), even with
    // a long step name (in ascii, the default; in Unicode it would take two).
    text: 'Hồ sơ 000.00.15.H34-210312-0001 đang ở bước Thẩm định hồ sơ, trạng thái: Đúng hạn.',
    ascii: 'Ho so 000.00.15.H34-210312-0001 dang o buoc Tham dinh ho so, trang thai: Dung han.',
    asciiSegments: 1,
    ucs2Segments: 2,
  },
];

function options(overrides: Partial<ValidateTemplateOptions> = {}): ValidateTemplateOptions {
  return { allowed: ALLOWED_PLACEHOLDERS.result_ready, maxSegments: 3, encoding: 'ascii', sample: {}, ...overrides };
}

// ---------------------------------------------------------------------------------------------
// The seed messages, rendered and prepared exactly
// ---------------------------------------------------------------------------------------------

test('default templates are the SPEC.md texts (the look-up reply shortened to one segment)', () => {
  assert.equal(
    DEFAULT_TEMPLATES.result_ready,
    'TB: Hồ sơ của quý ông/bà (MS: {Mã số biên nhận}) đã được giải quyết xong. Mời ông/bà đến Bộ phận Một cửa {Tên cơ quan} để nhận kết quả.',
  );
  assert.equal(
    DEFAULT_TEMPLATES.supplement_required,
    'TB: Hồ sơ của quý ông/bà (MS: {Mã số biên nhận}) cần bổ sung theo quy định. Mời ông/bà đến Bộ phận Một cửa {Tên cơ quan} để nhận thông báo.',
  );
  assert.equal(
    DEFAULT_TEMPLATES.apology,
    'TB: Hồ sơ của quý ông/bà (MS: {Mã số biên nhận}) chưa có kết quả vào ngày {Ngày hẹn trả}. Ông/bà có thể đến Bộ phận Một cửa {Tên cơ quan} ' +
      'nhận Thông báo xin lỗi, hẹn lại thời gian trả kết quả hoặc đến nhận kết quả khi có tin nhắn tiếp theo.',
  );
  assert.equal(
    DEFAULT_TEMPLATES.lookup_reply,
    'Hồ sơ {Mã số biên nhận} đang ở bước {Tên bước giải quyết hiện tại}, trạng thái: {Đúng hạn/Trễ hạn}.',
  );
});

for (const expected of EXPECTED) {
  test(`${expected.kind}: rendered, ascii-folded and counted exactly`, () => {
    const text = renderTemplate(DEFAULT_TEMPLATES[expected.kind], VARS);
    assert.equal(text, expected.text);

    const ascii = prepareSms(text, 'ascii');
    assert.deepEqual(ascii, {
      body: expected.ascii,
      dataCoding: 'gsm7',
      segments: expected.asciiSegments,
      characters: expected.ascii.length,
    });
    assert.equal(ascii.characters, gsmSeptets(expected.ascii), 'no extension characters in the seed texts');

    const unicode = prepareSms(text, 'unicode');
    assert.deepEqual(unicode, {
      body: expected.text,
      dataCoding: 'ucs2',
      segments: expected.ucs2Segments,
      characters: expected.text.length,
    });

    // The same message typed or pasted in NFD (macOS, some Windows IMEs) leaves identically.
    const nfd = renderTemplate(DEFAULT_TEMPLATES[expected.kind].normalize('NFD'), VARS);
    assert.deepEqual(prepareSms(nfd, 'ascii'), ascii);
    assert.deepEqual(prepareSms(nfd, 'unicode'), unicode);
  });
}

test('exact lengths of the seed messages (characters and segment boundaries)', () => {
  assert.deepEqual(
    EXPECTED.map((e) => [e.kind, e.ascii.length]),
    [
      ['result_ready', 142],
      ['supplement_required', 146],
      ['apology', 243],
      ['lookup_reply', 82],
    ],
  );
});

test('the seed variant of seed 001 ("Sở Tài chính" and "{Đúng hạn/ Trễ hạn}") renders like the default', () => {
  const seed001 =
    ' Hồ sơ của quý ông/bà (MS: {Mã số biên nhận}) hiện đang ở bước {Tên bước giải quyết hiện tại}, trạng thái hồ sơ: {Đúng hạn/ Trễ hạn}';
  assert.equal(
    prepareSms(renderTemplate(seed001, { ...VARS, statusText: 'Trễ hạn' }), 'ascii').body,
    ' Ho so cua quy ong/ba (MS: 000.00.15.H34-210312-0001) hien dang o buoc Tham dinh ho so, trang thai ho so: Tre han',
  );
});

test('every default template validates for ascii within 3 segments with the long sample values', () => {
  for (const kind of Object.keys(DEFAULT_TEMPLATES) as TemplateKind[]) {
    const result = validateTemplate(DEFAULT_TEMPLATES[kind], options({ allowed: ALLOWED_PLACEHOLDERS[kind] }));
    assert.equal(result.ok, true, `${kind}: ${JSON.stringify(result)}`);
  }
  assert.deepEqual(validateTemplate(DEFAULT_TEMPLATES.result_ready, options()), { ok: true, segments: 2 });
  assert.deepEqual(validateTemplate(DEFAULT_TEMPLATES.lookup_reply, options({ allowed: ALLOWED_PLACEHOLDERS.lookup_reply })), {
    ok: true,
    segments: 1,
  });
});

test('unicode: the seed apology with the long sample values is 5 UCS-2 segments (over 3)', () => {
  const result = validateTemplate(DEFAULT_TEMPLATES.apology, options({ allowed: ALLOWED_PLACEHOLDERS.apology, encoding: 'unicode' }));
  assert.deepEqual(result, {
    ok: false,
    code: 'TOO_LONG',
    message: 'Tin nhắn mẫu dài 5 tin SMS (276 ký tự), vượt giới hạn 3 tin SMS.',
    segments: 5,
  });
  // … but with a realistic dossier it is 4 (see above) and the result message is 3.
  assert.deepEqual(validateTemplate(DEFAULT_TEMPLATES.result_ready, options({ encoding: 'unicode' })), { ok: true, segments: 3 });
});

// ---------------------------------------------------------------------------------------------
// Placeholder matching
// ---------------------------------------------------------------------------------------------

test('placeholder names match whatever their case, normal form, diacritics and spacing', () => {
  const variants = [
    '{Mã số biên nhận}',
    '{mã số biên nhận}',
    '{MÃ SỐ BIÊN NHẬN}',
    '{Mã Số Biên Nhận}',
    '{Mã số biên nhận}'.normalize('NFD'),
    '{Ma so bien nhan}',
    '{ma so bien nhan}',
    '{MA SO BIEN NHAN}',
    '{ Mã số biên nhận }',
    '{Mã  số   biên nhận}',
    '{Mã\u00A0số biên nhận}',
    '{\tMã số\nbiên nhận }',
    '{Ｍã số biên nhận}',
    '{Mã\u200B số biên nhận}',
    '{Mã số biên nh\u00ADận}',
    '{Mã số hồ sơ}', // seed 003's name for the same thing
    '{ma so ho so}',
  ];
  for (const variant of variants) {
    assert.equal(renderTemplate(`MS: ${variant}.`, VARS), 'MS: 000.00.15.H34-210312-0001.', JSON.stringify(variant));
    assert.deepEqual(parseTemplate(variant), { placeholders: ['Mã số biên nhận'], unknown: [] }, JSON.stringify(variant));
    assert.deepEqual(validateTemplate(variant, options()), { ok: true, segments: 1 }, JSON.stringify(variant));
  }
});

test('{Đúng hạn/Trễ hạn} matches with any spacing around the slash', () => {
  for (const variant of [
    '{Đúng hạn/Trễ hạn}',
    '{Đúng hạn/ Trễ hạn}',
    '{Đúng hạn /Trễ hạn}',
    '{Đúng hạn / Trễ hạn}',
    '{ Đúng hạn  /  Trễ hạn }',
    '{đúng hạn/trễ hạn}',
    '{ĐÚNG HẠN/TRỄ HẠN}',
    '{Dung han/Tre han}',
    '{Đúng hạn/ Trễ hạn}'.normalize('NFD'),
  ]) {
    assert.equal(renderTemplate(`trạng thái: ${variant}`, { statusText: 'Trễ hạn' }), 'trạng thái: Trễ hạn', variant);
  }
  assert.deepEqual(parseTemplate('{Đúng hạn|Trễ hạn} {Đúng hạn hoặc Trễ hạn}'), {
    placeholders: [],
    unknown: ['Đúng hạn|Trễ hạn', 'Đúng hạn hoặc Trễ hạn'],
  });
});

test('every placeholder name maps to its variable', () => {
  const vars: TemplateVars = Object.fromEntries(Object.values(PLACEHOLDERS).map((v) => [v, `<${v}>`]));
  for (const [name, variable] of Object.entries(PLACEHOLDERS) as Array<[string, TemplateVar]>) {
    assert.equal(renderTemplate(`{${name}}`, vars), `<${variable}>`);
    assert.equal(renderTemplate(`{${foldVietnamese(name).toUpperCase()}}`, vars), `<${variable}>`);
  }
  assert.equal(renderTemplate('{Tên bước giải quyết hiện tại}', VARS), 'Thẩm định hồ sơ', 'lower-case "tên" as in seed 000');
  assert.equal(renderTemplate('{tên bước giải quyết hiện tại}', VARS), 'Thẩm định hồ sơ');
});

test('parseTemplate lists known placeholders by canonical name, unknown ones as written, without repeats', () => {
  assert.deepEqual(parseTemplate(DEFAULT_TEMPLATES.apology), {
    placeholders: ['Mã số biên nhận', 'Ngày hẹn trả', 'Tên cơ quan'],
    unknown: [],
  });
  assert.deepEqual(parseTemplate('{ma so bien nhan} {Mã số biên nhận} { Tên đơn vị } {Tên đơn vị} {Mã số hồ sơ}'), {
    placeholders: ['Mã số biên nhận'],
    unknown: ['Tên đơn vị'],
  });
  assert.deepEqual(parseTemplate('Không có chỗ điền nào } ở đây'), { placeholders: [], unknown: [] });
});

// ---------------------------------------------------------------------------------------------
// Validation errors
// ---------------------------------------------------------------------------------------------

test('UNKNOWN_PLACEHOLDER names the first unknown placeholder as written', () => {
  const result = validateTemplate('TB: {Mã số biên nhận} tại {Tên đơn vị} ngày {Ngày nhận}', options());
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  assert.equal(result.code, 'UNKNOWN_PLACEHOLDER');
  assert.equal(result.placeholder, 'Tên đơn vị');
  assert.match(
    result.message,
    /^Chỗ điền \{Tên đơn vị\} không có trong danh sách\. Các chỗ điền hợp lệ: \{Mã số biên nhận\}, \{Tên cơ quan\}/,
  );

  // The OCR-damaged text of seed 002 as an official might paste it.
  const ocr = validateTemplate('TB: Hồ sơ (MS: {Mã s biên nh n}) … {Tên c quan}', options());
  assert.deepEqual([ocr.ok, !ocr.ok && ocr.code, !ocr.ok && ocr.placeholder], [false, 'UNKNOWN_PLACEHOLDER', 'Mã s biên nh n']);

  // The applicant's name is not a placeholder.
  const name = validateTemplate('Kính gửi {Họ tên}: hồ sơ {Mã số biên nhận} đã xong.', options());
  assert.deepEqual([!name.ok && name.code, !name.ok && name.placeholder], ['UNKNOWN_PLACEHOLDER', 'Họ tên']);

  const empty = validateTemplate('Hồ sơ {} đã xong', options());
  assert.deepEqual([!empty.ok && empty.code, !empty.ok && empty.placeholder], ['UNKNOWN_PLACEHOLDER', '']);
});

test('NOT_ALLOWED_PLACEHOLDER names the placeholder by its canonical name and lists the allowed ones', () => {
  assert.deepEqual(
    validateTemplate(
      'Sai cú pháp tra cứu hồ sơ {ma so bien nhan}. Soạn: {Cú pháp tra cứu}',
      options({ allowed: ALLOWED_PLACEHOLDERS.lookup_bad_syntax }),
    ),
    {
      ok: false,
      code: 'NOT_ALLOWED_PLACEHOLDER',
      message: 'Chỗ điền {Mã số biên nhận} không dùng được trong loại tin nhắn này. Được dùng: {Cú pháp tra cứu}, {Đầu số}.',
      placeholder: 'Mã số biên nhận',
    },
  );
  const returned = validateTemplate('Hồ sơ {Mã số biên nhận} trả ngày {Ngày trả}', options());
  assert.deepEqual([!returned.ok && returned.code, !returned.ok && returned.placeholder], ['NOT_ALLOWED_PLACEHOLDER', 'Ngày trả']);
  assert.deepEqual(
    validateTemplate('Hồ sơ {Mã số biên nhận} trả ngày {Ngày trả}', options({ allowed: ALLOWED_PLACEHOLDERS.lookup_returned })),
    {
      ok: true,
      segments: 1,
    },
  );
  assert.deepEqual(validateTemplate('{Tên cơ quan}', options({ allowed: [] })), {
    ok: false,
    code: 'NOT_ALLOWED_PLACEHOLDER',
    message: 'Chỗ điền {Tên cơ quan} không dùng được trong loại tin nhắn này. Loại tin nhắn này không có chỗ điền nào.',
    placeholder: 'Tên cơ quan',
  });
});

test('UNCLOSED_BRACE: a "{" with no "}" before the next "{" or the end', () => {
  assert.deepEqual(validateTemplate('TB: Hồ sơ (MS: {Mã số biên nhận) đã xong.', options()), {
    ok: false,
    code: 'UNCLOSED_BRACE',
    message: 'Thiếu dấu "}" đóng chỗ điền bắt đầu ở ký tự thứ 16: "{Mã số biên nhận) đã xong.".',
    placeholder: '{Mã số biên nhận) đã xong.',
  });
  const nested = validateTemplate('{Tên cơ quan {Mã số biên nhận}', options());
  assert.deepEqual([!nested.ok && nested.code, !nested.ok && nested.placeholder], ['UNCLOSED_BRACE', '{Tên cơ quan ']);
  const lone = validateTemplate('{', options());
  assert.deepEqual([!lone.ok && lone.code, !lone.ok && lone.placeholder], ['UNCLOSED_BRACE', '{']);
  // An unclosed brace is reported before an unknown placeholder that precedes it.
  const both = validateTemplate('{X} {Mã số', options());
  assert.equal(!both.ok && both.code, 'UNCLOSED_BRACE');

  assert.throws(
    () => renderTemplate('MS: {Mã số biên nhận', VARS),
    (error: unknown) => error instanceof TemplateSyntaxError && error.code === 'UNCLOSED_BRACE' && error.index === 4,
  );
  assert.throws(() => parseTemplate('a { b { c }'), TemplateSyntaxError);
  // A '}' on its own is ordinary text.
  assert.equal(renderTemplate('7h30} – {Tên cơ quan}}', VARS), '7h30} – Sở Tài chính}');
});

test('EMPTY: nothing but white space or invisible characters, or a rendering that is empty', () => {
  for (const template of ['', ' ', '\n\t  \r\n', '\u00A0\u3000', '\u200B\uFEFF']) {
    assert.deepEqual(
      validateTemplate(template, options()),
      { ok: false, code: 'EMPTY', message: 'Nội dung mẫu tin nhắn đang để trống.' },
      JSON.stringify(template),
    );
  }
  assert.deepEqual(validateTemplate('{Mã số biên nhận}', options({ sample: { receiptCode: '' } })), {
    ok: false,
    code: 'EMPTY',
    message: 'Nội dung mẫu tin nhắn đang để trống.',
  });
  assert.throws(() => validateTemplate('x', options({ maxSegments: 0 })), RangeError);
  assert.throws(() => validateTemplate('x', options({ maxSegments: 1.5 })), RangeError);
});

test('TOO_LONG: over 3 segments fails, exactly 3 segments passes (ascii, 459 septets)', () => {
  assert.deepEqual(validateTemplate('x'.repeat(459), options()), { ok: true, segments: 3 });
  assert.deepEqual(validateTemplate('x'.repeat(460), options()), {
    ok: false,
    code: 'TOO_LONG',
    message: 'Tin nhắn mẫu dài 4 tin SMS (460 ký tự), vượt giới hạn 3 tin SMS.',
    segments: 4,
  });
  // Diacritics do not count: 459 Vietnamese letters fold to 459 septets.
  assert.deepEqual(validateTemplate('ệ'.repeat(459), options()), { ok: true, segments: 3 });
  // Measured with the sample values: SAMPLE_VARS.receiptCode is 30 characters.
  assert.equal(SAMPLE_VARS.receiptCode.length, 30);
  const withCode = (n: number) => `{Mã số biên nhận} ${'x'.repeat(n)}`;
  assert.deepEqual(validateTemplate(withCode(428), options()), { ok: true, segments: 3 });
  assert.equal(validateTemplate(withCode(429), options()).ok, false);
  // … unless the caller's sample is shorter.
  assert.deepEqual(validateTemplate(withCode(429), options({ sample: { receiptCode: '0101701234' } })), { ok: true, segments: 3 });
  // An escape pair never straddles parts: 459 septets that need 4 parts.
  assert.deepEqual(validateTemplate(`${'a'.repeat(152)}€${'a'.repeat(305)}`, options()), {
    ok: false,
    code: 'TOO_LONG',
    message: 'Tin nhắn mẫu dài 4 tin SMS (459 ký tự), vượt giới hạn 3 tin SMS.',
    segments: 4,
  });
  assert.deepEqual(validateTemplate(`${'a'.repeat(153)}€${'a'.repeat(304)}`, options()), { ok: true, segments: 3 });
});

test('TOO_LONG: unicode counts UCS-2 parts of 67 code units', () => {
  assert.deepEqual(validateTemplate('ệ'.repeat(201), options({ encoding: 'unicode' })), { ok: true, segments: 3 });
  const over = validateTemplate('ệ'.repeat(202), options({ encoding: 'unicode' }));
  assert.deepEqual(over, {
    ok: false,
    code: 'TOO_LONG',
    message: 'Tin nhắn mẫu dài 4 tin SMS (202 ký tự), vượt giới hạn 3 tin SMS.',
    segments: 4,
  });
  // NFD input is measured after NFC.
  assert.deepEqual(validateTemplate('ệ'.repeat(201).normalize('NFD'), options({ encoding: 'unicode' })), { ok: true, segments: 3 });
  assert.deepEqual(validateTemplate('ệ'.repeat(70), options({ encoding: 'unicode', maxSegments: 1 })), { ok: true, segments: 1 });
});

// ---------------------------------------------------------------------------------------------
// Rendering safety
// ---------------------------------------------------------------------------------------------

test('values are inserted as they are, never re-read as template text', () => {
  const tricky: TemplateVars = {
    receiptCode: '{Tên cơ quan}',
    agencyName: '{Mã số biên nhận}',
    dueDate: '$& $1 $$ $`',
    step: '{',
  };
  assert.equal(
    renderTemplate('MS {Mã số biên nhận} / {Tên cơ quan} / {Ngày hẹn trả} / {Tên bước giải quyết hiện tại}', tricky),
    'MS {Tên cơ quan} / {Mã số biên nhận} / $& $1 $$ $` / {',
  );
});

test('missing values and unknown placeholders render as nothing: no "{" from a template ever reaches a citizen', () => {
  assert.equal(renderTemplate('MS: {Mã số biên nhận}, {Tên đơn vị}.', {}), 'MS: , .');
  for (const kind of Object.keys(DEFAULT_TEMPLATES) as TemplateKind[]) {
    for (const vars of [{}, VARS, SAMPLE_VARS]) {
      const text = renderTemplate(DEFAULT_TEMPLATES[kind], vars);
      assert.ok(!text.includes('{') && !text.includes('}'), `${kind}: ${text}`);
      for (const encoding of ['ascii', 'unicode'] as const) assert.ok(!prepareSms(text, encoding).body.includes('{'));
    }
  }
  // Pseudo-random templates built from fragments: whatever renders, renders without '{'.
  const fragments = ['{Mã số biên nhận}', '{Tên cơ quan}', '{X}', '{', '}', ' ', 'Hồ sơ', '{ ma so ', '}}', '{}', 'đ'];
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  let rendered = 0;
  for (let i = 0; i < 500; i++) {
    let template = '';
    for (let j = next() % 8; j >= 0; j--) template += fragments[next() % fragments.length];
    let text: string;
    try {
      text = renderTemplate(template, VARS);
    } catch (error) {
      assert.ok(error instanceof TemplateSyntaxError, template);
      assert.equal(validateTemplate(template, options()).ok, false);
      continue;
    }
    rendered++;
    assert.ok(!text.includes('{'), `${JSON.stringify(template)} → ${JSON.stringify(text)}`);
  }
  assert.ok(rendered > 100);
});

// ---------------------------------------------------------------------------------------------
// Folding
// ---------------------------------------------------------------------------------------------

test('đ/Đ fold to d/D', () => {
  assert.equal(foldVietnamese('đ Đ đồng Đà Nẵng Đắk Nông đường ĐT'), 'd D dong Da Nang Dak Nong duong DT');
  assert.deepEqual(prepareSms('Đ', 'ascii'), { body: 'D', dataCoding: 'gsm7', segments: 1, characters: 1 });
});

test('every tone mark on every vowel folds to the base letter (lower and upper case, NFC and NFD)', () => {
  const lower = 'ả ã ạ ấ ầ ẩ ẫ ậ ắ ằ ẳ ẵ ặ ế ề ể ễ ệ ố ồ ổ ỗ ộ ớ ờ ở ỡ ợ ứ ừ ử ữ ự ỳ ỷ ỹ ỵ';
  const lowerFolded = 'a a a a a a a a a a a a a e e e e e o o o o o o o o o o u u u u u y y y y';
  const upper = 'Ả Ã Ạ Ấ Ầ Ẩ Ẫ Ậ Ắ Ằ Ẳ Ẵ Ặ Ế Ề Ể Ễ Ệ Ố Ồ Ổ Ỗ Ộ Ớ Ờ Ở Ỡ Ợ Ứ Ừ Ử Ữ Ự Ỳ Ỷ Ỹ Ỵ';
  assert.equal(lower.toUpperCase(), upper);
  assert.equal(foldVietnamese(lower), lowerFolded);
  assert.equal(foldVietnamese(upper), lowerFolded.toUpperCase());
  assert.equal(foldVietnamese(lower.normalize('NFD')), lowerFolded);
  assert.equal(foldVietnamese(upper.normalize('NFD')), lowerFolded.toUpperCase());

  // The whole table: 12 vowels × 6 tones.
  const table: Record<string, string> = {
    a: 'aàáảãạ',
    ă: 'ăằắẳẵặ',
    â: 'âầấẩẫậ',
    e: 'eèéẻẽẹ',
    ê: 'êềếểễệ',
    i: 'iìíỉĩị',
    o: 'oòóỏõọ',
    ô: 'ôồốổỗộ',
    ơ: 'ơờớởỡợ',
    u: 'uùúủũụ',
    ư: 'ưừứửữự',
    y: 'yỳýỷỹỵ',
  };
  for (const [vowel, forms] of Object.entries(table)) {
    const base = vowel.normalize('NFD')[0] ?? '';
    for (const ch of forms) {
      assert.equal(foldVietnamese(ch), base, ch);
      assert.equal(foldVietnamese(ch.toUpperCase()), base.toUpperCase(), ch.toUpperCase());
      assert.equal(prepareSms(ch, 'ascii').characters, 1, ch);
    }
  }
  // Old-style and new-style tone placement fold the same.
  assert.equal(foldVietnamese('Khánh Hoà, Khánh Hòa, Thuỷ, Thủy'), 'Khanh Hoa, Khanh Hoa, Thuy, Thuy');
});

test('typographic quotes, dashes, ellipsis and odd spaces become plain punctuation', () => {
  assert.equal(foldVietnamese('“Trả kết quả”'), '"Tra ket qua"');
  assert.equal(foldVietnamese('‘Chờ bổ sung’'), "'Cho bo sung'");
  assert.equal(foldVietnamese('«a» „b“ ‚c‘ ′ ″'), '"a" "b" \'c\' \' "');
  assert.equal(foldVietnamese('7:00 – 11:30 — chiều… xong'), '7:00 - 11:30 - chieu... xong');
  assert.equal(foldVietnamese('‐ ‑ ‒ − ⁃ •'), '- - - - - -');
  assert.equal(foldVietnamese('Sở\u00A0Tài\u202Fchính\u2009Khánh\u2002Hòa\u3000!'), 'So Tai chinh Khanh Hoa !');
  assert.equal(foldVietnamese('MS:\u200B 0101\u200D701234\uFEFF'), 'MS: 0101701234');
  assert.equal(foldVietnamese('Phí 1.000₫ – ©Sở TT&TT'), 'Phi 1.000d - (c)So TT&TT');
  const sms = prepareSms('“Hồ sơ” — xong…', 'ascii');
  assert.deepEqual(sms, { body: '"Ho so" - xong...', dataCoding: 'gsm7', segments: 1, characters: 17 });
});

test('emoji are replaced, never sent as they are', () => {
  assert.equal(foldVietnamese('Cảm ơn 😀'), 'Cam on ?');
  assert.equal(foldVietnamese('👍🏽 ok'), '? ok', 'skin tone dropped');
  assert.equal(foldVietnamese('❤️'), '?', 'variation selector dropped');
  assert.equal(foldVietnamese('🇻🇳'), '??', 'a flag is two regional indicators: one "?" each');
  assert.equal(foldVietnamese('👨‍👩‍👧'), '???', 'a ZWJ sequence: the joiners vanish, each person is a "?"');
  for (const text of ['😀', '👍🏽', '❤️', '🇻🇳', '👨‍👩‍👧', 'Hồ sơ 🎉🎉']) {
    const sms = prepareSms(text, 'ascii');
    assert.ok(isGsmText(sms.body) && /^[\x00-\x7F]*$/.test(sms.body), text);
  }
});

test('GSM extension characters € [ ] { } ~ ^ \\ | are kept and count 2 septets each', () => {
  for (const ch of ['€', '[', ']', '{', '}', '~', '^', '\\', '|']) {
    assert.deepEqual(prepareSms(ch, 'ascii'), { body: ch, dataCoding: 'gsm7', segments: 1, characters: 2 }, ch);
  }
  const all = '€[]{}~^\\|';
  assert.deepEqual(prepareSms(all, 'ascii'), { body: all, dataCoding: 'gsm7', segments: 1, characters: 18 });
  assert.deepEqual(prepareSms('Giá: 1.000€ [x] ~ ^ \\ |', 'ascii'), {
    body: 'Gia: 1.000€ [x] ~ ^ \\ |',
    dataCoding: 'gsm7',
    segments: 1,
    characters: 30,
  });
  // 142 letters + 9 extension characters = 160 septets: one SMS; one more letter makes two.
  assert.equal(prepareSms('đ'.repeat(142) + all, 'ascii').segments, 1);
  assert.equal(prepareSms('đ'.repeat(142) + all, 'ascii').characters, 160);
  assert.equal(prepareSms('đ'.repeat(143) + all, 'ascii').segments, 2);
  // In 'unicode' mode an ASCII text with extension characters still goes as gsm7, counting 2 each.
  assert.deepEqual(prepareSms('MS [0101701234]', 'unicode'), { body: 'MS [0101701234]', dataCoding: 'gsm7', segments: 1, characters: 17 });
});

test('sample values for a preview are dated from the given day, not a fixed year, and keep the sample lengths', () => {
  const sample = sampleVarsOn('2026-11-23');
  assert.equal(sample.receiptCode, '000.00.15.H34-2611230001-00001');
  assert.equal(sample.dueDate, '26/11/2026');
  assert.equal(sample.returnedDate, '23/11/2026');
  assert.equal(sample.receiptCode.length, SAMPLE_VARS.receiptCode.length);
  assert.equal(sampleVarsOn('2026-12-30').dueDate, '02/01/2027');
  assert.throws(() => sampleVarsOn('30/12/2026'), RangeError);
});
