import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";

/** Test helpers that act as an HTTP client of the worker (no access to its internals). */

export const ADMIN_KEY = "test-admin-key";
const BASE = "http://switchboard.test";

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

export async function call(method: string, path: string, opts: CallOptions = {}) {
  const headers = new Headers(opts.headers);
  const key = opts.key === undefined ? ADMIN_KEY : opts.key;
  if (key) headers.set("authorization", `Bearer ${key}`);
  let body: BodyInit | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const res = await exports.default.fetch(new Request(BASE + path, { method, headers, body }));
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, json, text };
}

export const get = (path: string, opts?: CallOptions) => call("GET", path, opts);
export const post = (path: string, body?: unknown, opts?: CallOptions) =>
  call("POST", path, { ...opts, body });
export const patch = (path: string, body?: unknown, opts?: CallOptions) =>
  call("PATCH", path, { ...opts, body });
export const del = (path: string, opts?: CallOptions) => call("DELETE", path, opts);

/** Asserts PRODUCT.md's error shape, and returns the error object. */
export function expectError(
  res: { status: number; json: any; headers: Headers },
  status: number,
  type: string,
  code?: string,
) {
  expect(res.status, JSON.stringify(res.json)).toBe(status);
  expect(res.json).toMatchObject({
    error: { type, message: expect.any(String), request_id: expect.any(String) },
  });
  expect(Object.keys(res.json.error).sort()).toEqual(
    ["type", "code", "message", "request_id", ...("param" in res.json.error ? ["param"] : [])].sort(),
  );
  expect(res.headers.get("x-request-id")).toBe(res.json.error.request_id);
  if (code) expect(res.json.error.code).toBe(code);
  return res.json.error as {
    type: string;
    code: string;
    message: string;
    param?: string;
    request_id: string;
  };
}

let counter = 0;
/** A fresh user and one API key for it. */
export async function createUser(opts: { role?: "user" | "admin"; email?: string; name?: string } = {}) {
  counter += 1;
  const email = opts.email ?? `user${counter}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const user = await post("/v1/users", {
    email,
    name: opts.name ?? `User ${counter}`,
    role: opts.role ?? "user",
  });
  expect(user.status, JSON.stringify(user.json)).toBe(201);
  const key = await post(`/v1/users/${user.json.id}/api-keys`, { name: "test" });
  expect(key.status, JSON.stringify(key.json)).toBe(201);
  return {
    user: user.json as { id: string; email: string; role: string },
    key: key.json.key as string,
    keyId: key.json.id as string,
  };
}

/** Walks every page of a list and returns all items, checking the envelope on the way. */
export async function collectPages(path: string, opts: CallOptions & { limit: number }) {
  const items: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const res = await get(
      `${path}${sep}limit=${opts.limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      opts,
    );
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.data.length).toBeLessThanOrEqual(opts.limit);
    items.push(...res.json.data);
    cursor = res.json.next_cursor;
    pages += 1;
    expect(pages).toBeLessThan(1000);
  } while (cursor);
  return { items, pages };
}

/** Gives the built-in vendors the keys the mock upstreams expect (stored encrypted via the API). */
export async function configureVendorKeys() {
  for (const [slug, key] of [
    ["openai", "test-openai-key"],
    ["anthropic", "test-anthropic-key"],
    ["gemini", "test-gemini-key"],
  ] as const) {
    const res = await patch(`/v1/vendors/${slug}`, { api_key: key });
    expect(res.status, res.text).toBe(200);
  }
}

/** A unique mock-upstream model name for a scenario (see test/mocks/scenario.ts). */
export const scenario = (name: string) => `${name}~${crypto.randomUUID().slice(0, 8)}`;

/** Reads an SSE body into its `data:` payloads (as sent, in order). */
export function sseData(text: string): string[] {
  return text
    .split(/\r?\n\r?\n/)
    .filter((e) => e.trim() !== "")
    .map((e) =>
      e
        .split(/\r?\n/)
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).trimStart())
        .join("\n"),
    );
}

/** A row of usage_events as D1 returns it. */
export interface UsageRow {
  id: string;
  request_id: string;
  user_id: string | null;
  api_key_id: string | null;
  route: string;
  vendor: string | null;
  upstream_model: string | null;
  alias: string | null;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  latency_ms: number | null;
  ttft_ms: number | null;
  status: number;
  cache_hit: number;
  tokens_estimated: number;
  retries: number;
  fallback_used: string | null;
  vendor_key_id: string | null;
  error_code: string | null;
  session_id: string | null;
  /** The key's metadata tags at call time, as JSON text. */
  key_metadata: string | null;
  created_at: number;
}

/** The usage row of a request, polled for (it is written after the response): at most 2 s. */
export async function usageOf(requestId: string): Promise<UsageRow> {
  for (let i = 0; i < 100; i++) {
    const row = await env.DB.prepare("select * from usage_events where request_id = ?")
      .bind(requestId)
      .first<UsageRow>();
    if (row) return row;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no usage row for ${requestId}`);
}
