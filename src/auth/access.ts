import { notFound } from "../errors/gateway-error";
import { isAdmin, type Principal } from "./principal";

/**
 * A user may act on their own user record's sub-resources (API keys); admins on anyone's.
 * Anyone else gets the same 404 an unknown user gets, so ids cannot be probed.
 */
export function assertSelfOrAdmin(p: Principal, userId: string): void {
  if (isAdmin(p)) return;
  if (p.kind === "user" && p.user.id === userId) return;
  throw notFound("user", "id");
}
