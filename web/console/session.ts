/**
 * The signed-in key lives in sessionStorage only: never in a URL, a cookie or a log, gone when
 * the tab closes or on sign-out. Who the key belongs to (`GET /v1/me`) is kept beside it.
 */
export interface Me {
  auth: "admin_key" | "api_key";
  is_admin: boolean;
  user: { id: string; email: string; name: string | null; role: string } | null;
  api_key_id: string | null;
}

export interface Session {
  key: string;
  me: Me;
}

const STORAGE_KEY = "switchboard.session";

export function loadSession(): Session | null {
  const raw = sessionStorage.getItem(STORAGE_KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as Session;
  } catch {
    sessionStorage.removeItem(STORAGE_KEY);
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
