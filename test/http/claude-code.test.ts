import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import claudeCodeRequest from "../fixtures/anthropic/requests/claude-code.json?raw";
import { configureVendorKeys, createUser, scenario } from "../helpers";
import type { RecordedRequest } from "../mocks/scenario";
import { expectAnthropicLifecycle } from "./anthropic-lifecycle";

/**
 * A recorded Claude-Code-shaped request (test/fixtures/anthropic/requests/claude-code.json: a
 * `system` array whose first block is the attribution line, `cache_control` on system and message
 * blocks, tools, an earlier turn with a signed thinking block and a tool call,
 * `thinking: {"type": "adaptive"}`, `context_management`), sent as Claude Code sends it: compact
 * JSON to `/v1/messages?beta=true` with its `anthropic-beta` and session headers.
 */

let key: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
});

const BETAS =
  "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,fine-grained-tool-streaming-2025-05-14";
const RECORDED_MODEL = '"model":"claude-sonnet-4-5-20250929"';

function send(model: string, opts: { stream?: boolean } = {}) {
  expect(claudeCodeRequest).toContain(RECORDED_MODEL);
  let body = claudeCodeRequest.replace(RECORDED_MODEL, `"model":${JSON.stringify(model)}`);
  if (opts.stream === false) body = body.replace('"stream":true', '"stream":false');
  return exports.default.fetch(
    new Request("http://w/v1/messages?beta=true", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-api-key": key,
        "anthropic-version": "2023-06-01",
        "anthropic-beta": BETAS,
        "anthropic-dangerous-direct-browser-access": "true",
        "x-app": "cli",
        "user-agent": "claude-cli/2.0.50 (external, cli)",
        "x-claude-code-session-id": "4b9e2c1a-7d3f-4e8a-9b6c-0d5e1f2a3b4c",
      },
      body,
    }),
  );
}

async function received(model: string): Promise<RecordedRequest> {
  const log = (await (
    await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(model)}`)
  ).json()) as RecordedRequest[];
  expect(log).toHaveLength(1);
  return log[0] as RecordedRequest;
}

describe("a Claude Code request to an anthropic vendor", () => {
  it("arrives byte-identical apart from the model, with its version and beta headers", async () => {
    const upstream = scenario("plain");
    const res = await send(`anthropic/${upstream}`);
    expect(res.status).toBe(200);
    expectAnthropicLifecycle(await res.text());
    const seen = await received(upstream);
    expect(seen.raw).toBe(claudeCodeRequest.replace(RECORDED_MODEL, `"model":${JSON.stringify(upstream)}`));
    expect(seen.headers["anthropic-beta"]).toBe(BETAS);
    expect(seen.headers["anthropic-version"]).toBe("2023-06-01");
    // The client's own key never goes upstream: the vendor's does.
    expect(seen.headers["x-api-key"]).toBe("test-anthropic-key");
  });
});

describe("a Claude Code request to an openai vendor", () => {
  it("becomes a valid Chat Completions request", async () => {
    const upstream = scenario("inspect");
    const res = await send(`openai/${upstream}`, { stream: false });
    expect(res.status, await res.clone().text()).toBe(200);
    const seen = (await received(upstream)).body as Record<string, unknown> & {
      messages: { role: string; content: unknown; tool_calls?: unknown[]; tool_call_id?: string }[];
      tools: { type: string; function: { name: string; parameters: unknown } }[];
    };
    // Only what Chat Completions knows; nothing Anthropic-only leaks through.
    for (const field of ["system", "thinking", "context_management", "metadata", "max_tokens_to_sample"]) {
      expect(seen).not.toHaveProperty(field);
    }
    expect(JSON.stringify(seen)).not.toContain("cache_control");
    expect(JSON.stringify(seen)).not.toContain("signature");
    expect(seen.model).toBe(upstream);
    expect(seen.temperature).toBe(1);
    expect(seen.max_completion_tokens ?? seen.max_tokens).toBe(32000);
    expect(seen.user).toMatch(/^user_2f1a9c7e/);
    // The system blocks, in order, as the first message; then the turns with the tool call paired.
    expect(seen.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool", "user"]);
    const system = seen.messages[0]?.content as string;
    expect(system.indexOf("x-anthropic-billing-header")).toBe(0);
    expect(system).toContain("You are Claude Code");
    expect(system.indexOf("You are Claude Code")).toBeLessThan(system.indexOf("interactive CLI tool"));
    const assistant = seen.messages[2];
    expect(assistant?.content).toBe("I'll find the TypeScript files first.");
    expect(assistant?.tool_calls).toEqual([
      {
        id: "toolu_01A09q90qw90lq917835lq9",
        type: "function",
        function: { name: "Glob", arguments: '{"pattern":"src/**/*.ts"}' },
      },
    ]);
    expect(seen.messages[3]).toMatchObject({
      role: "tool",
      tool_call_id: "toolu_01A09q90qw90lq917835lq9",
      content: "src/app.ts\nsrc/index.ts\nsrc/env.ts",
    });
    expect(JSON.stringify(seen.messages[1])).toContain("Réponds en français 🙂");
    expect(seen.tools.map((t) => t.function.name)).toEqual(["Bash", "Glob", "Read"]);
    expect(seen.tools[0]).toMatchObject({
      type: "function",
      function: { parameters: { type: "object", required: ["command"] } },
    });
  });

  it.each([
    ["text", "fixture-compact-usage"],
    ["two tool calls", "fixture-tool-calls~7"],
    ["a host's spaced CRLF stream", "fixture-compat-finish-crlf-usage~1"],
  ])("streams %s back with a valid lifecycle", async (_what, fixture) => {
    const res = await send(`openai/${scenario(fixture)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = expectAnthropicLifecycle(await res.text());
    const start = events[0] as unknown as { message: { usage: { input_tokens: number } } };
    expect(start.message.usage.input_tokens).toBeGreaterThan(0);
  });
});
