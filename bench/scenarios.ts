import { OPENAI_EMBEDDING_DIMENSIONS, upstreamVector } from "../test/mocks/embeddings.ts";
import { CHUNKS_16_TEXT } from "../test/mocks/scenario.ts";
import { type Answer, type HttpCall, type QuickCheck, timedRequest } from "./load.ts";

/**
 * What is measured: each gateway scenario and the same load sent straight to the mock vendor. Each
 * side has a full check (run once before any load: the whole answer is parsed and compared) and
 * a quick one (every response under load: status and a few substrings, cheap enough not to load
 * the generator). The expected texts are what test/mocks answer.
 */

export const PROMPT = "Say hello to the benchmark.";
export const OPENAI_ANSWER = `Hello! You said: ${PROMPT}`;
export const ANTHROPIC_ANSWER = `Hello from Claude! You said: ${PROMPT}`;
export const CONVERSATION_PROMPT = "Another turn of the benchmark conversation.";
export const CONVERSATION_ANSWER = `Hello! You said: ${CONVERSATION_PROMPT}`;
export const CACHE_PROMPT = "What is cached stays cached.";
export const CACHE_ANSWER = `Hello! You said: ${CACHE_PROMPT}`;
export const STREAM_TEXT = CHUNKS_16_TEXT;
/** The embeddings lanes' input: 8 texts, as a retrieval pipeline embeds a page of passages. */
export const EMBEDDING_TEXTS = Array.from(
  { length: 8 },
  (_, i) => `Benchmark passage ${i + 1}: the gateway embeds what the vendor is sent, in order.`,
);
export const STREAM_CHUNKS = 16;
/** Mock vendor keys (test/mocks). */
export const OPENAI_KEY = "test-openai-key";
export const ANTHROPIC_KEY = "test-anthropic-key";

export interface Endpoint {
  call: HttpCall;
  /** The full check: null when the answer is whole and right, else what is wrong. */
  check: (answer: Answer) => string | null;
  quick: QuickCheck;
  /** Run after the full check, once: what the answer must have left behind (e.g. a stored copy). */
  confirm?: (answer: Answer) => Promise<string | null>;
}

export interface Scenario {
  id: string;
  label: string;
  stream: boolean;
  gateway: Endpoint;
  /** The same request sent to the mock; scenarios that share one name the owner in `directOf`. */
  direct: Endpoint;
  directOf?: string;
  /** What the scenario wants said about its run (e.g. how long the conversations grew). */
  note?: () => string;
  /** It writes D1 after the vendor answers: its floor counts those round trips too (report.ts). */
  writesD1?: boolean;
  /** It is answered from the gateway's cache: run.ts fills the entry before any check. */
  cached?: boolean;
}

export interface ScenarioContext {
  gateway: string;
  mock: string;
  /** The benchmark user's API key. */
  key: string;
  /** Conversations the conversation scenario cycles through (each turn adds two messages). */
  conversations: string[];
}

// --- Parsing -------------------------------------------------------------------------------

export interface SseEvent {
  event: string | undefined;
  data: string;
}

/** Splits an SSE body into its events (`event:` and joined `data:` lines), in order. */
export function parseSse(text: string): SseEvent[] {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== "")
    .map((block) => {
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      return { event, data: data.join("\n") };
    });
}

function json(body: string): any {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

// --- Full checks ---------------------------------------------------------------------------

const expectStatus = (a: Answer, status: number) =>
  a.status === status ? null : `status ${a.status}, expected ${status}`;

/** A Chat Completions answer (OpenAI's shape) with this text, finish reason stop and usage. */
export function checkChatCompletion(a: Answer, text: string): string | null {
  const bad = expectStatus(a, 200);
  if (bad) return bad;
  const body = json(a.body);
  if (body?.object !== "chat.completion") return "not a chat.completion object";
  const choice = body.choices?.[0];
  if (choice?.message?.content !== text) return `content ${JSON.stringify(choice?.message?.content)}`;
  if (choice.finish_reason !== "stop") return `finish_reason ${choice.finish_reason}`;
  if (!(body.usage?.prompt_tokens > 0 && body.usage?.completion_tokens > 0)) return "usage missing";
  return null;
}

/**
 * A Chat Completions stream: `data:` chunks, exactly `chunks` non-empty content deltas that join
 * to the text, a `stop` finish reason, a usage chunk (stream_options.include_usage), then [DONE].
 */
export function checkChatStream(a: Answer, text: string, chunks: number): string | null {
  const bad = expectStatus(a, 200);
  if (bad) return bad;
  if (!String(a.headers["content-type"]).startsWith("text/event-stream")) {
    return `content-type ${a.headers["content-type"]}`;
  }
  const events = parseSse(a.body);
  if (events.at(-1)?.data !== "[DONE]") return "does not end with data: [DONE]";
  const payloads = events.slice(0, -1).map((e) => json(e.data));
  if (payloads.some((p) => p?.object !== "chat.completion.chunk")) return "a data line is not a chunk";
  const deltas = payloads
    .map((p) => p.choices?.[0]?.delta?.content)
    .filter((c): c is string => typeof c === "string" && c !== "");
  if (deltas.join("") !== text) return `text ${JSON.stringify(deltas.join(""))}`;
  if (deltas.length !== chunks) return `${deltas.length} content chunks, expected ${chunks}`;
  if (!payloads.some((p) => p.choices?.[0]?.finish_reason === "stop")) return "no stop finish_reason";
  if (!payloads.some((p) => p.usage?.prompt_tokens > 0)) return "no usage chunk";
  return null;
}

/**
 * An Anthropic Messages answer: a `message` from the assistant whose content is text blocks
 * joining to this text, stop reason end_turn, and usage with input and output tokens.
 */
export function checkAnthropicMessage(a: Answer, text: string): string | null {
  const bad = expectStatus(a, 200);
  if (bad) return bad;
  const body = json(a.body);
  if (body?.type !== "message") return "not a message";
  if (body.role !== "assistant") return `role ${body.role}`;
  const content: unknown[] = Array.isArray(body.content) ? body.content : [];
  if (content.length === 0 || content.some((b: any) => b?.type !== "text")) {
    return `content ${JSON.stringify(body.content)}: not text blocks`;
  }
  const joined = content.map((b: any) => b.text).join("");
  if (joined !== text) return `text ${JSON.stringify(joined)}`;
  if (body.stop_reason !== "end_turn") return `stop_reason ${body.stop_reason}`;
  if (!(body.usage?.input_tokens > 0 && body.usage?.output_tokens > 0)) return "usage missing";
  return null;
}

/**
 * The order of Anthropic's stream events: `message_start` once, then for each content block
 * (indices 0, 1, ... without gaps) `content_block_start`, its `content_block_delta`s and its
 * `content_block_stop`, then one `message_delta` and `message_stop`, last. `ping` may come
 * anywhere after `message_start`; an `error` event ends the check with its message. Each event's
 * `event:` name must be its data's `type`. Null when the order is right, else what breaks it.
 * @see https://platform.claude.com/docs/en/build-with-claude/streaming#event-types
 */
export function anthropicLifecycle(events: SseEvent[]): string | null {
  /** Where the stream is: before message_start, between blocks, inside one, after message_delta, done. */
  let state: "start" | "between" | "block" | "delta" | "stopped" = "start";
  let blocks = 0;
  for (const [i, e] of events.entries()) {
    const data = json(e.data);
    const at = `event ${i} (${e.event})`;
    if (typeof data?.type !== "string") return `${at}: data is not an event object`;
    if (data.type !== e.event) return `${at}: its data's type is ${data.type}`;
    if (e.event === "error") return `${at}: ${JSON.stringify(data.error)}`;
    if (state === "stopped") return `${at} after message_stop`;
    if (e.event === "ping" && state !== "start") continue;
    const expected = {
      start: "message_start",
      between: "content_block_start or message_delta",
      block: "content_block_delta or content_block_stop",
      delta: "message_stop",
    }[state];
    const wrong = `${at}, expected ${expected}`;
    switch (e.event) {
      case "message_start":
        if (state !== "start") return wrong;
        if (data.message?.type !== "message" || data.message?.role !== "assistant") {
          return `${at}: not an assistant message`;
        }
        state = "between";
        break;
      case "content_block_start":
        if (state !== "between") return wrong;
        if (data.index !== blocks) return `${at}: index ${data.index}, expected ${blocks}`;
        state = "block";
        break;
      case "content_block_delta":
      case "content_block_stop":
        if (state !== "block") return wrong;
        if (data.index !== blocks) return `${at}: index ${data.index}, expected ${blocks}`;
        if (e.event === "content_block_stop") {
          blocks += 1;
          state = "between";
        }
        break;
      case "message_delta":
        if (state !== "between") return wrong;
        if (blocks === 0) return `${at} before any content block`;
        state = "delta";
        break;
      case "message_stop":
        if (state !== "delta") return wrong;
        state = "stopped";
        break;
      default:
        return `${at}: not an event of the Messages stream`;
    }
  }
  if (state === "start") return "does not start with message_start";
  if (state !== "stopped") return "does not end with message_stop";
  return null;
}

/**
 * An Anthropic Messages stream: text/event-stream, the event lifecycle in order (see
 * anthropicLifecycle), `chunks` text deltas joining to the text, and a message_delta with stop
 * reason end_turn and output usage.
 */
export function checkAnthropicStream(a: Answer, text: string, chunks: number): string | null {
  const bad = expectStatus(a, 200);
  if (bad) return bad;
  if (!String(a.headers["content-type"]).startsWith("text/event-stream")) {
    return `content-type ${a.headers["content-type"]}`;
  }
  const events = parseSse(a.body);
  const order = anthropicLifecycle(events);
  if (order) return order;
  const deltas = events
    .filter((e) => e.event === "content_block_delta")
    .map((e) => json(e.data)?.delta)
    .filter((d) => d?.type === "text_delta" && typeof d.text === "string")
    .map((d) => d.text as string);
  if (deltas.join("") !== text) return `text ${JSON.stringify(deltas.join(""))}`;
  if (deltas.length !== chunks) return `${deltas.length} text deltas, expected ${chunks}`;
  const end = json(events.find((e) => e.event === "message_delta")?.data ?? "");
  if (end?.delta?.stop_reason !== "end_turn") return `stop_reason ${end?.delta?.stop_reason}`;
  if (!(end.usage?.output_tokens > 0)) return "no usage in message_delta";
  return null;
}

/**
 * A Response (OpenAI's Responses API): `object: "response"` with a `resp_` id, status
 * `completed`, an output of assistant `message` items (status completed) whose `output_text`
 * parts join to this text, and usage with input, output and total tokens (total their sum).
 * `store`, when given, is what the response must echo.
 */
export function checkResponse(a: Answer, text: string, store?: boolean): string | null {
  const bad = expectStatus(a, 200);
  if (bad) return bad;
  const body = json(a.body);
  if (body?.object !== "response") return "not a response object";
  return responseProblem(body, text, store);
}

/** What is wrong with a Response object (whole, or the one `response.completed` carries). */
function responseProblem(body: any, text: string, store?: boolean): string | null {
  if (typeof body.id !== "string" || !body.id.startsWith("resp_")) return `id ${JSON.stringify(body.id)}`;
  if (body.status !== "completed") return `status ${body.status}`;
  const output: any[] = Array.isArray(body.output) ? body.output : [];
  if (output.length === 0) return "no output items";
  for (const item of output) {
    if (item?.type !== "message" || item.role !== "assistant") {
      return `output item ${JSON.stringify(item?.type)}: not an assistant message`;
    }
    if (item.status !== "completed") return `output item status ${item.status}`;
    const parts: any[] = Array.isArray(item.content) ? item.content : [];
    if (parts.length === 0 || parts.some((p) => p?.type !== "output_text")) {
      return `content ${JSON.stringify(item.content)}: not output_text parts`;
    }
  }
  const joined = output.flatMap((item) => item.content.map((p: any) => p.text)).join("");
  if (joined !== text) return `text ${JSON.stringify(joined)}`;
  const u = body.usage;
  if (!(u?.input_tokens > 0 && u?.output_tokens > 0)) return "usage missing";
  if (u.total_tokens !== u.input_tokens + u.output_tokens) return `usage total_tokens ${u.total_tokens}`;
  if (store !== undefined && body.store !== store) return `store ${body.store}, expected ${store}`;
  return null;
}

/**
 * The order of a Responses stream: `response.created`, `response.in_progress`, then one output
 * item at a time (`response.output_item.added` with output indices from 0 without gaps; for a
 * message each content part `response.content_part.added`, its `response.output_text.delta`s,
 * `response.output_text.done` with their joined text and `response.content_part.done`, content
 * indices from 0; then `response.output_item.done` for the same item id), then exactly one
 * terminal event, last: `response.completed`, `response.incomplete` or `response.failed`, whose
 * response has the created one's id and one output item per item streamed. Each event's name is
 * its data's `type`, and `sequence_number` increases from event to event. The events of an item
 * that is not a message (reasoning, a function call) must name its output index. An `error`
 * event ends the check with its message; SSE comments (keep-alives) are skipped. Null when the
 * order is right, else what breaks it.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export function responsesLifecycle(events: SseEvent[]): string | null {
  type State = "start" | "created" | "between" | "item" | "part" | "part-done" | "other-item" | "ended";
  const expected: Record<State, string> = {
    start: "response.created",
    created: "response.in_progress",
    between: "response.output_item.added or a terminal event",
    item: "response.content_part.added or response.output_item.done",
    part: "response.output_text.delta or response.output_text.done",
    "part-done": "response.content_part.done",
    "other-item": "an event of the open item",
    ended: "nothing",
  };
  let state = "start" as State;
  let sequence = Number.NEGATIVE_INFINITY;
  let responseId: unknown;
  /** Items done so far; the open one, its content parts done, the open part's text. */
  let items = 0;
  let item: { id: unknown; index: number; parts: number } = { id: undefined, index: -1, parts: 0 };
  let text = "";
  for (const [i, e] of events.entries()) {
    if (e.event === undefined && e.data === "") continue; // a comment (keep-alive)
    const name = e.event ?? "";
    const data = json(e.data);
    const at = `event ${i} (${e.event})`;
    if (typeof data?.type !== "string") return `${at}: data is not an event object`;
    if (data.type !== name) return `${at}: its data's type is ${data.type}`;
    if (name === "error") return `${at}: ${JSON.stringify(data.error ?? data.message)}`;
    if (state === "ended") return `${at} after the terminal event`;
    if (typeof data.sequence_number !== "number") return `${at}: no sequence_number`;
    if (data.sequence_number <= sequence)
      return `${at}: sequence_number ${data.sequence_number} after ${sequence}`;
    sequence = data.sequence_number;
    const wrong = `${at}, expected ${expected[state]}`;
    /** The event names the open item (and, for a part's events, the open part). */
    const ofItem = (id: unknown, withPart: boolean) => {
      if (id !== item.id || data.output_index !== item.index) {
        return `${at}: item ${id} at ${data.output_index}, expected ${item.id} at ${item.index}`;
      }
      if (withPart && data.content_index !== item.parts) {
        return `${at}: content_index ${data.content_index}, expected ${item.parts}`;
      }
      return null;
    };
    const next = (from: State, to: State, problem: string | null = null) => {
      if (state !== from) return wrong;
      if (problem) return problem;
      state = to;
      return null;
    };
    let problem: string | null;
    switch (name) {
      case "response.created":
        problem = next(
          "start",
          "created",
          data.response?.object === "response" ? null : `${at}: not a response`,
        );
        responseId = data.response?.id;
        break;
      case "response.in_progress":
        problem = next(
          "created",
          "between",
          data.response?.id === responseId ? null : `${at}: another response`,
        );
        break;
      case "response.output_item.added": {
        const index =
          data.output_index === items ? null : `${at}: output_index ${data.output_index}, expected ${items}`;
        problem = next("between", data.item?.type === "message" ? "item" : "other-item", index);
        item = { id: data.item?.id, index: items, parts: 0 };
        break;
      }
      case "response.content_part.added":
        problem = next("item", "part", ofItem(data.item_id, true));
        text = "";
        break;
      case "response.output_text.delta":
        problem = next("part", "part", ofItem(data.item_id, true));
        text += data.delta;
        break;
      case "response.output_text.done": {
        const same =
          data.text === text
            ? null
            : `${at}: text ${JSON.stringify(data.text)}, deltas ${JSON.stringify(text)}`;
        problem = next("part", "part-done", ofItem(data.item_id, true) ?? same);
        break;
      }
      case "response.content_part.done":
        problem = next("part-done", "item", ofItem(data.item_id, true));
        item.parts += 1;
        break;
      case "response.output_item.done":
        problem = next(
          state === "other-item" ? "other-item" : "item",
          "between",
          ofItem(data.item?.id, false),
        );
        items += 1;
        break;
      case "response.completed":
      case "response.incomplete": {
        const output = data.response?.output;
        const whole =
          data.response?.id !== responseId
            ? `${at}: response ${data.response?.id}, created ${responseId}`
            : Array.isArray(output) && output.length === items
              ? null
              : `${at}: ${Array.isArray(output) ? output.length : "no"} output items, ${items} streamed`;
        problem = next("between", "ended", whole);
        break;
      }
      case "response.failed":
        return `${at}: ${JSON.stringify(data.response?.error)}`;
      default:
        // Another item kind's events (reasoning summaries, function call arguments).
        problem = next(
          "other-item",
          "other-item",
          data.output_index === item.index
            ? null
            : `${at}: output_index ${data.output_index}, expected ${item.index}`,
        );
    }
    if (problem) return problem;
  }
  if (state === "start") return "does not start with response.created";
  if (state !== "ended")
    return "does not end with response.completed, response.incomplete or response.failed";
  return null;
}

/**
 * A Responses stream: text/event-stream, the lifecycle in order (see responsesLifecycle),
 * `chunks` output_text deltas joining to the text, and `response.completed` last, carrying the
 * whole response (as checkResponse: its text, usage).
 */
export function checkResponsesStream(a: Answer, text: string, chunks: number): string | null {
  const bad = expectStatus(a, 200);
  if (bad) return bad;
  if (!String(a.headers["content-type"]).startsWith("text/event-stream")) {
    return `content-type ${a.headers["content-type"]}`;
  }
  const events = parseSse(a.body);
  const order = responsesLifecycle(events);
  if (order) return order;
  const deltas = events
    .filter((e) => e.event === "response.output_text.delta")
    .map((e) => json(e.data)?.delta)
    .filter((d): d is string => typeof d === "string");
  if (deltas.join("") !== text) return `text ${JSON.stringify(deltas.join(""))}`;
  if (deltas.length !== chunks) return `${deltas.length} text deltas, expected ${chunks}`;
  const last = events.filter((e) => e.event !== undefined).at(-1);
  if (last?.event !== "response.completed") return `ends with ${last?.event}, expected response.completed`;
  const problem = responseProblem(json(last.data).response, text);
  return problem && `response.completed: ${problem}`;
}

/** A conversation turn: 201 with both messages stored, the reply's text as given. */
export function checkConversationTurn(a: Answer, text: string): string | null {
  const bad = expectStatus(a, 201);
  if (bad) return bad;
  const body = json(a.body);
  if (!body?.user_message?.id) return "no user_message";
  const reply = body.assistant_message;
  if (reply?.content?.[0]?.text !== text) return `reply ${JSON.stringify(reply?.content)}`;
  if (reply.finish_reason !== "stop") return `finish_reason ${reply.finish_reason}`;
  return null;
}

/**
 * An embeddings answer as the openai SDK asks for it (base64): a list of one embedding per text in
 * input order, each the little-endian float32 bytes of exactly the vector the mock makes for it
 * (test/mocks/embeddings.ts), and usage.
 */
export function checkEmbeddings(a: Answer, texts: readonly string[]): string | null {
  const bad = expectStatus(a, 200);
  if (bad) return bad;
  const body = json(a.body);
  if (body?.object !== "list") return "not a list object";
  const data: any[] = Array.isArray(body.data) ? body.data : [];
  if (data.length !== texts.length) return `${data.length} embeddings, expected ${texts.length}`;
  for (const [i, d] of data.entries()) {
    if (d?.object !== "embedding" || d.index !== i) return `data[${i}]: index ${d?.index}`;
    if (typeof d.embedding !== "string") return `data[${i}]: not base64`;
    const bytes = Buffer.from(d.embedding, "base64");
    const got = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 4)));
    const want = upstreamVector(texts[i] as string, OPENAI_EMBEDDING_DIMENSIONS);
    if (got.length !== want.length || got.some((x, k) => x !== want[k])) {
      return `data[${i}]: not the vector of ${JSON.stringify(texts[i])}`;
    }
  }
  if (!(body.usage?.prompt_tokens > 0)) return "usage missing";
  return null;
}

/** An embeddings answer served wholly from the per-item cache. */
export function checkEmbeddingsHit(a: Answer, texts: readonly string[]): string | null {
  if (a.headers["x-cache"] !== "HIT") return `x-cache ${a.headers["x-cache"]}, expected HIT`;
  return checkEmbeddings(a, texts);
}

/** A chat completion answered from the cache. */
export function checkCacheHit(a: Answer, text: string): string | null {
  if (a.headers["x-cache"] !== "HIT") return `x-cache ${a.headers["x-cache"]}, expected HIT`;
  return checkChatCompletion(a, text);
}

// --- Quick checks --------------------------------------------------------------------------

const is2xx = (status: number) => status >= 200 && status < 300;

/** 2xx and the body holds every one of these strings (and ends with `end`, if given). */
export function quick(expect: {
  includes: string[];
  endsWith?: string;
  header?: [string, string];
}): QuickCheck {
  return (status, body, header) => {
    if (!is2xx(status)) return `status ${status}`;
    for (const s of expect.includes) if (!body.includes(s)) return `body lacks ${JSON.stringify(s)}`;
    if (expect.endsWith !== undefined && !body.endsWith(expect.endsWith)) {
      return `body does not end with ${JSON.stringify(expect.endsWith)}`;
    }
    if (expect.header && header(expect.header[0]) !== expect.header[1]) {
      return `${expect.header[0]}: ${header(expect.header[0])}`;
    }
    return null;
  };
}

const chatStreamQuick = quick({ includes: ['"usage":{', "today."], endsWith: "data: [DONE]\n\n" });
/** A Messages stream, the vendor's own or the gateway's encoding: its text's end, the stop, the last event. */
const anthropicStreamQuick = quick({
  includes: ["today.", '"stop_reason":"end_turn"'],
  endsWith: 'event: message_stop\ndata: {"type":"message_stop"}\n\n',
});

/**
 * A Responses stream, the vendor's own or the gateway's encoding: its text's end, and the last
 * event `response.completed` (its data ends the body; `sequence_number` is not always last).
 */
export const responsesStreamQuick: QuickCheck = (status, body, header) => {
  const problem = quick({ includes: ["today."], endsWith: "}\n\n" })(status, body, header);
  if (problem) return problem;
  const last = body.lastIndexOf("\nevent: ");
  return body.startsWith("event: response.completed\n", last + 1)
    ? null
    : `last event ${JSON.stringify(body.slice(last + 1, last + 40))}, expected response.completed`;
};
/** A whole Response: its text and a completed status. */
const wholeResponseQuick = (text: string) => quick({ includes: [text, '"status":"completed"'] });

// --- Scenarios -----------------------------------------------------------------------------

const messages = (text: string) => [
  { role: "system", content: "Be terse." },
  { role: "user", content: text },
];
const streaming = { stream: true, stream_options: { include_usage: true } };

export function buildScenarios(ctx: ScenarioContext): Scenario[] {
  const gatewayHeaders = {
    authorization: `Bearer ${ctx.key}`,
    "content-type": "application/json",
    // Cloudflare's edge sets it on every request; with it the per-IP auth guard runs as deployed.
    "cf-connecting-ip": "127.0.0.1",
  };
  const chat = (body: object, headers: Record<string, string> = {}): HttpCall => ({
    method: "POST",
    url: `${ctx.gateway}/v1/chat/completions`,
    headers: { ...gatewayHeaders, ...headers },
    body: JSON.stringify(body),
  });
  const openai = (body: object): HttpCall => ({
    method: "POST",
    url: `${ctx.mock}/openai/v1/chat/completions`,
    headers: { authorization: `Bearer ${OPENAI_KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const anthropic = (body: object): HttpCall => ({
    method: "POST",
    url: `${ctx.mock}/anthropic/v1/messages`,
    headers: {
      "x-api-key": ANTHROPIC_KEY,
      "anthropic-version": "2023-06-01",
      "content-type": "application/json",
    },
    body: JSON.stringify(body),
  });
  const openaiDirect: Endpoint = {
    call: openai({ model: "gpt-4o-mini", messages: messages(PROMPT) }),
    check: (a) => checkChatCompletion(a, OPENAI_ANSWER),
    quick: quick({ includes: [OPENAI_ANSWER] }),
  };
  // POST /v1/messages as an Anthropic SDK sends it: the key in x-api-key, the API version.
  const messagesCall = (body: object): HttpCall => ({
    method: "POST",
    url: `${ctx.gateway}/v1/messages`,
    headers: {
      "x-api-key": ctx.key,
      "anthropic-version": "2023-06-01",
      "content-type": "application/json",
      "cf-connecting-ip": "127.0.0.1",
    },
    body: JSON.stringify(body),
  });
  const messagesBody = (model: string, stream: boolean) => ({
    model,
    max_tokens: 4096,
    system: "Be terse.",
    messages: [{ role: "user", content: PROMPT }],
    ...(stream ? { stream: true } : {}),
  });
  /**
   * What the gateway sends an OpenAI vendor for messagesBody (src/providers/openai/request.ts):
   * the system prompt as a system message, the user's text as a content part, usage asked for
   * on a stream, max_tokens as max_completion_tokens, in the gateway's key order.
   */
  const translatedBody = (model: string, stream: boolean) => ({
    model,
    messages: [
      { role: "system", content: "Be terse." },
      { role: "user", content: [{ type: "text", text: PROMPT }] },
    ],
    ...(stream ? streaming : {}),
    max_completion_tokens: 4096,
  });
  const translatedNote =
    "direct is the Chat Completions request the gateway sends the vendor (POST /openai/v1/chat/completions), not a Messages call";
  const wholeMessageQuick = (text: string) => quick({ includes: [text, '"stop_reason":"end_turn"'] });
  const messagesScenarios: Scenario[] = [
    {
      id: "messages",
      label: "Messages passthrough",
      stream: false,
      gateway: {
        call: messagesCall(messagesBody("anthropic/claude-haiku-4-5", false)),
        check: (a) => checkAnthropicMessage(a, ANTHROPIC_ANSWER),
        quick: wholeMessageQuick(ANTHROPIC_ANSWER),
      },
      direct: {
        call: anthropic(messagesBody("claude-haiku-4-5", false)),
        check: (a) => checkAnthropicMessage(a, ANTHROPIC_ANSWER),
        quick: wholeMessageQuick(ANTHROPIC_ANSWER),
      },
    },
    {
      id: "messages-stream",
      label: "Messages passthrough, stream",
      stream: true,
      gateway: {
        call: messagesCall(messagesBody("anthropic/chunks-16", true)),
        check: (a) => checkAnthropicStream(a, STREAM_TEXT, STREAM_CHUNKS),
        quick: anthropicStreamQuick,
      },
      direct: {
        call: anthropic(messagesBody("chunks-16", true)),
        check: (a) => checkAnthropicStream(a, STREAM_TEXT, STREAM_CHUNKS),
        quick: anthropicStreamQuick,
      },
    },
    {
      id: "messages-openai",
      label: "Messages→OpenAI",
      stream: false,
      gateway: {
        call: messagesCall(messagesBody("openai/gpt-4o-mini", false)),
        check: (a) => checkAnthropicMessage(a, OPENAI_ANSWER),
        quick: wholeMessageQuick(OPENAI_ANSWER),
      },
      direct: {
        call: openai(translatedBody("gpt-4o-mini", false)),
        check: (a) => checkChatCompletion(a, OPENAI_ANSWER),
        quick: quick({ includes: [OPENAI_ANSWER] }),
      },
      note: () => translatedNote,
    },
    {
      id: "messages-openai-stream",
      label: "Messages→OpenAI, stream",
      stream: true,
      gateway: {
        call: messagesCall(messagesBody("openai/chunks-16", true)),
        check: (a) => checkAnthropicStream(a, STREAM_TEXT, STREAM_CHUNKS),
        quick: anthropicStreamQuick,
      },
      direct: {
        call: openai(translatedBody("chunks-16", true)),
        check: (a) => checkChatStream(a, STREAM_TEXT, STREAM_CHUNKS),
        quick: chatStreamQuick,
      },
      note: () => translatedNote,
    },
  ];
  // POST /v1/responses as an OpenAI SDK (Codex) sends it: the key as a bearer token.
  const responsesCall = (body: object): HttpCall => ({
    method: "POST",
    url: `${ctx.gateway}/v1/responses`,
    headers: gatewayHeaders,
    body: JSON.stringify(body),
  });
  const openaiResponses = (body: object): HttpCall => ({
    ...openai(body),
    url: `${ctx.mock}/openai/v1/responses`,
  });
  /**
   * A Responses request in Codex's shape and key order: instructions, the user's turn as an input
   * message item, `store: false` (Codex's), or with `stored` no `store` at all: the API's default,
   * stored.
   */
  const responsesBody = (model: string, stream: boolean, stored = false) => ({
    model,
    instructions: "Be terse.",
    input: [{ type: "message", role: "user", content: [{ type: "input_text", text: PROMPT }] }],
    ...(stored ? {} : { store: false }),
    ...(stream ? { stream: true } : {}),
  });
  /**
   * What the gateway sends an Anthropic vendor for responsesBody, captured from the gateway once
   * (the mock's `inspect` scenario), key order included: the instructions as the system prompt,
   * the input's text part as a text block, the default max_tokens. `store` does not reach it.
   */
  const anthropicTranslated = (model: string, stream: boolean) => ({
    model,
    messages: [{ role: "user", content: [{ type: "text", text: PROMPT }] }],
    max_tokens: 4096,
    system: "Be terse.",
    ...(stream ? { stream: true } : {}),
  });
  const toAnthropicNote =
    "direct is the Anthropic Messages request the gateway sends the vendor (POST /anthropic/v1/messages), not a Responses call";
  const responsesAnthropicDirect: Endpoint = {
    call: anthropic(anthropicTranslated("claude-haiku-4-5", false)),
    check: (a) => checkAnthropicMessage(a, ANTHROPIC_ANSWER),
    quick: wholeMessageQuick(ANTHROPIC_ANSWER),
  };
  const responsesScenarios: Scenario[] = [
    {
      id: "responses",
      label: "Responses passthrough",
      stream: false,
      gateway: {
        call: responsesCall(responsesBody("openai/gpt-4o-mini", false)),
        check: (a) => checkResponse(a, OPENAI_ANSWER, false),
        quick: wholeResponseQuick(OPENAI_ANSWER),
      },
      direct: {
        call: openaiResponses(responsesBody("gpt-4o-mini", false)),
        check: (a) => checkResponse(a, OPENAI_ANSWER, false),
        quick: wholeResponseQuick(OPENAI_ANSWER),
      },
    },
    {
      id: "responses-stream",
      label: "Responses passthrough, stream",
      stream: true,
      gateway: {
        call: responsesCall(responsesBody("openai/chunks-16", true)),
        check: (a) => checkResponsesStream(a, STREAM_TEXT, STREAM_CHUNKS),
        quick: responsesStreamQuick,
      },
      direct: {
        call: openaiResponses(responsesBody("chunks-16", true)),
        check: (a) => checkResponsesStream(a, STREAM_TEXT, STREAM_CHUNKS),
        quick: responsesStreamQuick,
      },
    },
    {
      id: "responses-anthropic",
      label: "Responses→Anthropic",
      stream: false,
      gateway: {
        call: responsesCall(responsesBody("anthropic/claude-haiku-4-5", false)),
        check: (a) => checkResponse(a, ANTHROPIC_ANSWER, false),
        quick: wholeResponseQuick(ANTHROPIC_ANSWER),
      },
      direct: responsesAnthropicDirect,
      note: () => toAnthropicNote,
    },
    {
      id: "responses-anthropic-stream",
      label: "Responses→Anthropic, stream",
      stream: true,
      gateway: {
        call: responsesCall(responsesBody("anthropic/chunks-16", true)),
        check: (a) => checkResponsesStream(a, STREAM_TEXT, STREAM_CHUNKS),
        quick: responsesStreamQuick,
      },
      direct: {
        call: anthropic(anthropicTranslated("chunks-16", true)),
        check: (a) => checkAnthropicStream(a, STREAM_TEXT, STREAM_CHUNKS),
        quick: anthropicStreamQuick,
      },
      note: () => toAnthropicNote,
    },
    {
      id: "responses-anthropic-stored",
      label: "Responses→Anthropic, stored",
      stream: false,
      gateway: {
        call: responsesCall(responsesBody("anthropic/claude-haiku-4-5", false, true)),
        check: (a) => checkResponse(a, ANTHROPIC_ANSWER, true),
        quick: wholeResponseQuick(ANTHROPIC_ANSWER),
        // The D1 write happened: the gateway serves the response back by its id.
        confirm: async (a) => {
          const id = String(json(a.body)?.id);
          const url = `${ctx.gateway}/v1/responses/${encodeURIComponent(id)}`;
          const { answer } = await timedRequest(undefined, { method: "GET", url, headers: gatewayHeaders });
          if (answer.status !== 200) return `GET /v1/responses/${id}: status ${answer.status}`;
          return json(answer.body)?.id === id ? null : `GET /v1/responses/${id}: another response`;
        },
      },
      direct: responsesAnthropicDirect,
      directOf: "responses-anthropic",
      writesD1: true,
      note: () =>
        "`store` left out (the default: true), so each call also writes the response to D1 before answering and prunes expired ones after (waitUntil); direct is Responses→Anthropic's, as `store` never reaches the vendor",
    },
  ];
  // POST /v1/embeddings as the openai SDK sends it by default: base64 asked for.
  const embeddingsBody = (model: string) => ({ model, input: EMBEDDING_TEXTS, encoding_format: "base64" });
  const embeddingsCall = (headers: Record<string, string> = {}): HttpCall => ({
    method: "POST",
    url: `${ctx.gateway}/v1/embeddings`,
    headers: { ...gatewayHeaders, ...headers },
    body: JSON.stringify(embeddingsBody("openai/text-embedding-3-small")),
  });
  /** The cheap check: the last item is there, usage, and (cached) the header. */
  const embeddingsQuick = (header?: [string, string]) =>
    quick({ includes: ['"index":7,', '"prompt_tokens":'], ...(header ? { header } : {}) });
  const embeddingsDirect: Endpoint = {
    call: { ...openai(embeddingsBody("text-embedding-3-small")), url: `${ctx.mock}/openai/v1/embeddings` },
    check: (a) => checkEmbeddings(a, EMBEDDING_TEXTS),
    quick: embeddingsQuick(),
  };
  const embeddingsScenarios: Scenario[] = [
    {
      id: "embeddings",
      label: "Embeddings passthrough",
      stream: false,
      gateway: {
        call: embeddingsCall(),
        check: (a) => checkEmbeddings(a, EMBEDDING_TEXTS),
        quick: embeddingsQuick(),
      },
      direct: embeddingsDirect,
    },
    {
      id: "embeddings-cache-hit",
      label: "Embeddings cache hit",
      stream: false,
      gateway: {
        call: embeddingsCall({ "x-cache-ttl": "3600" }),
        check: (a) => checkEmbeddingsHit(a, EMBEDDING_TEXTS),
        quick: embeddingsQuick(["x-cache", "HIT"]),
      },
      direct: embeddingsDirect,
      directOf: "embeddings",
      cached: true,
      note: () =>
        "every item of the 8 is cached (one KV bulk read), so no vendor is called; direct is the passthrough's",
    },
  ];
  let turn = 0;
  const conversationPath = () => {
    turn += 1;
    return `/v1/conversations/${ctx.conversations[turn % ctx.conversations.length]}/messages`;
  };

  return [
    {
      id: "openai",
      label: "OpenAI passthrough",
      stream: false,
      gateway: {
        call: chat({ model: "openai/gpt-4o-mini", messages: messages(PROMPT) }),
        check: (a) => checkChatCompletion(a, OPENAI_ANSWER),
        quick: quick({ includes: [OPENAI_ANSWER] }),
      },
      direct: openaiDirect,
    },
    {
      id: "openai-stream",
      label: "OpenAI passthrough, stream",
      stream: true,
      gateway: {
        call: chat({ model: "openai/chunks-16", messages: messages(PROMPT), ...streaming }),
        check: (a) => checkChatStream(a, STREAM_TEXT, STREAM_CHUNKS),
        quick: chatStreamQuick,
      },
      direct: {
        call: openai({ model: "chunks-16", messages: messages(PROMPT), ...streaming }),
        check: (a) => checkChatStream(a, STREAM_TEXT, STREAM_CHUNKS),
        quick: chatStreamQuick,
      },
    },
    {
      id: "anthropic",
      label: "OpenAI→Anthropic",
      stream: false,
      gateway: {
        call: chat({ model: "anthropic/claude-haiku-4-5", messages: messages(PROMPT) }),
        check: (a) => checkChatCompletion(a, ANTHROPIC_ANSWER),
        quick: quick({ includes: [ANTHROPIC_ANSWER] }),
      },
      direct: {
        call: anthropic({
          model: "claude-haiku-4-5",
          max_tokens: 4096,
          system: "Be terse.",
          messages: [{ role: "user", content: PROMPT }],
        }),
        check: (a) => checkAnthropicMessage(a, ANTHROPIC_ANSWER),
        quick: quick({ includes: [ANTHROPIC_ANSWER] }),
      },
    },
    {
      id: "anthropic-stream",
      label: "OpenAI→Anthropic, stream",
      stream: true,
      gateway: {
        call: chat({ model: "anthropic/chunks-16", messages: messages(PROMPT), ...streaming }),
        check: (a) => checkChatStream(a, STREAM_TEXT, STREAM_CHUNKS),
        quick: chatStreamQuick,
      },
      direct: {
        call: anthropic({
          model: "chunks-16",
          max_tokens: 4096,
          system: "Be terse.",
          messages: [{ role: "user", content: PROMPT }],
          stream: true,
        }),
        check: (a) => checkAnthropicStream(a, STREAM_TEXT, STREAM_CHUNKS),
        quick: anthropicStreamQuick,
      },
    },
    ...messagesScenarios,
    ...responsesScenarios,
    {
      id: "conversation",
      label: "Conversation message (D1 read + write)",
      stream: false,
      gateway: {
        call: {
          method: "POST",
          url: `${ctx.gateway}/v1/conversations/${ctx.conversations[0]}/messages`,
          headers: gatewayHeaders,
          body: JSON.stringify({ content: CONVERSATION_PROMPT }),
          nextPath: conversationPath,
        },
        check: (a) => checkConversationTurn(a, CONVERSATION_ANSWER),
        quick: quick({ includes: [CONVERSATION_ANSWER] }),
      },
      direct: openaiDirect,
      directOf: "openai",
      writesD1: true,
      note: () => {
        const pool = ctx.conversations.length;
        return `${turn} turns over ${pool} conversations: at most ${2 * Math.ceil(turn / pool)} messages of history each at the end`;
      },
    },
    {
      id: "cache-hit",
      label: "Cache hit",
      stream: false,
      gateway: {
        call: chat(
          { model: "openai/gpt-4o-mini", messages: messages(CACHE_PROMPT) },
          { "x-cache-ttl": "3600" },
        ),
        check: (a) => checkCacheHit(a, CACHE_ANSWER),
        quick: quick({ includes: [CACHE_ANSWER], header: ["x-cache", "HIT"] }),
      },
      direct: openaiDirect,
      directOf: "openai",
      cached: true,
    },
    ...embeddingsScenarios,
  ];
}
