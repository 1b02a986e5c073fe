import { env } from "cloudflare:workers";
import { beforeAll, expect } from "vitest";
import { configureVendorKeys, createUser, get, post } from "../helpers";

/** Shared by the conversation-messages test files: setup and helpers for a conversation's turns. */

/** The mock OpenAI upstream's usage, whatever it is asked (test/mocks/openai.ts). */
export const OPENAI_USAGE = { prompt_tokens: 21, completion_tokens: 8, total_tokens: 29 };

/** The user whose key the helpers below default to; set by useConversationUser's beforeAll. */
export let key: string;

/** Registers the files' setup: vendor keys configured, and `key` a fresh user's. */
export function useConversationUser() {
  beforeAll(async () => {
    await configureVendorKeys();
    key = (await createUser()).key;
  });
}

export async function createConversation(k: string, body: Record<string, unknown> = {}) {
  const res = await post("/v1/conversations", body, { key: k });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; title: string; updated_at: string };
}

export async function createPersona(k: string, body: Record<string, unknown>) {
  const res = await post(
    "/v1/personas",
    { name: "Persona", system_prompt: "You are terse.", model: "mock/echo", ...body },
    { key: k },
  );
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string };
}

export const send = (conversationId: string, body: Record<string, unknown>, k = key) =>
  post(`/v1/conversations/${conversationId}/messages`, body, { key: k });

export async function listMessages(conversationId: string, k = key) {
  const res = await get(`/v1/conversations/${conversationId}/messages?limit=100`, { key: k });
  expect(res.status, res.text).toBe(200);
  return res.json.data as any[];
}

/** Rows straight from D1, so a test sees what is stored even where the API would hide it. */
export async function storedRows(conversationId: string) {
  const { results } = await env.DB.prepare(
    "select role, finish_reason, content from messages where conversation_id = ? order by id",
  )
    .bind(conversationId)
    .all<{ role: string; finish_reason: string | null; content: string }>();
  return results.map((r) => ({ ...r, content: JSON.parse(r.content) }));
}

/** What the `inspect` upstream received: it answers with the JSON of the request. */
export const seen = (res: { json: any }) => JSON.parse(res.json.assistant_message.content[0].text);

export const text = (t: string) => [{ type: "text", text: t }];
