import type { ViewProps } from ".";
import { UserDetail } from "./user-detail";

/** A user's own keys and budgets (admins manage everyone's under Users). */
export function KeysView({ session }: ViewProps) {
  const user = session.me.user;
  return user ? <UserDetail session={session} userId={user.id} /> : null;
}
