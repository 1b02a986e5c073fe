import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Answer, runLoad, runSequential, timedRequest } from "../../bench/load.ts";
import {
  ANTHROPIC_ANSWER,
  anthropicLifecycle,
  buildScenarios,
  checkAnthropicMessage,
  checkAnthropicStream,
  checkCacheHit,
  checkChatCompletion,
  checkChatStream,
  checkConversationTurn,
  checkEmbeddings,
  checkEmbeddingsHit,
  checkResponse,
  checkResponsesStream,
  EMBEDDING_TEXTS,
  OPENAI_ANSWER,
  parseSse,
  quick,
  responsesLifecycle,
  responsesStreamQuick,
  type Scenario,
  STREAM_TEXT,
} from "../../bench/scenarios.ts";
import { toAnthropicMessage } from "../../src/dialects/anthropic/from-neutral.ts";
import { MessagesRequestSchema } from "../../src/dialects/anthropic/schema.ts";
import { anthropicEventEncoder } from "../../src/dialects/anthropic/stream-encoder.ts";
import { messagesToNeutral } from "../../src/dialects/anthropic/to-neutral.ts";
import { newResponseId, nowSeconds, toResponse } from "../../src/dialects/openai-responses/from-neutral.ts";
import { ResponsesRequestSchema } from "../../src/dialects/openai-responses/schema.ts";
import { responsesEventEncoder } from "../../src/dialects/openai-responses/stream-encoder.ts";
import { responsesToNeutral } from "../../src/dialects/openai-responses/to-neutral.ts";
import type { CallEnd } from "../../src/gateway/pipeline/types.ts";
import { toAnthropicBody } from "../../src/providers/anthropic/request.ts";
import { fromAnthropicMessage } from "../../src/providers/anthropic/response.ts";
import { anthropicStreamToEvents } from "../../src/providers/anthropic/stream.ts";
import { toOpenAIBody } from "../../src/providers/openai/request.ts";
import { fromOpenAICompletion } from "../../src/providers/openai/response.ts";
import { openaiStreamToEvents } from "../../src/providers/openai/stream.ts";
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
  it.each([
    "openai",
    "openai-stream",
    "anthropic",
    "anthropic-stream",
    "messages",
    "messages-stream",
    "messages-openai",
    "messages-openai-stream",
    "responses",
    "responses-stream",
    "responses-anthropic",
    "responses-anthropic-stream",
    "embeddings",
  ])("%s, direct", async (id) => {
    const s = scenarios.find((x) => x.id === id)!;
    const answer = await ask(s);
    expect(s.direct.check(answer)).toBeNull();
    expect(s.direct.quick(answer.status, answer.body, headerOf(answer))).toBeNull();
  });

  it("`chunks-16` streams its text in exactly 16 deltas, OpenAI (both APIs) and Anthropic alike", async () => {
    const openai = await ask(scenarios.find((x) => x.id === "openai-stream")!);
    const deltas = parseSse(openai.body)
      .filter((e) => e.data !== "[DONE]")
      .map((e) => JSON.parse(e.data).choices[0]?.delta?.content)
      .filter(Boolean);
    expect(deltas).toHaveLength(16);
    expect(deltas.join("")).toBe(STREAM_TEXT);
    const anthropic = await ask(scenarios.find((x) => x.id === "anthropic-stream")!);
    expect(parseSse(anthropic.body).filter((e) => e.event === "content_block_delta")).toHaveLength(16);
    const responses = await ask(scenarios.find((x) => x.id === "responses-stream")!);
    expect(parseSse(responses.body).filter((e) => e.event === "response.output_text.delta")).toHaveLength(16);
  });

  it("shares the direct side where the gateway scenario has no vendor request of its own", () => {
    const openai = scenarios.find((x) => x.id === "openai")!;
    for (const id of ["conversation", "cache-hit"]) {
      const s = scenarios.find((x) => x.id === id)!;
      expect(s.directOf).toBe("openai");
      expect(s.direct).toBe(openai.direct);
    }
    // A stored response is the gateway's own work: the vendor gets the same request.
    const stored = scenarios.find((x) => x.id === "responses-anthropic-stored")!;
    expect(stored.directOf).toBe("responses-anthropic");
    expect(stored.direct).toBe(scenarios.find((x) => x.id === "responses-anthropic")!.direct);
    // Each shared direct side is measured before the scenarios that reuse it.
    const ids = scenarios.map((x) => x.id);
    for (const s of scenarios)
      if (s.directOf) expect(ids.indexOf(s.directOf)).toBeLessThan(ids.indexOf(s.id));
  });
});

describe("the Messages lanes", () => {
  const byId = (id: string) => scenarios.find((x) => x.id === id)!;
  const passes = (e: Scenario["gateway"], a: Answer) => {
    expect(e.check(a)).toBeNull();
    expect(e.quick(a.status, a.body, headerOf(a))).toBeNull();
  };

  it("passthrough: the gateway's checks accept the vendor's own bytes, which it relays", async () => {
    for (const id of ["messages", "messages-stream"]) {
      const s = byId(id);
      passes(s.gateway, await ask(s));
      // The same request, the vendor slug stripped from the model.
      const sent = JSON.parse(s.gateway.call.body!);
      expect(JSON.parse(s.direct.call.body!)).toEqual({
        ...sent,
        model: sent.model.replace(/^anthropic\//, ""),
      });
      expect(s.gateway.call.url).toMatch(/\/v1\/messages$/);
      expect(s.gateway.call.headers).toMatchObject({
        "x-api-key": "sk-test",
        "anthropic-version": "2023-06-01",
      });
    }
  });

  it("→ OpenAI: the direct side is the Chat Completions body the gateway's translation sends", () => {
    for (const [id, stream] of [
      ["messages-openai", false],
      ["messages-openai-stream", true],
    ] as const) {
      const s = byId(id);
      const input = MessagesRequestSchema.parse(JSON.parse(s.gateway.call.body!));
      const upstream = input.model.replace(/^openai\//, "");
      // openaiProvider's setting (src/providers/openai/index.ts).
      const body = toOpenAIBody(messagesToNeutral(input, upstream, "openai"), stream, {
        maxTokensField: "max_completion_tokens",
        reasoningEffort: true,
        replayReasoning: false,
      });
      expect(s.direct.call.body).toBe(JSON.stringify(body));
      expect(s.direct.call.url).toMatch(/\/openai\/v1\/chat\/completions$/);
      expect(s.note?.()).toMatch(/Chat Completions/);
    }
  });

  it("→ OpenAI: the gateway's checks accept the mock's answer as the gateway encodes it", async () => {
    const whole = await ask(byId("messages-openai"));
    const message = toAnthropicMessage(
      fromOpenAICompletion("openai", JSON.parse(whole.body), "gpt-4o-mini"),
      { id: "msg_1", model: "gpt-4o-mini", origin: { vendor: "openai", model: "gpt-4o-mini" } },
    );
    passes(byId("messages-openai").gateway, { ...whole, body: JSON.stringify(message) });

    const streamed = await ask(byId("messages-openai-stream"));
    const encoder = anthropicEventEncoder(
      { id: "msg_2", model: "chunks-16", inputTokens: 9, origin: { vendor: "openai", model: "chunks-16" } },
      { requestId: "r" },
    );
    const outcome: CallEnd = {};
    const bytes: Uint8Array[] = [];
    const events = openaiStreamToEvents("openai", new Response(streamed.body).body!);
    for await (const e of events as unknown as AsyncIterable<Parameters<typeof encoder.event>[0]>) {
      if (e.type === "usage") outcome.usage = e.usage;
      else if (e.type === "finish") outcome.finishReason ??= e.finishReason;
      const out = encoder.event(e);
      if (out) bytes.push(out);
    }
    bytes.push(await encoder.end(outcome));
    const body = Buffer.concat(bytes).toString("utf8");
    const encoded = { status: 200, body, headers: { "content-type": "text/event-stream; charset=utf-8" } };
    passes(byId("messages-openai-stream").gateway, encoded);
  });

  it("whole messages: role, text blocks, stop reason, usage", async () => {
    const whole = await ask(byId("messages"));
    const body = JSON.parse(whole.body);
    const edit = (change: object) => ({ ...whole, body: JSON.stringify({ ...body, ...change }) });
    expect(checkAnthropicMessage(whole, ANTHROPIC_ANSWER)).toBeNull();
    expect(checkAnthropicMessage(edit({ role: "user" }), ANTHROPIC_ANSWER)).toMatch(/role user/);
    expect(checkAnthropicMessage(edit({ content: [] }), ANTHROPIC_ANSWER)).toMatch(/not text blocks/);
    expect(
      checkAnthropicMessage(edit({ content: [...body.content, { type: "tool_use" }] }), ANTHROPIC_ANSWER),
    ).toMatch(/not text blocks/);
    expect(checkAnthropicMessage(edit({ stop_reason: "max_tokens" }), ANTHROPIC_ANSWER)).toMatch(
      /max_tokens/,
    );
    expect(checkAnthropicMessage(edit({ usage: { input_tokens: 3 } }), ANTHROPIC_ANSWER)).toMatch(/usage/);
    expect(checkAnthropicMessage(whole, OPENAI_ANSWER)).toMatch(/^text /);
  });

  it("streams: a broken event lifecycle is caught", async () => {
    const whole = await ask(byId("messages-stream"));
    const frames = whole.body.split("\n\n").filter(Boolean);
    const names = frames.map((f) => /^event: (\w+)/.exec(f)?.[1]);
    expect(names[0]).toBe("message_start");
    const at = (name: string) => names.indexOf(name);
    const deltas = names.flatMap((n, i) => (n === "content_block_delta" ? [i] : []));
    const without = (i: number) => frames.filter((_, k) => k !== i);
    const swap = (i: number, j: number) =>
      frames.map((f, k) => (k === i ? frames[j]! : k === j ? frames[i]! : f));
    const broken = (list: string[]) => {
      const a = { ...whole, body: `${list.join("\n\n")}\n\n` };
      const problem = checkAnthropicStream(a, STREAM_TEXT, 16);
      expect(problem, list.map((f) => f.split("\n")[0]).join(", ")).not.toBeNull();
      expect(anthropicLifecycle(parseSse(a.body))).toBe(problem);
      return problem;
    };
    expect(anthropicLifecycle(parseSse(whole.body))).toBeNull();
    expect(checkAnthropicStream(whole, STREAM_TEXT, 16)).toBeNull();
    expect(broken(without(0))).toMatch(/expected message_start/);
    expect(broken([frames[0]!, ...frames])).toMatch(/expected content_block_start or message_delta/);
    expect(broken(without(at("content_block_start")))).toMatch(
      /content_block_delta\), expected content_block_start/,
    );
    expect(broken(swap(at("content_block_stop"), deltas.at(-1)!))).toMatch(
      /content_block_delta\), expected content_block_start or message_delta/,
    );
    expect(broken(without(at("content_block_stop")))).toMatch(
      /message_delta\), expected content_block_delta/,
    );
    expect(broken(without(at("message_delta")))).toMatch(/message_stop\), expected content_block_start/);
    expect(broken(swap(at("message_delta"), at("message_stop")))).toMatch(/message_stop\), expected/);
    expect(broken(without(at("message_stop")))).toMatch(/does not end with message_stop/);
    expect(broken([...frames, frames[at("message_delta")]!])).toMatch(/after message_stop/);
    const wrongIndex = frames.map((f, k) => (k === deltas[3] ? f.replace('"index":0', '"index":1') : f));
    expect(broken(wrongIndex)).toMatch(/index 1, expected 0/);
    const misnamed = frames.map((f, k) =>
      k === deltas[0] ? f.replace("event: content_block_delta", "event: ping") : f,
    );
    expect(broken(misnamed)).toMatch(/its data's type is content_block_delta/);
    const error =
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}';
    expect(broken([...frames.slice(0, deltas[2]), error])).toMatch(/overloaded_error/);
    // No block at all.
    const empty = [frames[0]!, frames[at("message_delta")]!, frames[at("message_stop")]!];
    expect(broken(empty)).toMatch(/before any content block/);
  });

  it("streams: the text, the delta count, the stop reason, the content type", async () => {
    const whole = await ask(byId("messages-stream"));
    const rebuild = (body: string) => ({ ...whole, body });
    expect(checkAnthropicStream(whole, STREAM_TEXT, 15)).toMatch(/16 text deltas, expected 15/);
    expect(checkAnthropicStream(rebuild(whole.body.replace("quick ", "slow ")), STREAM_TEXT, 16)).toMatch(
      /^text/,
    );
    expect(
      checkAnthropicStream(
        rebuild(whole.body.replace('"stop_reason":"end_turn"', '"stop_reason":"max_tokens"')),
        STREAM_TEXT,
        16,
      ),
    ).toMatch(/stop_reason max_tokens/);
    expect(
      checkAnthropicStream({ ...whole, headers: { "content-type": "application/json" } }, STREAM_TEXT, 16),
    ).toMatch(/content-type/);
    const quickCheck = byId("messages-stream").gateway.quick;
    const cut = whole.body.slice(0, whole.body.lastIndexOf("event: message_stop"));
    expect(quickCheck(200, cut, headerOf(whole))).toMatch(/does not end with/);
  });
});

describe("the Responses lanes", () => {
  const byId = (id: string) => scenarios.find((x) => x.id === id)!;
  const passes = (e: Scenario["gateway"], a: Answer) => {
    expect(e.check(a)).toBeNull();
    expect(e.quick(a.status, a.body, headerOf(a))).toBeNull();
  };
  const meta = (model: string) => ({ id: newResponseId(), model, createdAt: nowSeconds() });

  it("passthrough: the gateway's checks accept the vendor's own bytes, which it relays", async () => {
    for (const id of ["responses", "responses-stream"]) {
      const s = byId(id);
      passes(s.gateway, await ask(s));
      // The same request, the vendor slug stripped from the model (vendorBody: the client's body).
      const sent = JSON.parse(s.gateway.call.body!);
      expect(sent.store).toBe(false);
      expect(JSON.parse(s.direct.call.body!)).toEqual({
        ...sent,
        model: sent.model.replace(/^openai\//, ""),
      });
      expect(s.gateway.call.url).toMatch(/\/v1\/responses$/);
      expect(s.direct.call.url).toMatch(/\/openai\/v1\/responses$/);
      expect(s.gateway.call.headers).toMatchObject({ authorization: "Bearer sk-test" });
    }
  });

  it("→ Anthropic: the direct side is the Messages body the gateway's translation sends", () => {
    for (const [id, stream] of [
      ["responses-anthropic", false],
      ["responses-anthropic-stream", true],
      ["responses-anthropic-stored", false],
    ] as const) {
      const s = byId(id);
      const input = ResponsesRequestSchema.parse(JSON.parse(s.gateway.call.body!));
      const upstream = input.model.replace(/^anthropic\//, "");
      // As responsesPlan translates a request with no previous_response_id (no history).
      const body = toAnthropicBody(responsesToNeutral(input, upstream, undefined, "anthropic"), stream);
      expect(s.direct.call.body).toBe(JSON.stringify(body));
      expect(s.direct.call.url).toMatch(/\/anthropic\/v1\/messages$/);
      expect(s.direct.call.headers).toMatchObject({ "anthropic-version": "2023-06-01" });
      expect(s.note?.()).toMatch(id.endsWith("stored") ? /D1/ : /Anthropic Messages request/);
    }
    expect(JSON.parse(byId("responses-anthropic-stored").gateway.call.body!)).not.toHaveProperty("store");
    expect(JSON.parse(byId("responses-anthropic").gateway.call.body!).store).toBe(false);
  });

  it("→ Anthropic: the gateway's checks accept the mock's answer as the gateway encodes it", async () => {
    const whole = await ask(byId("responses-anthropic"));
    const encode = (store: boolean) => {
      const answer = fromAnthropicMessage("anthropic", JSON.parse(whole.body), "claude-haiku-4-5");
      const response = toResponse(answer, { ...meta("anthropic/claude-haiku-4-5"), echo: { store } });
      return { ...whole, body: JSON.stringify(response) };
    };
    passes(byId("responses-anthropic").gateway, encode(false));
    passes(byId("responses-anthropic-stored").gateway, encode(true));
    expect(byId("responses-anthropic").gateway.check(encode(true))).toMatch(/store true, expected false/);
    expect(byId("responses-anthropic-stored").gateway.confirm).toBeTypeOf("function");

    const streamed = await ask(byId("responses-anthropic-stream"));
    const encoder = responsesEventEncoder(
      { ...meta("anthropic/chunks-16"), echo: { store: false }, inputTokens: 9 },
      { requestId: "r" },
    );
    const outcome: CallEnd = {};
    const bytes: Uint8Array[] = [];
    const events = anthropicStreamToEvents("anthropic", new Response(streamed.body).body!);
    for await (const e of events as unknown as AsyncIterable<Parameters<typeof encoder.event>[0]>) {
      if (e.type === "usage") outcome.usage = e.usage;
      else if (e.type === "finish") outcome.finishReason ??= e.finishReason;
      const out = encoder.event(e);
      if (out) bytes.push(out);
    }
    bytes.push(await encoder.end(outcome));
    const body = Buffer.concat(bytes).toString("utf8");
    passes(byId("responses-anthropic-stream").gateway, {
      status: 200,
      body,
      headers: { "content-type": "text/event-stream; charset=utf-8" },
    });
  });

  it("whole responses: status, message items, text, usage, store", async () => {
    const whole = await ask(byId("responses"));
    const body = JSON.parse(whole.body);
    const edit = (change: object) => ({ ...whole, body: JSON.stringify({ ...body, ...change }) });
    const [message] = body.output;
    expect(checkResponse(whole, OPENAI_ANSWER, false)).toBeNull();
    expect(checkResponse({ ...whole, status: 500 }, OPENAI_ANSWER)).toMatch(/status 500/);
    expect(checkResponse(edit({ object: "chat.completion" }), OPENAI_ANSWER)).toMatch(/not a response/);
    expect(checkResponse(edit({ id: "chatcmpl-1" }), OPENAI_ANSWER)).toMatch(/^id /);
    expect(checkResponse(edit({ status: "incomplete" }), OPENAI_ANSWER)).toMatch(/status incomplete/);
    expect(checkResponse(edit({ output: [] }), OPENAI_ANSWER)).toMatch(/no output items/);
    expect(
      checkResponse(edit({ output: [{ type: "function_call", id: "fc_1" }, message] }), OPENAI_ANSWER),
    ).toMatch(/not an assistant message/);
    expect(
      checkResponse(edit({ output: [{ ...message, content: [{ type: "refusal" }] }] }), OPENAI_ANSWER),
    ).toMatch(/not output_text parts/);
    expect(checkResponse(edit({ output: [{ ...message, status: "incomplete" }] }), OPENAI_ANSWER)).toMatch(
      /item status incomplete/,
    );
    expect(checkResponse(whole, ANTHROPIC_ANSWER)).toMatch(/^text /);
    expect(checkResponse(edit({ usage: null }), OPENAI_ANSWER)).toMatch(/usage missing/);
    expect(checkResponse(edit({ usage: { ...body.usage, total_tokens: 1 } }), OPENAI_ANSWER)).toMatch(
      /total_tokens 1/,
    );
    expect(checkResponse(whole, OPENAI_ANSWER, true)).toMatch(/store false, expected true/);
  });

  it("streams: a broken lifecycle is caught", async () => {
    const whole = await ask(byId("responses-stream"));
    const frames = whole.body.split("\n\n").filter(Boolean);
    const names = frames.map((f) => /^event: ([\w.]+)/.exec(f)?.[1]);
    expect(names.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(names.slice(-4)).toEqual([
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    const at = (name: string) => names.indexOf(name);
    const deltas = names.flatMap((n, i) => (n === "response.output_text.delta" ? [i] : []));
    expect(deltas).toHaveLength(16);
    const without = (i: number) => frames.filter((_, k) => k !== i);
    const move = (i: number, to: number) => {
      const rest = without(i);
      rest.splice(to, 0, frames[i]!);
      return rest;
    };
    const renumber = (list: string[]) => {
      let n = 0;
      return list.map((f) => f.replace(/"sequence_number":\d+/, () => `"sequence_number":${n++}`));
    };
    const edit = (i: number, from: string | RegExp, to: string) =>
      frames.map((f, k) => (k === i ? f.replace(from, to) : f));
    const broken = (list: string[]) => {
      const a = { ...whole, body: `${list.join("\n\n")}\n\n` };
      const problem = checkResponsesStream(a, STREAM_TEXT, 16);
      expect(problem, list.map((f) => f.split("\n")[0]).join(", ")).not.toBeNull();
      expect(responsesLifecycle(parseSse(a.body))).toBe(problem);
      return problem;
    };
    expect(responsesLifecycle(parseSse(whole.body))).toBeNull();
    expect(checkResponsesStream(whole, STREAM_TEXT, 16)).toBeNull();
    // A keep-alive comment anywhere is no event.
    const pinged = [...frames.slice(0, 6), ": ping", ...frames.slice(6)];
    expect(
      checkResponsesStream({ ...whole, body: `${pinged.join("\n\n")}\n\n` }, STREAM_TEXT, 16),
    ).toBeNull();

    // The terminal event missing, or twice.
    expect(broken(without(at("response.completed")))).toMatch(/does not end with response.completed/);
    expect(broken([...frames, frames.at(-1)!])).toMatch(/response.completed\) after the terminal event/);
    const incomplete = frames.at(-1)!.replaceAll("response.completed", "response.incomplete");
    expect(broken([...frames, incomplete])).toMatch(/after the terminal event/);
    // A sequence_number going back, or repeated.
    const seq = (i: number) => Number(/"sequence_number":(\d+)/.exec(frames[i]!)?.[1]);
    expect(broken(edit(deltas[5]!, /"sequence_number":\d+/, `"sequence_number":${seq(deltas[2]!)}`))).toMatch(
      /sequence_number \d+ after \d+/,
    );
    expect(broken(edit(deltas[5]!, /"sequence_number":\d+/, `"sequence_number":${seq(deltas[4]!)}`))).toMatch(
      /sequence_number/,
    );
    expect(broken(edit(deltas[5]!, /,?"sequence_number":\d+/, ""))).toMatch(/no sequence_number/);
    // A delta before its item, or before its part.
    expect(broken(move(deltas[0]!, at("response.output_item.added")))).toMatch(
      /output_text.delta\), expected response.output_item.added or a terminal event/,
    );
    expect(broken(move(deltas[0]!, at("response.content_part.added")))).toMatch(
      /output_text.delta\), expected response.content_part.added/,
    );
    // A delta after the text is done; the done text not the deltas'; a delta of another item.
    // (An empty delta, so the done text still matches, and the sequence numbered anew.)
    const late = frames[deltas[0]!]!.replace(/"delta":"[^"]*"/, '"delta":""');
    const done = at("response.output_text.done");
    expect(broken(renumber([...frames.slice(0, done + 1), late, ...frames.slice(done + 1)]))).toMatch(
      /output_text.delta\), expected response.content_part.done/,
    );
    expect(broken(without(deltas[3]!))).toMatch(/output_text.done\): text .*, deltas/);
    const itemId = JSON.parse(frames[deltas[0]!]!.split("data: ")[1]!).item_id;
    expect(broken(edit(deltas[7]!, itemId, "msg_other"))).toMatch(/item msg_other at 0, expected/);
    expect(broken(edit(deltas[7]!, '"content_index":0', '"content_index":1'))).toMatch(
      /content_index 1, expected 0/,
    );
    // The item's or the part's end missing; the start missing; the created one's id changed.
    expect(broken(without(at("response.content_part.done")))).toMatch(
      /output_item.done\), expected response.content_part.done/,
    );
    expect(broken(without(at("response.output_item.done")))).toMatch(
      /response.completed\), expected response.content_part.added or response.output_item.done/,
    );
    expect(broken(without(at("response.created")))).toMatch(/expected response.created/);
    expect(broken(without(at("response.in_progress")))).toMatch(/expected response.in_progress/);
    expect(broken(edit(at("response.output_item.added"), '"output_index":0', '"output_index":1'))).toMatch(
      /output_index 1, expected 0/,
    );
    const completed = frames.at(-1)!;
    const responseId = JSON.parse(completed.split("data: ")[1]!).response.id;
    expect(broken([...frames.slice(0, -1), completed.replace(responseId, "resp_other")])).toMatch(
      /response resp_other, created/,
    );
    expect(
      broken([
        ...frames.slice(0, -1),
        completed.replace(/"output":\[.*\],"parallel/, '"output":[],"parallel'),
      ]),
    ).toMatch(/0 output items, 1 streamed/);
    // A misnamed event, an unknown one, an error, a failed response.
    expect(
      broken(edit(deltas[0]!, "event: response.output_text.delta", "event: response.output_text.done")),
    ).toMatch(/its data's type is response.output_text.delta/);
    const unknown =
      'event: response.refusal.delta\ndata: {"type":"response.refusal.delta","sequence_number":4.5}';
    expect(broken([...frames.slice(0, deltas[0]!), unknown, ...frames.slice(deltas[0]!)])).toMatch(
      /refusal.delta\), expected response.output_text.delta/,
    );
    const error =
      'event: error\ndata: {"type":"error","code":"server_error","message":"boom","sequence_number":99}';
    expect(broken([...frames.slice(0, deltas[2]!), error])).toMatch(/"boom"/);
    const failed = `event: response.failed\ndata: ${JSON.stringify({
      type: "response.failed",
      sequence_number: 99,
      response: { id: responseId, status: "failed", error: { code: "server_error", message: "down" } },
    })}`;
    expect(broken([...frames.slice(0, deltas[2]!), failed])).toMatch(/"down"/);
  });

  it("streams: the text, the delta count, the end, the content type, the quick check", async () => {
    const whole = await ask(byId("responses-stream"));
    const rebuild = (body: string) => ({ ...whole, body });
    expect(checkResponsesStream(whole, STREAM_TEXT, 15)).toMatch(/16 text deltas, expected 15/);
    expect(checkResponsesStream(rebuild(whole.body.replaceAll("quick ", "slow ")), STREAM_TEXT, 16)).toMatch(
      /^text/,
    );
    expect(
      checkResponsesStream(
        rebuild(whole.body.replaceAll("response.completed", "response.incomplete")),
        STREAM_TEXT,
        16,
      ),
    ).toMatch(/ends with response.incomplete, expected response.completed/);
    const noUsage = whole.body.replace(/"usage":\{[^}]*\{[^}]*\}[^}]*\{[^}]*\}[^}]*\}/, '"usage":null');
    expect(noUsage).not.toBe(whole.body);
    expect(checkResponsesStream(rebuild(noUsage), STREAM_TEXT, 16)).toMatch(
      /response.completed: usage missing/,
    );
    expect(
      checkResponsesStream({ ...whole, headers: { "content-type": "application/json" } }, STREAM_TEXT, 16),
    ).toMatch(/content-type/);
    expect(responsesStreamQuick(whole.status, whole.body, headerOf(whole))).toBeNull();
    const cut = whole.body.slice(0, whole.body.lastIndexOf("event: response.completed"));
    expect(responsesStreamQuick(200, cut, headerOf(whole))).toMatch(/expected response.completed/);
    expect(responsesStreamQuick(200, whole.body.slice(0, -10), headerOf(whole))).toMatch(/does not end with/);
    expect(responsesStreamQuick(502, whole.body, headerOf(whole))).toMatch(/status 502/);
  });
});

const answer = (status: number, body: string, headers: Record<string, string> = {}): Answer => ({
  status,
  body,
  headers,
});

describe("the embeddings lanes", () => {
  const byId = (id: string) => scenarios.find((x) => x.id === id)!;

  it("send what the openai SDK sends: 8 texts, base64; the direct side the same body to the mock", () => {
    const s = byId("embeddings");
    const sent = JSON.parse(s.gateway.call.body!);
    expect(sent).toEqual({
      model: "openai/text-embedding-3-small",
      input: EMBEDDING_TEXTS,
      encoding_format: "base64",
    });
    expect(EMBEDDING_TEXTS).toHaveLength(8);
    expect(s.gateway.call.url).toMatch(/\/v1\/embeddings$/);
    expect(JSON.parse(s.direct.call.body!)).toEqual({ ...sent, model: "text-embedding-3-small" });
    expect(s.direct.call.url).toBe(`${mock}/openai/v1/embeddings`);
    // The cache lane: the same request with a TTL, filled before the run, sharing the direct side.
    const hit = byId("embeddings-cache-hit");
    expect(hit.gateway.call.body).toBe(s.gateway.call.body);
    expect(hit.gateway.call.headers).toMatchObject({ "x-cache-ttl": "3600" });
    expect(hit.cached).toBe(true);
    expect(hit.directOf).toBe("embeddings");
    expect(hit.direct).toBe(s.direct);
    expect(scenarios.filter((x) => x.cached).map((x) => x.id)).toEqual(["cache-hit", "embeddings-cache-hit"]);
  });

  it("the checks accept the vendor's answer (the gateway's has its shape) and refuse broken ones", async () => {
    const s = byId("embeddings");
    const answer = await ask(s);
    expect(s.gateway.check(answer)).toBeNull();
    expect(s.gateway.quick(answer.status, answer.body, headerOf(answer))).toBeNull();
    const hit = { ...answer, headers: { ...answer.headers, "x-cache": "HIT" } };
    expect(byId("embeddings-cache-hit").gateway.check(hit)).toBeNull();
    expect(byId("embeddings-cache-hit").gateway.quick(hit.status, hit.body, headerOf(hit))).toBeNull();
    expect(checkEmbeddingsHit({ ...answer, headers: { "x-cache": "PARTIAL" } }, EMBEDDING_TEXTS)).toMatch(
      /x-cache PARTIAL/,
    );

    const body = JSON.parse(answer.body);
    const edit = (change: (b: any) => void) => {
      const copy = structuredClone(body);
      change(copy);
      return checkEmbeddings({ ...answer, body: JSON.stringify(copy) }, EMBEDDING_TEXTS);
    };
    expect(edit((b) => b.data.pop())).toMatch(/7 embeddings, expected 8/);
    expect(edit((b) => b.data.reverse())).toMatch(/data\[0\]: index 7/);
    // Two vectors swapped, indices kept: each is another text's.
    expect(
      edit((b) => {
        [b.data[0].embedding, b.data[1].embedding] = [b.data[1].embedding, b.data[0].embedding];
      }),
    ).toMatch(/data\[0\]: not the vector of "Benchmark passage 1/);
    expect(
      edit((b) => {
        b.data[2].embedding = Array.from(new Float32Array(Buffer.from(b.data[2].embedding, "base64").buffer));
      }),
    ).toMatch(/data\[2\]: not base64/);
    expect(edit((b) => delete b.usage)).toMatch(/usage missing/);
    expect(checkEmbeddings({ ...answer, status: 500 }, EMBEDDING_TEXTS)).toMatch(/status 500/);
  });
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
