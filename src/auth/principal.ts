import type { UserRow } from "../db/schema";
import { forbidden } from "../errors/gateway-error";
import type { KeyScope } from "./key-scope";

/**
 * Who is calling: the operator's ADMIN_API_KEY, or a user through one of their API keys (with the
 * key's requests-per-minute tier and scopes, so rate limiting and scope checks need no read of
 * their own).
 */
export type Principal =
  | { kind: "root" }
  | { kind: "user"; user: UserRow; keyId: string; rateLimitPerMinute: number | null; scope: KeyScope };

/** The calling key's scope; null for the operator's ADMIN_API_KEY, which has none. */
export const scopeOfPrincipal = (p: Principal): KeyScope | null => (p.kind === "user" ? p.scope : null);

export const isAdmin = (p: Principal): boolean => p.kind === "root" || p.user.role === "admin";

/** For resources that belong to a user (personas, conversations): the admin key has no user. */
export function requireUser(p: Principal): UserRow {
  if (p.kind === "user") return p.user;
  throw forbidden(
    "user_key_required",
    "This route acts on a user's own resources; call it with that user's API key, not ADMIN_API_KEY.",
  );
}

export function assertAdmin(p: Principal): void {
  if (!isAdmin(p)) throw forbidden("admin_required", "This route needs an admin key.");
}
