import { assertLoopback } from "./load.ts";
import { ANTHROPIC_KEY, OPENAI_KEY } from "./scenarios.ts";

/**
 * Sets the gateway up the way a client would, through its API: a user and an API key (with the
 * admin key), the built-in OpenAI and Anthropic vendors' keys (stored encrypted, pointing at the
 * mock by the worker's *_BASE_URL vars), and a pool of conversations for the conversation
 * scenario.
 */

export interface GatewaySetup {
  key: string;
  userId: string;
  conversations: string[];
}

async function api(
  base: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: any; text: string }> {
  const url = `${base}${path}`;
  assertLoopback(url);
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: reported through `text`
  }
  return { status: res.status, json, text };
}

async function expectStatus(
  res: Promise<{ status: number; json: any; text: string }>,
  status: number,
  what: string,
) {
  const r = await res;
  if (r.status !== status)
    throw new Error(`${what}: HTTP ${r.status}, expected ${status}: ${r.text.slice(0, 500)}`);
  return r.json;
}

export async function setUpGateway(
  base: string,
  adminKey: string,
  opts: { conversations: number; model: string },
): Promise<GatewaySetup> {
  const user = await expectStatus(
    api(base, adminKey, "POST", "/v1/users", {
      email: "bench@example.com",
      name: "Benchmark",
      role: "user",
    }),
    201,
    "create user",
  );
  const key = await expectStatus(
    api(base, adminKey, "POST", `/v1/users/${user.id}/api-keys`, { name: "bench" }),
    201,
    "create API key",
  );
  for (const [slug, apiKey] of [
    ["openai", OPENAI_KEY],
    ["anthropic", ANTHROPIC_KEY],
  ] as const) {
    await expectStatus(
      api(base, adminKey, "PATCH", `/v1/vendors/${slug}`, { api_key: apiKey }),
      200,
      `set the ${slug} key`,
    );
  }
  const conversations: string[] = [];
  const create = async (i: number) => {
    const c = await expectStatus(
      api(base, key.key, "POST", "/v1/conversations", { title: `Bench ${i}`, model: opts.model }),
      201,
      "create conversation",
    );
    conversations.push(c.id);
  };
  for (let i = 0; i < opts.conversations; i += 16) {
    await Promise.all(Array.from({ length: Math.min(16, opts.conversations - i) }, (_, j) => create(i + j)));
  }
  return { key: key.key, userId: user.id, conversations };
}
