import type { UserRoleName, UserView } from '@saas/contracts';
import type { EntityManager } from 'typeorm';
import { effectiveTiers, type EffectiveTier } from './effective-plan-tier.js';
import type { User } from './user.entity.js';

/** A user as clients see it (never the password hash), with the tier its tokens carry and where it comes from. */
export function toUserView(u: User, effective: EffectiveTier): UserView {
  return {
    id: u.id,
    email: u.email,
    username: u.username,
    first_name: u.firstName,
    last_name: u.lastName,
    full_name: fullName(u),
    name: fullName(u),
    role: u.role,
    roles: u.role === 'admin' ? ['user', 'admin'] : ['user'],
    tier: effective.tier,
    tier_source: effective.source,
    tier_override: u.tierOverride,
    is_active: u.isActive,
    email_verified: u.emailVerifiedAt !== null,
    metadata: u.metadata ?? {},
    last_login: u.lastLogin?.toISOString() ?? null,
    created_at: u.createdAt.toISOString(),
    updated_at: u.updatedAt.toISOString(),
  };
}

/** toUserView with the user's effective tier looked up (one query). */
export async function viewOfUser(em: EntityManager, u: User): Promise<UserView> {
  return toUserView(u, (await effectiveTiers(em, [u])).get(u.id)!);
}

export function fullName(u: Pick<User, 'firstName' | 'lastName'>): string {
  return [u.firstName, u.lastName].filter(Boolean).join(' ');
}

/** The role a request asks for: `role`, else seed 004's `roles` list (admin if it holds `admin`). */
export function requestedRole(req: { role?: UserRoleName; roles?: UserRoleName[] }): UserRoleName | undefined {
  if (req.role !== undefined) return req.role;
  if (req.roles === undefined) return undefined;
  return req.roles.includes('admin') ? 'admin' : 'user';
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** `full_name`, or `first_name` + `last_name`; a full name splits at its first space. */
/** The profile fields a user (own record) and an admin (any record) both change, applied in place. */
export function applyProfileFields(
  user: { firstName: string; lastName: string; username: string | null; metadata: Record<string, unknown> },
  req: { full_name?: string; name?: string; first_name?: string; last_name?: string; username?: string | null; metadata?: Record<string, unknown> },
): void {
  const names = resolveNames(req);
  const whole = req.full_name !== undefined || req.name !== undefined;
  if (names) {
    if (req.first_name !== undefined || whole) user.firstName = names.firstName;
    if (req.last_name !== undefined || whole) user.lastName = names.lastName;
  }
  if (req.username !== undefined) user.username = req.username;
  if (req.metadata !== undefined) user.metadata = req.metadata;
}

export function resolveNames(input: { full_name?: string; name?: string; first_name?: string; last_name?: string }): { firstName: string; lastName: string } | null {
  if (input.first_name !== undefined || input.last_name !== undefined) {
    return { firstName: (input.first_name ?? '').trim(), lastName: (input.last_name ?? '').trim() };
  }
  const whole = input.full_name ?? input.name;
  if (whole !== undefined) {
    const full = whole.trim().replace(/\s+/g, ' ');
    const space = full.indexOf(' ');
    return space < 0 ? { firstName: full, lastName: '' } : { firstName: full.slice(0, space), lastName: full.slice(space + 1) };
  }
  return null;
}

/** The fields of a user that `user.updated` reports (never secrets). */
export function auditableFields(u: User): Record<string, unknown> {
  return {
    email: u.email,
    username: u.username,
    first_name: u.firstName,
    last_name: u.lastName,
    role: u.role,
    tier_override: u.tierOverride,
    is_active: u.isActive,
    email_verified: u.emailVerifiedAt !== null,
    metadata: u.metadata,
  };
}

/** `{ old, new }` of the fields that differ. */
export function diff(before: Record<string, unknown>, after: Record<string, unknown>): { old: Record<string, unknown>; new: Record<string, unknown> } {
  const changes = { old: {} as Record<string, unknown>, new: {} as Record<string, unknown> };
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      changes.old[key] = before[key];
      changes.new[key] = after[key];
    }
  }
  return changes;
}
