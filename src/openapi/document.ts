import { createApp } from "../app";
import { API_VERSION } from "./document-route";
import { authenticated } from "./schemas";

const DESCRIPTION = `Switchboard: one OpenAI-compatible API in front of many model providers, with stateful chat
(users, API keys, personas, conversations), running on Cloudflare Workers.

**Auth.** Send \`Authorization: Bearer <key>\` (or \`x-api-key: <key>\`). Admin routes take the
operator's \`ADMIN_API_KEY\` or a key of a user whose role is \`admin\`. A user key sees only its own
user's resources; another user's resource answers 404.

**Errors.** Every error is \`{"error": {"type", "code", "message", "param"?, "request_id"}}\`, and
every response carries \`x-request-id\`.

**Lists** take \`?limit=&cursor=\` and answer \`{data, next_cursor}\`.`;

/**
 * The OpenAPI document of every route createApp() mounts. Built in Node, never in the Worker, where
 * generating it took 35-50 ms of a request and the generator 8 KiB of the gzipped bundle (the
 * bundle's zod-to-openapi is src/vendor/zod-to-openapi). test/node/openapi.test.ts checks it against
 * assets/openapi.json, which the Worker serves (src/openapi/document-route.ts), and `npm run openapi`
 * rewrites that file. `servers` is left empty: the Worker fills in the origin each request came to.
 */
export function buildOpenApiDocument() {
  const app = createApp();
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "A user API key (`sk-sb-...`) or the operator's ADMIN_API_KEY.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKeyHeader", {
    type: "apiKey",
    in: "header",
    name: "x-api-key",
    description: "The same key, in the header Anthropic-style clients send.",
  });
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: { title: "Switchboard API", version: API_VERSION, description: DESCRIPTION },
    servers: [],
    // Every operation needs a key unless it says otherwise (`security: []`, from needs.public).
    security: authenticated,
    // The reference's sidebar follows this order: the client dialects first, administration last.
    tags: [
      { name: "Chat", description: "OpenAI's Chat Completions, for any vendor." },
      { name: "Messages", description: "Anthropic's Messages API, for any vendor (Claude Code)." },
      {
        name: "Responses",
        description: "OpenAI's Responses API, for any vendor, with stored responses (Codex, the Agents SDK).",
      },
      { name: "Images", description: "OpenAI's Images API, for any vendor that makes images." },
      {
        name: "Embeddings",
        description: "OpenAI's embeddings API, for any vendor that embeds, cached per input item.",
      },
      { name: "Models", description: "What the caller may use." },
      { name: "Conversations", description: "Stateful chats and their message history." },
      { name: "Personas", description: "Reusable system prompt + model + parameters." },
      { name: "Usage", description: "Calls, tokens, cost and latency: per user, and per vendor (admin)." },
      { name: "Users", description: "Users and who is calling (admin)." },
      { name: "API keys", description: "Per-user API keys: shown once, stored hashed." },
      { name: "Vendors", description: "Model providers and their credentials (admin)." },
      {
        name: "Model configs",
        description: "Model aliases with capabilities, pricing and fallbacks (admin).",
      },
      { name: "System", description: "Health and documentation." },
    ],
  });
}
