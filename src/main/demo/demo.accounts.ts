/** Demo logins, created with the demo data so a newcomer can open every screen. */
import type { AppContext } from '../context.js';
import type { WebRole } from '../../accounts/web-user.js';

export const DEMO_PASSWORD = 'MotcuaDemo2026';

export const DEMO_ACCOUNTS: ReadonlyArray<{ username: string; displayName: string; role: WebRole; agencyCode: string | null }> = [
  { username: 'admin', displayName: 'Quản trị hệ thống', role: 'admin', agencyCode: null },
  { username: 'giamsat', displayName: 'Sở Thông tin và Truyền thông (giám sát)', role: 'oversight', agencyCode: null },
  { username: 'stp-quantri', displayName: 'Trần Văn Quản (Sở Tư pháp)', role: 'agency_admin', agencyCode: 'STP' },
  { username: 'stp-motcua', displayName: 'Nguyễn Thị Lan (Một cửa Sở Tư pháp)', role: 'clerk', agencyCode: 'STP' },
];

/** Creates the demo accounts that do not exist yet (existing ones, and their passwords, are left alone). */
export async function ensureDemoAccounts(ctx: AppContext): Promise<number> {
  const { accounts } = ctx;
  let created = 0;
  for (const account of DEMO_ACCOUNTS) {
    if (await accounts.findByUsername(account.username)) continue;
    if (account.agencyCode && !(await ctx.agencies.get(account.agencyCode))) continue;
    await accounts.create({ ...account, password: DEMO_PASSWORD });
    created++;
  }
  return created;
}

export function demoLoginText(): string {
  const lines = DEMO_ACCOUNTS.map((a) => `    ${a.username.padEnd(12)} ${a.role}${a.agencyCode ? ` (${a.agencyCode})` : ''}`);
  return `\n  Tài khoản demo (mật khẩu ${DEMO_PASSWORD}) — đăng nhập tại /dang-nhap:\n${lines.join('\n')}\n\n`;
}
