import type { IncomingMessage, ServerResponse } from "node:http";
import { replayFixture } from "./fixture-replay.ts";
import {
  CHUNKS_16_TEXT,
  commonScenario,
  framePause,
  lastUserText,
  rawBodies,
  readBody,
  requestLog,
  scenarioOf,
  sendJson,
  words,
  writeEvents,
} from "./scenario.ts";

/**
 * Anthropic's Messages API wire format at POST /anthropic/v1/messages (and its count_tokens): `x-api-key` and
 * `anthropic-version` headers, `{type: "error", error: {type, message}}` error bodies, and streams
 * with `event:` lines in the documented order (message_start, content_block_start, ping,
 * content_block_delta..., content_block_stop, message_delta, message_stop).
 * @see https://platform.claude.com/docs/en/api/messages
 * @see https://platform.claude.com/docs/en/build-with-claude/streaming
 */

export const ANTHROPIC_TEST_KEY = "test-anthropic-key";
export const ANTHROPIC_MESSAGE_ID = "msg_01XFDUDYJgAACzvnptvVoYEL";
export const ANTHROPIC_TOOL_ID = "toolu_01A09q90qw90lq917835lq9";
/** Fixed usage, so tests can assert exact numbers through OpenAI's shape (prompt_tokens 33). */
export const ANTHROPIC_USAGE = {
  input_tokens: 25,
  cache_creation_input_tokens: 3,
  cache_read_input_tokens: 5,
  output_tokens: 12,
};
/** The tool input of the `tool-call` scenario, and how its stream splits the JSON. */
export const ANTHROPIC_TOOL_INPUT = { location: "Paris", unit: "celsius" };
export const ANTHROPIC_TOOL_JSON_PIECES = ["", '{"location": "Par', 'is", "unit": "celsius"}'];
export const ANTHROPIC_TOOL_PREAMBLE = "I'll check the weather in Paris.";

/** @see https://platform.claude.com/docs/en/api/errors#http-errors */
const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

const errorBody = (status: number, message: string) => ({
  type: "error",
  error: { type: ERROR_TYPES[status] ?? "api_error", message },
  request_id: "req_011CSHoEeqs5C35K2UUqR7Fy",
});

type Block = {
  type: string;
  text?: string;
  id?: string;
  tool_use_id?: string;
  content?: unknown;
  name?: string;
  input?: unknown;
};
type Message = { role: string; content: string | Block[] };
type Body = {
  model?: string;
  messages?: Message[];
  system?: string;
  max_tokens?: number;
  temperature?: number;
  stop_sequences?: string[];
  tools?: { name: string }[];
  stream?: boolean;
};

const blocks = (m: Message | undefined): Block[] =>
  !m ? [] : typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content;

/** What the real API refuses with a 400 (the subset these tests can trip over). */
function invalid(body: Body): string | null {
  if (typeof body.max_tokens !== "number") return "max_tokens: Field required";
  if (body.temperature !== undefined && (body.temperature < 0 || body.temperature > 1))
    return "temperature: Input should be less than or equal to 1";
  const messages = body.messages ?? [];
  const toolBlocks = messages.some((m) =>
    blocks(m).some((b) => b.type === "tool_use" || b.type === "tool_result"),
  );
  if (toolBlocks && !body.tools?.length) {
    return "Requests which include `tool_use` or `tool_result` blocks must define tools.";
  }
  for (let i = 0; i < messages.length; i++) {
    const prev = blocks(messages[i - 1]);
    for (const b of blocks(messages[i])) {
      if (b.type === "text" && !b.text) return `messages.${i}: text content blocks must be non-empty`;
      if (b.type === "tool_result" && !prev.some((p) => p.type === "tool_use" && p.id === b.tool_use_id)) {
        return `messages.${i}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${b.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
    }
  }
  return null;
}

interface Answer {
  content: Block[];
  stopReason: string;
  stopSequence: string | null;
}

function answer(body: Body, path: string, headers: IncomingMessage["headers"]): Answer {
  const scenario = scenarioOf(body.model);
  const messages = body.messages ?? [];
  const lastBlocks = blocks(messages[messages.length - 1]);
  const toolResult = lastBlocks.find((b) => b.type === "tool_result");
  // A turn that ends with the user's words (after any tool results) asks anew: call the tool.
  const asksAnew = lastBlocks.at(-1)?.type === "text";
  if (scenario === "tool-call" && (!toolResult || asksAnew) && body.tools?.length) {
    return {
      content: [
        { type: "text", text: ANTHROPIC_TOOL_PREAMBLE },
        { type: "tool_use", id: ANTHROPIC_TOOL_ID, name: body.tools[0]?.name, input: ANTHROPIC_TOOL_INPUT },
      ],
      stopReason: "tool_use",
      stopSequence: null,
    };
  }
  let text: string;
  if (scenario === "inspect") text = JSON.stringify({ path, headers, body });
  else if (scenario === "chunks-16") text = CHUNKS_16_TEXT;
  else if (toolResult) text = `The tool said: ${String(toolResult.content)}`;
  else text = `Hello from Claude! You said: ${lastUserText(messages)}`;
  let stopReason = "end_turn";
  let stopSequence: string | null = null;
  // The echoed request holds the stop sequences and may be long: only real answers are cut.
  if (scenario === "inspect") return { content: [{ type: "text", text }], stopReason, stopSequence };
  for (const s of body.stop_sequences ?? []) {
    if (!text.includes(s)) continue;
    text = text.slice(0, text.indexOf(s));
    stopReason = "stop_sequence";
    stopSequence = s;
  }
  const max = body.max_tokens ?? 0;
  if (words(text).length > max) {
    text = words(text).slice(0, max).join("");
    stopReason = "max_tokens";
  }
  return { content: [{ type: "text", text }], stopReason, stopSequence };
}

const frame = (data: { type: string; [k: string]: unknown }) =>
  `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;

function streamFrames(model: string, a: Answer, scenario: string): string[] {
  const { output_tokens: _, ...inputUsage } = ANTHROPIC_USAGE;
  const start = frame({
    type: "message_start",
    message: {
      id: ANTHROPIC_MESSAGE_ID,
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...inputUsage, output_tokens: 1 },
    },
  });
  const body: string[] = [];
  a.content.forEach((b, index) => {
    if (b.type === "text") {
      body.push(frame({ type: "content_block_start", index, content_block: { type: "text", text: "" } }));
      if (index === 0) body.push(frame({ type: "ping" }));
      for (const w of words(b.text ?? "")) {
        body.push(frame({ type: "content_block_delta", index, delta: { type: "text_delta", text: w } }));
      }
    } else {
      body.push(
        frame({
          type: "content_block_start",
          index,
          content_block: { type: "tool_use", id: b.id, name: b.name, input: {} },
        }),
      );
      for (const partial_json of ANTHROPIC_TOOL_JSON_PIECES) {
        body.push(
          frame({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } }),
        );
      }
    }
    body.push(frame({ type: "content_block_stop", index }));
  });
  if (scenario === "slow-stream") return [start, ...body.slice(0, 2), ...Array(100).fill(body[2])];
  if (scenario === "cut-stream") return [start, ...body.slice(0, 4)];
  if (scenario === "error-event") {
    return [
      start,
      ...body.slice(0, 3),
      frame({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
    ];
  }
  return [
    start,
    ...body,
    frame({
      type: "message_delta",
      delta: { stop_reason: a.stopReason, stop_sequence: a.stopSequence },
      usage: { output_tokens: ANTHROPIC_USAGE.output_tokens },
    }),
    frame({ type: "message_stop" }),
  ];
}

export async function handleAnthropic(req: IncomingMessage, res: ServerResponse, path: string) {
  const body = (await readBody(req)) as Body;
  const record = {
    path,
    model: body.model ?? "",
    headers: req.headers,
    body,
    raw: rawBodies.get(req),
    aborted: false,
  };
  requestLog.push(record);
  res.on("close", () => {
    if (!res.writableFinished) record.aborted = true;
  });
  if (req.headers["x-api-key"] !== ANTHROPIC_TEST_KEY) {
    return sendJson(res, 401, errorBody(401, "invalid x-api-key"));
  }
  if (!req.headers["anthropic-version"]) {
    return sendJson(res, 400, errorBody(400, "anthropic-version: header is required"));
  }
  const scenario = scenarioOf(body.model);
  if (commonScenario(scenario, res, errorBody)) return;
  // Counting: a fixed rule the tests can check (a token per 4 characters of the messages' JSON).
  if (path.endsWith("/count_tokens")) {
    return sendJson(res, 200, { input_tokens: Math.ceil(JSON.stringify(body.messages ?? []).length / 4) });
  }
  const problem = invalid(body);
  if (problem) return sendJson(res, 400, errorBody(400, problem));
  if (await replayFixture(res, "anthropic", body.model, body.stream === true, errorBody)) return;

  const a = answer(body, path, req.headers);
  if (body.stream) {
    const pause = framePause(scenario, scenario === "slow-stream" ? 50 : 1);
    return writeEvents(res, streamFrames(body.model ?? "", a, scenario), pause);
  }
  sendJson(res, 200, {
    id: ANTHROPIC_MESSAGE_ID,
    type: "message",
    role: "assistant",
    model: body.model,
    content: a.content,
    stop_reason: a.stopReason,
    stop_sequence: a.stopSequence,
    usage: { ...ANTHROPIC_USAGE, service_tier: "standard" },
  });
}
