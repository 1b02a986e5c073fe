import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Answer, runLoad, runSequential, timedRequest } from "../../bench/load.ts";
import {
  ANTHROPIC_ANSWER,
  buildScenarios,
  checkAnthropicStream,
  checkCacheHit,
  checkChatCompletion,
  checkChatStream,
  checkConversationTurn,
  OPENAI_ANSWER,
  parseSse,
  quick,
  type Scenario,
  STREAM_TEXT,
} from "../../bench/scenarios.ts";
import { startUpstream } from "../mocks/upstream-server.ts";

// The benchmark's own correctness: its checks accept the mock vendors' real answers (the direct
// side of every scenario) and refuse broken ones, and its load runners count and report failures.
let server: Server;
let scenarios: Scenario[];
let mock: string;

beforeAll(async () => {
  const started = await startUpstream();
  server = started.server;
  mock = `http://127.0.0.1:${started.port}`;
  scenarios = buildScenarios({
    gateway: "http://127.0.0.1:9",
    mock,
    key: "sk-test",
    conversations: ["cnv_1"],
  });
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

const ask = async (s: Scenario) => (await timedRequest(undefined, s.direct.call)).answer;
const headerOf = (a: Answer) => (name: string) => a.headers[name] as string | undefined;

describe("the mock vendors' answers pass the benchmark's checks", () => {
  it.each(["openai", "openai-stream", "anthropic", "anthropic-stream"])("%s, direct", async (id) => {
    const s = scenarios.find((x) => x.id === id)!;
    const answer = await ask(s);
    expect(s.direct.check(answer)).toBeNull();
    expect(s.direct.quick(answer.status, answer.body, headerOf(answer))).toBeNull();
  });

  it("`chunks-16` streams its text in exactly 16 deltas, OpenAI and Anthropic alike", async () => {
    const openai = await ask(scenarios.find((x) => x.id === "openai-stream")!);
    const deltas = parseSse(openai.body)
      .filter((e) => e.data !== "[DONE]")
      .map((e) => JSON.parse(e.data).choices[0]?.delta?.content)
      .filter(Boolean);
    expect(deltas).toHaveLength(16);
    expect(deltas.join("")).toBe(STREAM_TEXT);
    const anthropic = await ask(scenarios.find((x) => x.id === "anthropic-stream")!);
    expect(parseSse(anthropic.body).filter((e) => e.event === "content_block_delta")).toHaveLength(16);
  });

  it("shares the direct side where the gateway scenario has no vendor request of its own", () => {
    const openai = scenarios.find((x) => x.id === "openai")!;
    for (const id of ["conversation", "cache-hit"]) {
      const s = scenarios.find((x) => x.id === id)!;
      expect(s.directOf).toBe("openai");
      expect(s.direct).toBe(openai.direct);
    }
  });
});

const answer = (status: number, body: string, headers: Record<string, string> = {}): Answer => ({
  status,
  body,
  headers,
});

describe("the checks refuse what is not a full, correct answer", () => {
  const completion = (content: string, extra: object = {}) =>
    JSON.stringify({
      object: "chat.completion",
      choices: [{ message: { content }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1, completion_tokens: 2 },
      ...extra,
    });

  it("chat completions: status, text, finish reason, usage", () => {
    expect(checkChatCompletion(answer(200, completion(OPENAI_ANSWER)), OPENAI_ANSWER)).toBeNull();
    expect(checkChatCompletion(answer(500, completion(OPENAI_ANSWER)), OPENAI_ANSWER)).toMatch(/status 500/);
    expect(checkChatCompletion(answer(200, completion("Hello")), OPENAI_ANSWER)).toMatch(/content/);
    expect(
      checkChatCompletion(answer(200, completion(OPENAI_ANSWER, { usage: null })), OPENAI_ANSWER),
    ).toMatch(/usage/);
    expect(checkChatCompletion(answer(200, "{not json"), OPENAI_ANSWER)).toMatch(/not a chat.completion/);
  });

  it("streams: cut before [DONE], a chunk missing, no usage", async () => {
    const whole = await ask(scenarios.find((x) => x.id === "openai-stream")!);
    const events = whole.body.split("\n\n").filter(Boolean);
    const rebuild = (list: string[]) => ({ ...whole, body: `${list.join("\n\n")}\n\n` });
    expect(checkChatStream(whole, STREAM_TEXT, 16)).toBeNull();
    expect(checkChatStream(rebuild(events.slice(0, -1)), STREAM_TEXT, 16)).toMatch(/\[DONE\]/);
    expect(checkChatStream(rebuild([...events.slice(0, 3), ...events.slice(4)]), STREAM_TEXT, 16)).toMatch(
      /text/,
    );
    expect(checkChatStream(whole, STREAM_TEXT, 15)).toMatch(/16 content chunks, expected 15/);
    const noUsage = events.filter((e) => !e.includes('"usage":{'));
    expect(checkChatStream(rebuild(noUsage), STREAM_TEXT, 16)).toMatch(/usage/);
    expect(
      checkChatStream({ ...whole, headers: { "content-type": "application/json" } }, STREAM_TEXT, 16),
    ).toMatch(/content-type/);
    expect(chatQuick(whole)).toBeNull();
    expect(chatQuick(rebuild(events.slice(0, -1)))).toMatch(/does not end with/);
  });

  it("Anthropic streams: must end with message_stop", async () => {
    const whole = await ask(scenarios.find((x) => x.id === "anthropic-stream")!);
    expect(checkAnthropicStream(whole, STREAM_TEXT, 16)).toBeNull();
    const cut = { ...whole, body: whole.body.slice(0, whole.body.lastIndexOf("event: message_stop")) };
    expect(checkAnthropicStream(cut, STREAM_TEXT, 16)).toMatch(/message_stop/);
  });

  it("conversation turns and cache hits", () => {
    const turn = (text: string) =>
      JSON.stringify({
        user_message: { id: "msg_1" },
        assistant_message: { content: [{ type: "text", text }], finish_reason: "stop" },
      });
    expect(checkConversationTurn(answer(201, turn("hi")), "hi")).toBeNull();
    expect(checkConversationTurn(answer(200, turn("hi")), "hi")).toMatch(/status 200, expected 201/);
    expect(checkConversationTurn(answer(201, turn("ho")), "hi")).toMatch(/reply/);
    const hit = answer(200, completion(OPENAI_ANSWER), { "x-cache": "HIT" });
    expect(checkCacheHit(hit, OPENAI_ANSWER)).toBeNull();
    expect(checkCacheHit({ ...hit, headers: { "x-cache": "MISS" } }, OPENAI_ANSWER)).toMatch(/x-cache MISS/);
  });

  it("quick checks: status, substrings, ending, header", () => {
    const check = quick({ includes: ["a", "b"], endsWith: "end", header: ["x-cache", "HIT"] });
    const hit = (name: string) => (name === "x-cache" ? "HIT" : undefined);
    expect(check(200, "a b end", hit)).toBeNull();
    expect(check(201, "a b end", hit)).toBeNull();
    expect(check(429, "a b end", hit)).toMatch(/status 429/);
    expect(check(200, "a end", hit)).toMatch(/lacks "b"/);
    expect(check(200, "a b", hit)).toMatch(/does not end/);
    expect(check(200, "a b end", () => "MISS")).toMatch(/x-cache: MISS/);
  });
});

const chatQuick = (a: Answer) =>
  scenarios.find((x) => x.id === "openai-stream")!.direct.quick(a.status, a.body, headerOf(a));

describe("load runners", () => {
  it("runLoad sends exactly the amount, all checked, with sub-millisecond latencies", async () => {
    const s = scenarios.find((x) => x.id === "openai")!;
    const run = await runLoad(s.direct.call, {
      connections: 4,
      amount: 200,
      timeoutMs: 10_000,
      check: s.direct.quick,
    });
    expect(run.failures).toEqual([]);
    expect(run.ok).toBe(200);
    expect(run.latencies).toHaveLength(200);
    expect(run.latencies.some((ms) => !Number.isInteger(ms))).toBe(true);
    expect(run.elapsedMs).toBeGreaterThan(0);
  });

  it("runLoad reports non-2xx answers and wrong bodies as failures", async () => {
    const failing = {
      method: "POST" as const,
      url: `${mock}/openai/v1/chat/completions`,
      headers: { authorization: "Bearer test-openai-key", "content-type": "application/json" },
      body: JSON.stringify({ model: "fail-503", messages: [{ role: "user", content: "x" }] }),
    };
    const run = await runLoad(failing, {
      connections: 2,
      amount: 10,
      timeoutMs: 10_000,
      check: quick({ includes: [] }),
    });
    expect(run.failures[0]).toMatch(/^HTTP 503: status 503/);
    const s = scenarios.find((x) => x.id === "openai")!;
    const wrong = await runLoad(s.direct.call, {
      connections: 2,
      amount: 10,
      timeoutMs: 10_000,
      check: quick({ includes: ["not in the answer"] }),
    });
    expect(wrong.failures.length).toBeGreaterThan(0);
  });

  it("runLoad reports connection errors and a phase past its time bound", async () => {
    const closed = { method: "GET" as const, url: "http://127.0.0.1:9/", headers: {} };
    const run = await runLoad(closed, {
      connections: 1,
      amount: 5,
      timeoutMs: 1500,
      check: quick({ includes: [] }),
    });
    expect(run.failures.some((f) => /socket error|phase timeout|incomplete/.test(f))).toBe(true);
    expect(run.ok).toBe(0);
  });

  it("runSequential times first byte and end, one request at a time, and stops at a failure", async () => {
    const s = scenarios.find((x) => x.id === "openai-stream")!;
    const run = await runSequential(s.direct.call, { count: 20, timeoutMs: 10_000, check: s.direct.quick });
    expect(run.failures).toEqual([]);
    expect(run.total).toHaveLength(20);
    for (const [i, t] of run.total.entries()) expect(t).toBeGreaterThanOrEqual(run.ttfb[i]!);
    const failing = await runSequential(s.direct.call, { count: 5, timeoutMs: 10_000, check: () => "nope" });
    expect(failing.failures).toHaveLength(1);
    expect(failing.total).toHaveLength(0);
  });

  it("talks to 127.0.0.1 only", async () => {
    const s = scenarios.find((x) => x.id === "openai")!;
    await expect(
      runLoad(
        { ...s.direct.call, url: "http://localhost:1/" },
        { connections: 1, amount: 1, timeoutMs: 1000, check: s.direct.quick },
      ),
    ).rejects.toThrow(/127\.0\.0\.1/);
  });
});

it("the Anthropic answer the gateway is checked against is the mock's", () => {
  expect(ANTHROPIC_ANSWER).toMatch(/^Hello from Claude! You said: /);
});
