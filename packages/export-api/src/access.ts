import type { EventRecord, Protection } from './model.js';

/** The requester as the access rules see it; `null` is anonymous (or `onlypublic=yes`). */
export interface Requester {
  id: string;
  isAdmin?: boolean;
  groups?: readonly string[];
}

/** Whether `user` may see an object with `protection` (public when unprotected; managers always may). */
export function canAccess(
  protection: Protection | undefined,
  user: Requester | null,
  canModifyParent = false,
): boolean {
  if (!protection?.isProtected) return true;
  if (canModifyParent) return true;
  if (!user) return false;
  if (user.isAdmin) return true;
  if (protection.allowedUserIds?.includes(user.id) || protection.managerIds?.includes(user.id)) return true;
  const groups = protection.allowedGroups;
  return !!groups && !!user.groups?.some((g) => groups.includes(g));
}

/** Whether `user` may modify the event: admins, the creator and the event managers (spec §10 `canModify`). */
export function canModifyEvent(event: EventRecord, user: Requester | null): boolean {
  if (!user) return false;
  return !!user.isAdmin || event.creator.id === user.id || !!event.protection?.managerIds?.includes(user.id);
}

/** Event-level access: its own protection, or modification rights. */
export function canAccessEvent(event: EventRecord, user: Requester | null): boolean {
  return canModifyEvent(event, user) || canAccess(event.protection, user);
}
