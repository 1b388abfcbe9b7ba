/** The people who use the web screens as accounts see them: roles, language, and what each role may read. */
import { forbidden } from '../platform/errors.js';
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

/** Whether the user sees every agency (oversight, admin) or only their own. */
export function seesAllAgencies(user: WebUser): boolean {
  return user.role === 'admin' || user.role === 'oversight';
}

/** The agency filter a page must apply: a user bound to an agency asking for another gets 403. Unlike
 *  `agencyScope` of a principal, an agency-bound user without an agency sees nothing rather than everything. */
export function scopeAgency(user: WebUser, requested: string | undefined | null): string | null {
  if (seesAllAgencies(user)) return requested || null;
  if (!user.agencyCode || (requested && requested !== user.agencyCode)) throw forbidden();
  return user.agencyCode;
}
