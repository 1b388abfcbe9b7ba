/**
 * The clerk's work queues (dossiers/dossier.queues.ts) on both databases, run under TZ=UTC and
 * TZ=America/New_York: business dates are Asia/Ho_Chi_Minh whatever the server's zone. The queues equal
 * what the API's dossier search gives for the same states, and "due next working day" is exactly the
 * 17:30 apology batch's selection.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, seedBasics, startHarness, TEST_DB, type Harness } from '../support/harness.js';
import { client } from '../support/notifications.js';
import { QUEUES, type QueueName } from '../../src/dossiers/dossier.queues.js';
import type { Principal } from '../../src/platform/principal.js';

const ADMIN: Principal = { role: 'admin', agencyCode: null, tokenId: null };
const PASSWORD = 'mot-khau-du-dai-2026';
const RECEIVED = '2026-11-20T08:00:00+07:00';

interface ApiDossier {
  receiptCode: string;
  state: string;
  dueAt: string;
  onTime: boolean | null;
}

describe(`work queues for clerks (${TEST_DB}, TZ=${process.env.TZ ?? 'unset'})`, () => {
  let h: Harness;
  const api = client(() => h);

  const queueCodes = async (queue: QueueName, q?: string) => {
    const page = await h.ctx.dossierQueries.queue(ADMIN, 'STC', queue, { q, limit: 500, offset: 0 });
    assert.equal(page.items.length, page.total, `${queue}: the total counts the list`);
    return page.items.map((d) => d.receiptCode).sort();
  };
  const apiDossiers = async (query = ''): Promise<ApiDossier[]> => {
    const res = await h.app.inject({ method: 'GET', url: `/api/v1/dossiers?agencyCode=STC&limit=500${query}`, headers: admin });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { items: ApiDossier[] }).items;
  };
  const codes = (items: ApiDossier[]) => items.map((d) => d.receiptCode).sort();
  /** The business date of an API time (always written with +07:00). */
  const vnDate = (iso: string) => iso.slice(0, 10);

  before(async () => {
    h = await startHarness();
    await seedBasics(h);
    h.clock.set('2026-11-27T10:00:00+07:00'); // a Friday: the next working day is Monday 30/11
    const intake = (code: string, dueAt: string, overrides: Record<string, unknown> = {}) =>
      api.intake(code, { receivedAt: RECEIVED, dueAt, ...overrides });
    await intake('Q-TODAY-LATER', '2026-11-27T16:00:00+07:00');
    await intake('Q-TODAY-PAST', '2026-11-27T09:00:00+07:00');
    await intake('Q-TODAY-MIDNIGHT', '2026-11-27T00:00:00+07:00');
    await intake('Q-YESTERDAY-LAST', '2026-11-26T23:59:59+07:00');
    await intake('Q-MON-OPEN', '2026-11-30T10:00:00+07:00');
    await intake('Q-MON-STEP', '2026-11-30T16:30:00+07:00');
    await api.event('Q-MON-STEP', { type: 'step', step: 'Thẩm định hồ sơ' });
    await intake('Q-MON-READY', '2026-11-30T10:00:00+07:00');
    await api.event('Q-MON-READY', { type: 'result_ready' });
    await intake('Q-MON-SUPP', '2026-11-30T10:00:00+07:00');
    await api.event('Q-MON-SUPP', { type: 'supplement_requested' });
    await intake('Q-MON-NOPHONE', '2026-11-30T09:00:00+07:00', { applicant: { name: 'Lê Văn Cường', phone: null } });
    await intake('Q-SAT', '2026-11-28T10:00:00+07:00');
    await intake('Q-TUE', '2026-12-01T10:00:00+07:00');
    await intake('Q-SUPP-LATE', '2026-11-25T10:00:00+07:00');
    await api.event('Q-SUPP-LATE', { type: 'supplement_requested' });
    await intake('Q-READY-LATE', '2026-11-25T10:00:00+07:00');
    await api.event('Q-READY-LATE', { type: 'result_ready' });
    await intake('Q-RETURNED', '2026-11-25T10:00:00+07:00');
    await api.event('Q-RETURNED', { type: 'result_ready' });
    await api.event('Q-RETURNED', { type: 'returned' });
    await intake('Q-REFUSED', '2026-11-25T10:00:00+07:00');
    await api.event('Q-REFUSED', { type: 'refused' });
    // Another agency's dossier is never in STC's queues.
    await intake('Q-STP-TODAY', '2026-11-27T11:00:00+07:00', { agencyCode: 'STP', procedureCode: '2.000488' });
  });
  after(async () => h.close());

  test('each queue holds exactly its dossiers; counts equal the lists', async () => {
    h.clock.set('2026-11-27T10:00:00+07:00');
    const expected: Record<QueueName, string[]> = {
      due_today: ['Q-TODAY-LATER', 'Q-TODAY-MIDNIGHT', 'Q-TODAY-PAST'],
      due_tomorrow: ['Q-MON-NOPHONE', 'Q-MON-OPEN', 'Q-MON-STEP'],
      late: ['Q-SUPP-LATE', 'Q-TODAY-MIDNIGHT', 'Q-TODAY-PAST', 'Q-YESTERDAY-LAST'],
      awaiting_supplement: ['Q-MON-SUPP', 'Q-SUPP-LATE'],
      result_ready: ['Q-MON-READY', 'Q-READY-LATE'],
    };
    const { counts, dates } = await h.ctx.dossierQueries.queueCounts(ADMIN, 'STC');
    assert.equal(dates.today, '2026-11-27');
    assert.equal(dates.tomorrow, '2026-11-30');
    for (const queue of QUEUES) {
      assert.deepEqual(await queueCodes(queue), expected[queue].sort(), queue);
      assert.equal(counts[queue], expected[queue].length, `${queue} count`);
    }
    // The search inside a queue ignores diacritics, as everywhere.
    assert.deepEqual(await queueCodes('due_tomorrow', 'le van cuong'), ['Q-MON-NOPHONE']);
    assert.deepEqual(await queueCodes('due_tomorrow', 'Lê Văn Cường'), ['Q-MON-NOPHONE']);
  });

  test("the queues equal the API's dossier search for the same states and the API's on-time judgement", async () => {
    for (const at of ['2026-11-27T10:00:00+07:00', '2026-11-27T00:30:00+07:00', '2026-11-27T23:59:00+07:00', '2026-11-30T09:30:00+07:00']) {
      h.clock.set(at);
      const all = await apiDossiers();
      const { counts, dates } = await h.ctx.dossierQueries.queueCounts(ADMIN, 'STC');
      assert.equal(dates.today, at.slice(0, 10), `${at}: business date`);
      const open = (d: ApiDossier) => d.state === 'received' || d.state === 'in_progress';
      const fromApi: Record<QueueName, string[]> = {
        due_today: codes(all.filter((d) => open(d) && vnDate(d.dueAt) === dates.today)),
        due_tomorrow: codes(all.filter((d) => open(d) && vnDate(d.dueAt) === dates.tomorrow)),
        late: codes(all.filter((d) => d.onTime === false && ['received', 'in_progress', 'awaiting_supplement'].includes(d.state))),
        awaiting_supplement: codes(await apiDossiers('&state=awaiting_supplement')),
        result_ready: codes(await apiDossiers('&state=result_ready')),
      };
      for (const queue of QUEUES) {
        assert.deepEqual(await queueCodes(queue), fromApi[queue], `${at} ${queue}`);
        assert.equal(counts[queue], fromApi[queue].length, `${at} ${queue} count`);
      }
    }
  });

  test("'due next working day' is the 17:30 apology batch's selection for that evening", async () => {
    h.clock.set('2026-11-27T17:29:00+07:00');
    const queue = await queueCodes('due_tomorrow');
    h.clock.set('2026-11-27T17:30:00+07:00');
    const result = await api.apology('2026-11-27T17:30:00+07:00');
    assert.equal(result.dueDate, '2026-11-30');
    assert.equal(result.dossiers, queue.length);
    const apologised = [];
    for (const code of queue) if ((await api.notes(code)).some((n) => n.kind === 'apology')) apologised.push(code);
    assert.deepEqual(apologised, queue, 'every dossier of the queue got its apology (or its failed row: no phone)');
    for (const code of ['Q-MON-READY', 'Q-MON-SUPP', 'Q-TUE', 'Q-SAT']) {
      assert.deepEqual(
        (await api.notes(code)).filter((n) => n.kind === 'apology'),
        [],
        code,
      );
    }
  });

  test('the desk shows the counts in its menu and pages a queue "1–50 / N"', async () => {
    h.clock.set('2026-11-27T10:00:00+07:00');
    await h.ctx.accounts.create({
      username: 'stc-queues',
      displayName: 'Lê Thị Mai',
      role: 'clerk',
      agencyCode: 'STC',
      password: PASSWORD,
    });
    for (let i = 1; i <= 50; i++) {
      const code = `Q-BULK-${String(i).padStart(3, '0')}`;
      await api.intake(code, { receivedAt: RECEIVED, dueAt: '2026-12-04T10:00:00+07:00' });
      await api.event(code, { type: 'result_ready' });
    }
    const page = await h.app.inject({ method: 'GET', url: '/dang-nhap' });
    const pre = /mcs_login=([^;]+)/.exec(String(page.headers['set-cookie']))![1]!;
    const csrf = /name="_csrf" value="([^"]*)"/.exec(page.body)![1]!;
    const res = await h.app.inject({
      method: 'POST',
      url: '/dang-nhap',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `mcs_login=${pre}` },
      payload: new URLSearchParams({ _csrf: csrf, username: 'stc-queues', password: PASSWORD }).toString(),
    });
    assert.equal(res.statusCode, 303, res.body);
    const cookie = `mcs_session=${/mcs_session=([^;]+)/.exec(String(res.headers['set-cookie']))![1]}`;
    const desk = async (query: string) => {
      const r = await h.app.inject({ method: 'GET', url: `/mot-cua${query}`, headers: { cookie } });
      assert.equal(r.statusCode, 200, r.body);
      return r.body;
    };

    const { counts } = await h.ctx.dossierQueries.queueCounts(ADMIN, 'STC');
    assert.equal(counts.result_ready, 52);
    const home = await desk('');
    for (const queue of QUEUES) {
      const link = new RegExp(`data-queue="${queue}"[^>]*>[^<]*<strong data-count>(\\d+)</strong>`).exec(home);
      assert.ok(link, `${queue} in the menu`);
      assert.equal(Number(link[1]), counts[queue], `${queue} menu count`);
    }
    assert.match(home, /Đến hạn hôm nay/);
    assert.match(home, /Có kết quả, chưa trả/);

    const first = await desk('?hang=cho-tra-ket-qua');
    assert.match(first, /data-testid="range">1–50 \/ 52</);
    assert.equal((first.match(/href="\/mot-cua\/ho-so\//g) ?? []).length, 50);
    assert.match(first, /Q-BULK-050/, 'newest first');
    assert.doesNotMatch(first, /Q-MON-READY/);
    const second = await desk('?hang=cho-tra-ket-qua&trang=2');
    assert.match(second, /data-testid="range">51–52 \/ 52</);
    assert.match(second, /Q-MON-READY/);
    assert.match(second, /Q-READY-LATE/);
    assert.match(await desk('?hang=cho-tra-ket-qua&trang=9'), /Không có trang 9: danh sách chỉ có 2 trang\./);
    const searched = await desk(`?hang=han-ngay-mai&q=${encodeURIComponent('le van cuong')}`);
    assert.match(searched, /data-testid="range">1–1 \/ 1</);
    assert.match(searched, /Q-MON-NOPHONE/);
    assert.match(await desk('?hang=han-ngay-mai'), /30\/11\/2026/);
  });
});
