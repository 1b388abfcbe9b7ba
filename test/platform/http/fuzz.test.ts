/**
 * Fuzz (issue 13): every JSON endpoint of the OpenAPI document and every form the staff pages render get
 * arbitrary strings (NUL and other control characters, lone surrogates, 10 kB strings), numbers, dates
 * far in and out of range, wrong types, in any field. The answer is never a 5xx and the server stays up.
 * A fixed seed and a bounded number of runs keep it repeatable and within a minute per database;
 * FUZZ_RUNS=… FUZZ_SEED=… explore further by hand.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ADMIN_TOKEN, admin, intakeBody, seedBasics, startHarness, TEST_DB, type Harness } from '../../support/harness.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const API_RUNS = Number(process.env.FUZZ_RUNS ?? 600);
/** Forms cost more per run: a page render, and scrypt for every tenth (the login form). */
const FORM_RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const PASSWORD = 'mot-khau-du-dai-2026';
const CODE = '000.00.15.H34-261123-0001';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD, as a browser sends it). */
const enc = (value: string) => [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
const urlencoded = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .join('&');

const nasty = fc.constantFrom(
  '\u0000',
  'admin\u0000',
  'a\u0000b',
  '\u0007\u001b[31m',
  '\ud800',
  'x\udfff',
  '\ud83d',
  'x'.repeat(10_240),
  'Nguyễn Văn A '.repeat(800),
  '',
  ' ',
  '9999-12-31',
  '9999-12-31T23:59:59+07:00',
  '0000-01-01T00:00:00Z',
  '1899-12-31',
  '2026-02-30',
  '2026-11-23T25:61:00+07:00',
  '-1',
  '1e309',
  'NaN',
  '0912345678',
  '+84 912 345 678',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '__proto__',
  '０９１２３４５６７８',
  CODE,
);
const text = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }), nasty, nasty);
const isoDate = fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
const scalar = fc.oneof(
  text,
  isoDate,
  isoDate.map((d) => d.slice(0, 10)),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const jsonValue = fc.oneof(
  scalar,
  scalar,
  fc.array(scalar, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 3 }),
);
const formValue = fc.oneof(text, isoDate, fc.integer().map(String), fc.double().map(String));
/** Which fields to replace: indexes into the operation's field list, with the value each gets. */
const mutations = <T>(value: fc.Arbitrary<T>) => fc.array(fc.tuple(fc.nat(), value), { minLength: 1, maxLength: 3 });

type Json = Record<string, unknown>;

function setPath(target: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let node: Json = target;
  for (const key of keys.slice(0, -1)) {
    if (!node[key] || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Json;
  }
  node[keys[keys.length - 1]!] = value;
}

function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return prefix ? [prefix] : [];
  const entries = Object.entries(value as Json);
  return entries.length === 0 && prefix ? [prefix] : entries.flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** Valid requests of the main operations, so a mutation of one field reaches the service and the database. */
const BASE: Record<string, { params?: Json; query?: Json; body?: Json }> = {
  'PUT /api/v1/agencies/{agencyCode}': {
    params: { agencyCode: 'FUZ' },
    body: {
      name: 'Sở Thử nghiệm',
      settings: {
        holdSeconds: 0,
        quietHours: { start: '21:00', end: '07:00' },
        smsEncoding: 'ascii',
        resultStepName: 'Trả kết quả',
        templates: { result_ready: 'TB: {Mã số biên nhận}' },
        officeHours: '07:00-11:30,13:30-17:00',
        receiptPrefixes: ['000.00.99.H34'],
        statusCallbackUrl: 'https://example.vn/cb',
      },
    },
  },
  'PUT /api/v1/procedures/{procedureCode}': {
    params: { procedureCode: 'FUZ.1' },
    body: { agencyCode: 'STC', name: 'Thủ tục thử', processingDays: 3, dayKind: 'working', supplementRule: 'pause' },
  },
  'POST /api/v1/tokens': { body: { role: 'agency', agencyCode: 'STC', label: 'fuzz' } },
  'PUT /api/v1/calendar/{date}': { params: { date: '2026-12-24' }, body: { kind: 'holiday', name: 'Ngày thử' } },
  'POST /api/v1/dossiers': { body: intakeBody({ receiptCode: '000.00.15.H34-261123-0100' }) as Json },
  'POST /api/v1/dossiers/{receiptCode}/events': {
    params: { receiptCode: CODE },
    body: { type: 'step', step: 'Thẩm định hồ sơ', at: '2026-11-23T10:00:00+07:00', eventId: 'fuzz-1', dueAt: '2026-11-30T10:00:00+07:00' },
  },
  'GET /api/v1/dossiers': { query: { q: 'Nguyễn', state: 'received', limit: 10, agencyCode: 'STC' } },
  'GET /api/v1/notifications': { query: { receiptCode: CODE, kind: 'result_ready', status: 'sent', limit: 5 } },
  'POST /api/v1/jobs/apology': { body: { asOf: '2026-11-26T17:30:00+07:00' } },
  'GET /api/v1/stats': { query: { from: '2026-11-01', to: '2026-11-30', groupBy: 'agency', agencyCode: 'STC' } },
  'POST /api/v1/inbound/sms': {
    body: { from: '0912345678', to: '8083', text: `MCKH ${CODE}`, messageId: 'fuzz-mo', receivedAt: '2026-11-23T09:00:00+07:00' },
  },
  'GET /api/v1/inbound/kannel': { query: { token: ADMIN_TOKEN, from: '0912345678', to: '8083', text: `MCKH ${CODE}`, id: 'k1' } },
  'GET /api/v1/inbound/aggregator': {
    query: { phone: '0912345678', message: `MCKH ${CODE}`, shortcode: '8083', requestid: 'a1', signature: '00' },
  },
  'POST /api/v1/receipts': {
    body: { provider: 'sandbox', providerMessageId: 'x-1', status: 'delivered', at: '2026-11-23T09:00:00+07:00' },
  },
};
const PARAM_DEFAULTS: Json = { agencyCode: 'STC', procedureCode: '1.004227', receiptCode: CODE, date: '2026-12-25', token: 'x'.repeat(20) };

interface Operation {
  method: string;
  template: string;
  params: Json;
  query: Json;
  body: Json | undefined;
  fields: string[];
}

interface FormSpec {
  method: string;
  action: string;
  fields: Record<string, string>;
}

const decodeEntities = (s: string) =>
  s.replace(/&(#\d+|amp|quot|lt|gt);/g, (m, e: string) =>
    e.startsWith('#') ? String.fromCharCode(Number(e.slice(1))) : (({ amp: '&', quot: '"', lt: '<', gt: '>' } as Json)[e] as string),
  );

/** The forms of a page: where they go and their fields with the values the page filled in. */
function formsOf(page: string): FormSpec[] {
  return [...page.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)].map(([, attrs = '', inner = '']) => {
    const fields: Record<string, string> = {};
    for (const [, tag = '', rest = ''] of inner.matchAll(/<(input|select|textarea)\b([^>]*)>/g)) {
      const name = /\bname="([^"]+)"/.exec(rest)?.[1];
      if (!name || name in fields) continue;
      if (tag === 'input' && /type="checkbox"/.test(rest) && !/\bchecked\b/.test(rest)) continue;
      fields[decodeEntities(name)] = decodeEntities(/\bvalue="([^"]*)"/.exec(rest)?.[1] ?? '');
    }
    return {
      method: (/\bmethod="([^"]+)"/.exec(attrs)?.[1] ?? 'get').toUpperCase(),
      action: decodeEntities(/\baction="([^"]+)"/.exec(attrs)?.[1] ?? ''),
      fields,
    };
  });
}

describe(`fuzz: no 5xx on any JSON endpoint or form (${TEST_DB})`, { timeout: 180_000 }, () => {
  let h: Harness;
  let cookie = '';
  let csrf = '';
  const failures: string[] = [];
  const check = (label: string, res: { statusCode: number; body: string }) => {
    if (res.statusCode >= 500 && failures.length < 20) failures.push(`${label} → ${res.statusCode} ${res.body.slice(0, 200)}`);
    return res.statusCode < 500;
  };

  before(async () => {
    h = await startHarness({ env: { MOTCUA_AGGREGATOR_SECRET: 'aggregator-secret-0123456789', MOTCUA_WEB_LOOKUP_RATE_LIMIT: '0' } });
    await seedBasics(h, { holdSeconds: 120, quietHours: null });
    const intake = await h.app.inject({
      method: 'POST',
      url: '/api/v1/dossiers',
      headers: admin,
      payload: intakeBody({ receiptCode: CODE }),
    });
    assert.equal(intake.statusCode, 201, intake.body);
    await h.ctx.accounts.create({ username: 'quantri', displayName: 'Quản trị', role: 'admin', agencyCode: null, password: PASSWORD });
    await h.ctx.accounts.create({ username: 'nan-nhan', displayName: 'Nạn nhân', role: 'clerk', agencyCode: 'STC', password: PASSWORD });
    const loginPage = await h.app.inject({ method: 'GET', url: '/dang-nhap' });
    const loggedIn = await h.app.inject({
      method: 'POST',
      url: '/dang-nhap',
      headers: { ...FORM, cookie: String(loginPage.headers['set-cookie']).split(';')[0]! },
      payload: urlencoded({ _csrf: /name="_csrf" value="([^"]*)"/.exec(loginPage.body)![1]!, username: 'quantri', password: PASSWORD }),
    });
    assert.equal(loggedIn.statusCode, 303, loggedIn.body);
    cookie = String(loggedIn.headers['set-cookie']).split(';')[0]!;
    csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(
      (await h.app.inject({ method: 'GET', url: '/mot-cua', headers: { cookie } })).body,
    )![1]!;
  });
  after(async () => h.close());

  test('every JSON endpoint of the OpenAPI document', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<
        string,
        Record<
          string,
          { parameters?: Array<{ in: string; name: string }>; requestBody?: { content: Record<string, { schema: { properties?: Json } }> } }
        >
      >;
    };
    const operations: Operation[] = [];
    for (const [template, methods] of Object.entries(doc.paths)) {
      for (const [method, spec] of Object.entries(methods)) {
        const key = `${method.toUpperCase()} ${template}`;
        const base = BASE[key] ?? {};
        const params: Json = { ...base.params };
        const query: Json = { ...base.query };
        for (const p of spec.parameters ?? []) {
          if (p.in === 'path' && !(p.name in params)) params[p.name] = PARAM_DEFAULTS[p.name] ?? 'X1';
          if (p.in === 'query' && !(p.name in query)) query[p.name] = '';
        }
        const schemaProps = Object.keys(spec.requestBody?.content['application/json']?.schema.properties ?? {});
        const body = spec.requestBody ? { ...(base.body ?? {}) } : undefined;
        const fields = [
          ...Object.keys(params).map((k) => `params.${k}`),
          ...Object.keys(query).map((k) => `query.${k}`),
          ...(body ? [...new Set([...leafPaths(body), ...schemaProps])].map((k) => `body.${k}`) : []),
          ...(body ? ['body'] : []),
        ];
        operations.push({ method: method.toUpperCase(), template, params, query, body, fields });
      }
    }
    assert.ok(operations.length >= 20, `${operations.length} operations in /docs/json`);

    await fc.assert(
      fc.asyncProperty(fc.nat(), mutations(jsonValue), async (which, changes) => {
        const op = operations[which % operations.length]!;
        const request = { params: structuredClone(op.params), query: structuredClone(op.query), body: structuredClone(op.body) as unknown };
        for (const [index, value] of op.fields.length > 0 ? changes : []) {
          const field = op.fields[index % op.fields.length]!;
          if (field === 'body') request.body = value;
          else if (field.startsWith('body.')) {
            if (request.body && typeof request.body === 'object' && !Array.isArray(request.body))
              setPath(request.body as Json, field.slice(5), value);
          } else setPath(request, field, value === null || typeof value === 'object' ? JSON.stringify(value) : String(value));
        }
        const path = op.template.replace(/\{(\w+)\}/g, (_m, name: string) => enc(String(request.params[name] ?? '')));
        const query = urlencoded(Object.fromEntries(Object.entries(request.query).map(([k, v]) => [k, String(v)])));
        const res = await h.app.inject({
          method: op.method as 'GET',
          url: query ? `${path}?${query}` : path,
          headers: admin,
          ...(op.body === undefined
            ? {}
            : { payload: JSON.stringify(request.body) ?? 'null', headers: { ...admin, 'content-type': 'application/json' } }),
        });
        return check(`${op.method} ${path}`, res);
      }),
      { seed: SEED, numRuns: API_RUNS, endOnFailure: true },
    );
    assert.deepEqual(failures, []);
  });

  test('every form of the staff pages and the login form', async () => {
    const victim = (await h.ctx.accounts.list()).find((u) => u.username === 'nan-nhan')!;
    const pages = [
      '/mot-cua',
      `/mot-cua/ho-so/${CODE}`,
      '/cai-dat',
      '/cai-dat/lich',
      '/cai-dat/ma-truy-cap',
      '/tai-khoan',
      `/tai-khoan/${victim.id}`,
      '/gia-lap',
      '/giam-sat',
      '/tin-nhan',
      '/ho-so',
      '/nhat-ky',
    ];
    const forms: FormSpec[] = [];
    for (const url of pages) {
      const page = await h.app.inject({ method: 'GET', url, headers: { cookie } });
      assert.equal(page.statusCode, 200, `${url}: ${page.statusCode}`);
      forms.push(...formsOf(page.body).filter((f) => f.action.startsWith('/') && f.action !== '/dang-xuat'));
    }
    const tra = formsOf((await h.app.inject({ method: 'GET', url: '/tra-cuu' })).body);
    forms.push(...tra);
    assert.ok(forms.length >= 15, `${forms.length} forms found`);
    const loginForm = formsOf((await h.app.inject({ method: 'GET', url: '/dang-nhap' })).body)[0]!;

    await fc.assert(
      fc.asyncProperty(fc.nat(), mutations(formValue), async (which, changes) => {
        const login = which % 10 === 0;
        const form = login ? loginForm : forms[which % forms.length]!;
        const fields: Record<string, string> = { ...form.fields, ...(form.method === 'POST' && !login ? { _csrf: csrf } : {}) };
        const names = Object.keys(fields).filter((n) => n !== '_csrf');
        for (const [index, value] of changes) if (names.length > 0) fields[names[index % names.length]!] = value;
        let headers: Record<string, string> = { cookie };
        if (login) {
          const page = await h.app.inject({ method: 'GET', url: '/dang-nhap' });
          fields._csrf = /name="_csrf" value="([^"]*)"/.exec(page.body)![1]!;
          headers = { cookie: String(page.headers['set-cookie']).split(';')[0]! };
        }
        const res =
          form.method === 'POST'
            ? await h.app.inject({ method: 'POST', url: form.action, headers: { ...headers, ...FORM }, payload: urlencoded(fields) })
            : await h.app.inject({ method: 'GET', url: `${form.action}?${urlencoded(fields)}`, headers });
        return check(`${form.method} ${form.action} ${JSON.stringify(Object.keys(fields))}`, res);
      }),
      { seed: SEED, numRuns: FORM_RUNS, endOnFailure: true },
    );
    assert.deepEqual(failures, []);
  });

  test('the server is still up and answering', async () => {
    assert.equal((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    const lookup = await h.app.inject({ method: 'GET', url: `/api/v1/lookup/${CODE}`, remoteAddress: '192.0.2.99' });
    assert.equal(lookup.statusCode, 200, lookup.body);
  });
});
