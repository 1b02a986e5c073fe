import { CHUNKS_16_TEXT } from "../test/mocks/scenario.ts";
import type { Answer, HttpCall, QuickCheck } from "./load.ts";

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
export const STREAM_CHUNKS = 16;
/** Mock vendor keys (test/mocks). */
export const OPENAI_KEY = "test-openai-key";
export const ANTHROPIC_KEY = "test-anthropic-key";

export interface Endpoint {
  call: HttpCall;
  /** The full check: null when the answer is whole and right, else what is wrong. */
  check: (answer: Answer) => string | null;
  quick: QuickCheck;
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
    },
  ];
}
