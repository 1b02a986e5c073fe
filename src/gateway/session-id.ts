/**
 * The client's session, for grouping usage: Claude Code sends `x-claude-code-session-id` (one
 * UUID per session) on every request, and any other client may send it too. It is the client's
 * own label, so it is kept only when it is a plausible id, and a call never fails over it: a
 * value that is not is simply not recorded.
 */
export const SESSION_HEADER = "x-claude-code-session-id";

export const MAX_SESSION_ID_LENGTH = 128;

/** Printable ASCII (space to `~`): no control characters for log lines, no bytes to escape. */
const SESSION_ID = new RegExp(`^[\\x20-\\x7e]{1,${MAX_SESSION_ID_LENGTH}}$`);

/** The session id a header value names, or null when there is none or it is not a plausible id. */
export function sessionIdFrom(value: string | null | undefined): string | null {
  if (value == null) return null;
  const id = value.trim();
  return SESSION_ID.test(id) ? id : null;
}
