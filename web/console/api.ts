import type { Session } from "./session";

/** An answer of 400 or above, with what the API said: its message, code, field and request id. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null,
    readonly param: string | null,
    readonly requestId: string | null,
  ) {
    super(message);
  }
}

type Listener = () => void;
const signedOutListeners = new Set<Listener>();

/** Called when any call answers 401: the key stopped working (revoked, expired, deleted). */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

export interface CallInit {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  signal?: AbortSignal;
}

/** The raw response of a call with the session's key; errors are thrown as ApiError. */
export async function call(key: string, path: string, init: CallInit = {}): Promise<Response> {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(init.query ?? {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, String(value));
  }
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(url, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? null : JSON.stringify(init.body),
    signal: init.signal ?? null,
    // The key goes in a header only; nothing is sent as a credential the browser keeps.
    credentials: "omit",
    cache: "no-store",
  });
  if (res.status >= 400) throw await errorOf(res, key);
  return res;
}

/** A JSON call; a 204 resolves to undefined. */
export async function api<T>(session: Session | string, path: string, init: CallInit = {}): Promise<T> {
  const key = typeof session === "string" ? session : session.key;
  const res = await call(key, path, init);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

async function errorOf(res: Response, key: string): Promise<ApiError> {
  const requestId = res.headers.get("x-request-id");
  let message = `${res.status} ${res.statusText}`;
  let code: string | null = null;
  let param: string | null = null;
  try {
    const body = (await res.json()) as { error?: { message?: string; code?: string; param?: string } };
    if (body.error?.message) message = body.error.message;
    code = body.error?.code ?? null;
    param = body.error?.param ?? null;
  } catch {
    // Not JSON (a proxy's page): the status line says enough.
  }
  if (res.status === 401 && key) for (const listener of signedOutListeners) listener();
  return new ApiError(res.status, message, code, param, requestId);
}

/** One page of a cursor-paginated list. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}
