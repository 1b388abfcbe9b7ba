import type { Principal } from '../platform/principal.js';

export const WEB_ROLES = ['admin', 'oversight', 'agency_admin', 'clerk'] as const;
export type WebRole = (typeof WEB_ROLES)[number];
export type WebLang = 'vi' | 'en';

export interface WebUser {
  id: number;
  username: string;
  displayName: string;
  role: WebRole;
  agencyCode: string | null;
  lang: WebLang;
}

/** The service-layer principal a person acts as. Clerks act as their agency; the web layer keeps them off settings pages. */
export function principalForUser(user: WebUser): Principal {
  switch (user.role) {
    case 'admin':
      return { role: 'admin', agencyCode: null, tokenId: null };
    case 'oversight':
      return { role: 'oversight', agencyCode: null, tokenId: null };
    case 'agency_admin':
    case 'clerk':
      return { role: 'agency', agencyCode: user.agencyCode, tokenId: null };
  }
}

export const ROLE_LABELS: Readonly<Record<WebRole, { vi: string; en: string }>> = {
  admin: { vi: 'Quản trị hệ thống', en: 'System administrator' },
  oversight: { vi: 'Cơ quan giám sát', en: 'Oversight' },
  agency_admin: { vi: 'Quản trị cơ quan', en: 'Agency administrator' },
  clerk: { vi: 'Cán bộ một cửa', en: 'Desk clerk' },
};
