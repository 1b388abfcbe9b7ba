/** The staff web pages through app.inject(): log in with the form (cookies, CSRF), post forms, count rows. */
import assert from 'node:assert/strict';
import { seedBasics, type Harness } from './harness.js';

export const PASSWORD = 'mot-khau-du-dai-2026';
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
export const CSRF_MESSAGE = 'Phiên làm việc đã hết hạn hoặc yêu cầu không hợp lệ';

export interface Session {
  cookie: string;
  csrf: string;
}
export type Reply = { statusCode: number; body: string; headers: Record<string, unknown> };

export function cookiesOf(res: Reply): string[] {
  const raw = res.headers['set-cookie'];
  return Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
}
export const cookieValue = (res: Reply, name: string) =>
  cookiesOf(res)
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith(`${name}=`))
    ?.slice(name.length + 1);
export const csrfIn = (body: string) => /name="_csrf" value="([^"]*)"/.exec(body)?.[1] ?? '';

/** A web client over one harness (`getH` is read at call time, after `before` started it). */
export function webSession(getH: () => Harness) {
  const h = {
    get app() {
      return getH().app;
    },
    get ctx() {
      return getH().ctx;
    },
  };
  const attempt = async (username: string, password: string, ip = '10.0.0.1', extraHeaders: Record<string, string> = {}) => {
    const page = await h.app.inject({ method: 'GET', url: '/dang-nhap', remoteAddress: ip, headers: extraHeaders });
    // Over HTTPS the login form's cookie is __Secure-mcs_login.
    const name = cookieValue(page, 'mcs_login') === undefined ? '__Secure-mcs_login' : 'mcs_login';
    const pre = cookieValue(page, name)!;
    return h.app.inject({
      method: 'POST',
      url: '/dang-nhap',
      remoteAddress: ip,
      headers: { ...FORM, cookie: `${name}=${pre}`, ...extraHeaders },
      payload: new URLSearchParams({ _csrf: csrfIn(page.body), username, password }).toString(),
    });
  };
  const login = async (username: string, ip = '10.0.0.1'): Promise<Session> => {
    const res = await attempt(username, PASSWORD, ip);
    assert.equal(res.statusCode, 303, res.body);
    const cookie = `mcs_session=${cookieValue(res, 'mcs_session')}`;
    const home = await h.app.inject({ method: 'GET', url: '/dang-nhap?next=/mot-cua', headers: { cookie } });
    assert.equal(home.statusCode, 303);
    // The CSRF token is read off the page the login lands on, which every role may open.
    let landing = await h.app.inject({ method: 'GET', url: String(res.headers.location ?? '/'), headers: { cookie } });
    if (landing.statusCode >= 300 && landing.statusCode < 400)
      landing = await h.app.inject({ method: 'GET', url: String(landing.headers.location), headers: { cookie } });
    const token = /<meta name="csrf-token" content="([^"]+)">/.exec(landing.body)?.[1];
    assert.ok(token, `csrf token on the landing page (${landing.statusCode})`);
    return { cookie, csrf: token };
  };
  const post = (s: Session, url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    h.app.inject({
      method: 'POST',
      url,
      headers: { ...FORM, cookie: s.cookie, ...headers },
      payload: new URLSearchParams({ _csrf: s.csrf, ...fields }).toString(),
    });
  const get = (s: Session | null, url: string) => h.app.inject({ method: 'GET', url, headers: s ? { cookie: s.cookie } : {} });
  const count = async (table: 'web_users' | 'web_audit' | 'web_sessions') =>
    (
      await h.ctx.db.kysely
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
  return { attempt, login, post, get, count };
}

/** seedBasics and four accounts with PASSWORD: quantri (admin), stc-quantri, stc-motcua, giamsat. */
export async function seedWebAccounts(h: Harness): Promise<void> {
  await seedBasics(h);
  await seedBasics(h);
  const accounts = h.ctx.accounts;
  await accounts.create({ username: 'quantri', displayName: 'Quản trị', role: 'admin', agencyCode: null, password: PASSWORD });
  await accounts.create({
    username: 'stc-quantri',
    displayName: 'Trần Văn Quản',
    role: 'agency_admin',
    agencyCode: 'STC',
    password: PASSWORD,
  });
  await accounts.create({ username: 'stc-motcua', displayName: 'Lê Thị Mai', role: 'clerk', agencyCode: 'STC', password: PASSWORD });
  await accounts.create({ username: 'giamsat', displayName: 'Sở TT&TT', role: 'oversight', agencyCode: null, password: PASSWORD });
}
