import type { Authenticate, Principal, Role } from '../../src/auth/access.ts';

/**
 * For route tests that are not about authentication: an authenticate function handed to
 * createApp's deps that says every request comes from this principal. Injected through deps, so no
 * header or backdoor exists in the real app.
 */
export function actingAs(principal: Principal | null): Authenticate {
  return async () => principal;
}

export function principal(role: Role, userId = 1, username: string = role): Principal {
  return { userId, username, role, via: 'token' };
}
