import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { createApp } from "../../src/app";
import { ADMIN_KEY, post } from "../helpers";

/** Helpers for the routing tests: deployments on the mock's /deploy/<name>/v1 hosts, told apart by path. */

/** An openai-compatible vendor on its own mock host (test/mocks/upstream-server.ts). */
export async function deployment(slug: string, apiKey?: string) {
  const res = await post("/v1/vendors", {
    slug,
    kind: "openai-compatible",
    base_url: `${env.MOCK_UPSTREAM_URL}/deploy/${slug}/v1`,
    ...(apiKey ? { api_key: apiKey } : {}),
  });
  expect(res.status, res.text).toBe(201);
}

export interface Answered {
  status: number;
  /** The deployment the mock saw the call on (from its path), and the key it was sent. */
  deployment: string;
  authorization: string | undefined;
  headers: Headers;
  text: string;
}

/**
 * A chat completion of `model` (an alias whose targets run the mock's `inspect` scenario), by
 * default with the admin key (no rate limit, model resolved through Drizzle); a user's `key` takes
 * the hot path (src/db/queries/hot-path.ts) and its cache. `vars` override the Worker's configuration.
 */
export async function ask(
  model: string,
  opts: {
    key?: string;
    headers?: Record<string, string>;
    body?: Record<string, unknown>;
    vars?: Partial<Cloudflare.Env>;
  } = {},
): Promise<Answered> {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(
    new Request("http://w/v1/chat/completions", {
      method: "POST",
      headers: {
        authorization: `Bearer ${opts.key ?? ADMIN_KEY}`,
        "content-type": "application/json",
        ...opts.headers,
      },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "where?" }], ...opts.body }),
    }),
    { ...env, ...opts.vars },
    ctx,
  );
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  if (res.status !== 200)
    return { status: res.status, deployment: "", authorization: undefined, headers: res.headers, text };
  const seen = JSON.parse(JSON.parse(text).choices[0].message.content) as {
    path: string;
    headers: Record<string, string>;
  };
  return {
    status: res.status,
    deployment: /^\/deploy\/([^/]+)\//.exec(seen.path)?.[1] ?? seen.path,
    authorization: seen.headers.authorization,
    headers: res.headers,
    text,
  };
}

/** How often each value came up. */
export function tally(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

/**
 * Five standard deviations of a share `p` over `n` independent draws: a real random choice lands
 * further out about once in 1.7 million runs, so the test never flakes yet still catches a wrong
 * weight (3:1 against 1:1 is 25 points off).
 */
export const fiveSigma = (p: number, n: number) => 5 * Math.sqrt((p * (1 - p)) / n);

/** What the mock received for a model name. */
export async function upstreamLog(
  model: string,
): Promise<{ path: string; headers: Record<string, string> }[]> {
  return (await (
    await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(model)}`)
  ).json()) as {
    path: string;
    headers: Record<string, string>;
  }[];
}
