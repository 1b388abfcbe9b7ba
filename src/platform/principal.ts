import { forbidden } from './errors.js';

export const ROLES = ['admin', 'agency', 'oversight', 'gateway'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  readonly role: Role;
  readonly agencyCode: string | null;
  readonly tokenId: number | null;
}

export function requireRole(principal: Principal, roles: readonly Role[]): void {
  if (!roles.includes(principal.role)) throw forbidden();
}

/** Agency principals may only touch their own agency's data; admin and oversight see every agency. */
export function assertCanReadAgency(principal: Principal, agencyCode: string): void {
  if (principal.role === 'admin' || principal.role === 'oversight') return;
  if (principal.role === 'agency' && principal.agencyCode === agencyCode) return;
  throw forbidden();
}

export function assertCanWriteAgency(principal: Principal, agencyCode: string): void {
  if (principal.role === 'admin') return;
  if (principal.role === 'agency' && principal.agencyCode === agencyCode) return;
  throw forbidden();
}

/** The agency filter a listing must apply for this principal (null = all agencies). */
export function agencyScope(principal: Principal, requested?: string | null): string | null {
  if (principal.role === 'agency') {
    if (requested && requested !== principal.agencyCode) throw forbidden();
    return principal.agencyCode;
  }
  return requested ?? null;
}
