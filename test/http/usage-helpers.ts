import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { configureVendorKeys, createUser, post, type UsageRow } from "../helpers";

/**
 * Shared by the usage tests (usage-recording.test.ts, usage-reports.test.ts): calls through the
 * worker, records through the real queue (local miniflare, batches flushed after 50 ms:
 * vitest.config.ts), rows in D1, reports over HTTP.
 */

export type Caller = Awaited<ReturnType<typeof createUser>>;

export const requestIdOf = (res: { headers: Headers }) => res.headers.get("x-request-id") as string;

export async function conversation(key: string, model = "openai/gpt-4o-mini") {
  const res = await post("/v1/conversations", { model }, { key });
  expect(res.status, res.text).toBe(201);
  return res.json.id as string;
}

/** The vendors' keys configured, and two fresh users: call it in a file's `beforeAll`. */
export async function usageCallers(): Promise<{ alice: Caller; bob: Caller }> {
  await configureVendorKeys();
  const alice = await createUser();
  const bob = await createUser();
  return { alice, bob };
}

/** Rows straight into D1, on days long gone, so live calls never fall in the reports' range. */
export async function seed(rows: Partial<UsageRow>[]) {
  const columns = [
    "id",
    "request_id",
    "user_id",
    "api_key_id",
    "route",
    "vendor",
    "upstream_model",
    "alias",
    "input_tokens",
    "output_tokens",
    "cached_tokens",
    "cost_usd",
    "latency_ms",
    "status",
    "cache_hit",
    "error_code",
    "session_id",
    "key_metadata",
    "created_at",
  ] as const;
  await env.DB.batch(
    rows.map((row) => {
      const full: Record<string, unknown> = {
        id: `use_${crypto.randomUUID()}`,
        request_id: `req_${crypto.randomUUID()}`,
        route: "chat.completions",
        alias: null,
        input_tokens: 0,
        output_tokens: 0,
        cached_tokens: 0,
        cost_usd: 0,
        latency_ms: null,
        status: 200,
        cache_hit: 0,
        error_code: null,
        ...row,
      };
      return env.DB.prepare(
        `insert into usage_events (${columns.join(", ")}) values (${columns.map(() => "?").join(", ")})`,
      ).bind(...columns.map((c) => full[c] ?? null));
    }),
  );
}
