import { env } from "cloudflare:workers";
import { beforeAll } from "vitest";
import { configureVendorKeys, createUser, post } from "../helpers";

/** Shared by the vendor-gemini*.test.ts files. */

/** The key of the user `chat` calls as; set by `setupGeminiUser`. */
export let key: string;

/** Gives the built-in vendors their mock keys and creates the calling user, before a file's tests. */
export function setupGeminiUser() {
  beforeAll(async () => {
    await configureVendorKeys();
    key = (await createUser()).key;
  });
}

export const chat = (body: Record<string, unknown>, headers?: Record<string, string>) =>
  post("/v1/chat/completions", body, { key, headers });
export const user = (content: unknown) => ({ role: "user", content });

/** What the mock upstream recorded for a model name (test/mocks/upstream-server.ts). */
export async function upstreamLog(model: string) {
  const res = await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(model)}`);
  return (await res.json()) as {
    path: string;
    headers: Record<string, string>;
    body: Record<string, unknown>;
    aborted: boolean;
  }[];
}

/** The mock's usage in OpenAI's shape: its 2 thought tokens are output, and told apart. */
export const FIXED_USAGE = {
  prompt_tokens: 30,
  completion_tokens: 12,
  total_tokens: 42,
  prompt_tokens_details: { cached_tokens: 6 },
  completion_tokens_details: { reasoning_tokens: 2 },
};

export const WEATHER_TOOL = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: {
      type: "object",
      properties: { location: { type: "string" } },
      required: ["location"],
      additionalProperties: false,
    },
  },
};
