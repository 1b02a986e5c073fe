import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import codexRequest from "../fixtures/openai/requests/codex.json?raw";
import { configureVendorKeys, createUser, post, scenario } from "../helpers";
import { expectResponsesLifecycle } from "./responses-lifecycle";

/**
 * A recorded Codex-shaped request (test/fixtures/openai/requests/codex.json: instructions, the
 * whole history re-sent with reasoning, function and custom tool calls and their outputs, tools,
 * `reasoning`, `store: false`, `stream: true`, `include: ["reasoning.encrypted_content"]`,
 * `prompt_cache_key`), sent as Codex sends it, with its `session_id` header, to every vendor kind.
 * Codex's hosted `web_search` tool runs only at OpenAI: translated vendors refuse it by name, so
 * these turns are Codex's with `web_search = "disabled"`, as its config allows.
 */

let key: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
  const compat = await post("/v1/vendors", {
    slug: "compat-codex",
    kind: "openai-compatible",
    base_url: `${env.MOCK_UPSTREAM_URL}/compat/v1`,
  });
  expect(compat.status, compat.text).toBe(201);
});

const recorded = JSON.parse(codexRequest) as { model: string; tools: { type: string }[] };

function send(model: string, body: Record<string, unknown> = recorded) {
  return exports.default.fetch(
    new Request("http://w/v1/responses", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${key}`,
        originator: "codex_cli_rs",
        "user-agent": "codex_cli_rs/0.60.1 (Debian 13; x86_64) xterm-256color",
        session_id: "0199e8a4-5c2b-7d31-9f0e-2b7c4d1e8a6f",
        accept: "text/event-stream",
      },
      body: JSON.stringify({ ...body, model }),
    }),
  );
}

const withoutWebSearch = { ...recorded, tools: recorded.tools.filter((t) => t.type !== "web_search") };
/** The next turn: the user asks again, so the mocks' `tool-call` scenario calls Codex's first tool. */
const nextTurn = (kind: string) => ({
  ...withoutWebSearch,
  input: [
    ...(recorded as unknown as { input: unknown[] }).input,
    { role: "user", content: "Run the tests." },
  ],
  // The offline vendor calls a tool only when tool_choice names it.
  ...(kind === "mock" ? { tool_choice: { type: "function", name: "exec_command" } } : {}),
});

const VENDORS = [
  ["anthropic", (name: string) => `anthropic/${scenario(name)}`],
  ["openai", (name: string) => `openai/${scenario(name)}`],
  ["openai-compatible", (name: string) => `compat-codex/${scenario(name)}`],
  ["gemini", (name: string) => `gemini/${scenario(name)}`],
  ["mock", () => "mock/echo"],
] as const;

describe.each(VENDORS)("a Codex turn to a vendor of kind %s", (kind, model) => {
  it("streams a valid lifecycle ending in response.completed", async () => {
    const res = await send(model("plain"), withoutWebSearch);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = expectResponsesLifecycle(await res.text());
    expect(events.at(-1)).toMatchObject({ type: "response.completed", response: { status: "completed" } });
  });

  it("delivers a function call as its own output item, done before the response completes", async () => {
    const res = await send(model("tool-call"), nextTurn(kind));
    const events = expectResponsesLifecycle(await res.text());
    const call = events.find(
      (e) => e.type === "response.output_item.done" && e.item?.type === "function_call",
    );
    expect(call?.item).toMatchObject({ type: "function_call", name: "exec_command", status: "completed" });
    expect(events.at(-1)?.type).toBe("response.completed");
  });
});

// An `openai` vendor gets the tool as declared and answers with its own custom_tool_call items,
// relayed as they are; every other vendor is given a one-string function in its place.
const TRANSLATED = VENDORS.filter(([kind]) => kind !== "openai");

describe.each(TRANSLATED)("Codex's freeform apply_patch to a vendor of kind %s", (kind, model) => {
  const applyPatch = recorded.tools.filter((t) => (t as { name?: string }).name === "apply_patch");
  const body = (stream: boolean) => ({
    ...nextTurn(kind),
    tools: applyPatch,
    stream,
    ...(kind === "mock" ? { tool_choice: { type: "custom", name: "apply_patch" } } : {}),
  });

  it("comes back as a custom_tool_call with the raw input, whole and streamed", async () => {
    const upstream = model("tool-call");
    const whole = await send(upstream, body(false));
    expect(whole.status, await whole.clone().text()).toBe(200);
    const response = (await whole.json()) as { output: { type: string; name?: string; input?: unknown }[] };
    const call = response.output.find((i) => i.type === "custom_tool_call");
    expect(call).toMatchObject({ type: "custom_tool_call", name: "apply_patch", input: expect.any(String) });
    expect(response.output.some((i) => i.type === "function_call")).toBe(false);

    const events = expectResponsesLifecycle(await (await send(model("tool-call"), body(true))).text());
    const done = events.find((e) => e.type === "response.custom_tool_call_input.done") as
      | { input?: string }
      | undefined;
    expect(done?.input).toEqual(expect.any(String));
    const item = events.find(
      (e) => e.type === "response.output_item.done" && e.item?.type === "custom_tool_call",
    );
    expect(item?.item).toMatchObject({ name: "apply_patch", input: done?.input });
    expect(events.some((e) => e.type.startsWith("response.function_call"))).toBe(false);
  });
});

describe("Codex's hosted web_search tool", () => {
  it("is refused by name for a vendor that cannot run it", async () => {
    const res = await send(`anthropic/${scenario("plain")}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { param: string; message: string } };
    expect(body.error.param).toBe(`tools.${recorded.tools.findIndex((t) => t.type === "web_search")}`);
    expect(body.error.message).toContain("web_search");
  });
});
