import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { replayFixture } from "./fixture-replay.ts";
import { OPENAI_TEST_KEY } from "./openai.ts";
import {
  CHUNKS_16_TEXT,
  commonScenario,
  flakyFailure,
  framePause,
  readBody,
  requestLog,
  scenarioOf,
  sendJson,
  words,
  writeEvents,
} from "./scenario.ts";

/**
 * OpenAI's Responses API at /openai/v1/responses, in its wire format: `POST /responses` (a
 * Response, or with `stream: true` its semantic events: `event: <type>` lines, a `sequence_number`
 * on each, no `[DONE]`), `POST /responses/input_tokens` and `/responses/compact`, and, for the
 * responses it stored (`store` not false, answers that completed or stopped short), `GET` and
 * `DELETE /responses/{id}` and `GET /responses/{id}/input_items`. `previous_response_id` is
 * resolved to the stored chain (an unknown one is OpenAI's 400); the `inspect` answer shows it.
 * State lives in this process, so ids are random and tests never share one.
 * @see https://platform.openai.com/docs/api-reference/responses
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */

/** The fixed usage of every built answer (fixtures carry their own). */
export const RESPONSES_USAGE = {
  input_tokens: 21,
  input_tokens_details: { cached_tokens: 4 },
  output_tokens: 8,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 29,
};
/** The `call_id` of the `tool-call` scenario's function call. */
export const RESPONSES_CALL_ID = "call_abc123";
export const RESPONSES_TOOL_ARGUMENTS = '{"location":"Paris"}';

type Item = Record<string, unknown> & { type?: string; id?: string; role?: string; content?: unknown };
type Body = Record<string, unknown> & {
  model?: string;
  input?: string | Item[];
  instructions?: string;
  tools?: { type?: string; name?: string }[];
  stream?: boolean;
  store?: boolean;
  previous_response_id?: string;
  max_output_tokens?: number;
  text?: { format?: { type?: string } };
};
interface Stored {
  response: Record<string, unknown>;
  /** Everything the response was generated from, oldest first: its chain's items, then its input. */
  context: Item[];
  events: object[];
}

const stored = new Map<string, Stored>();
const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const newId = (prefix: string) => `${prefix}_${hex(25)}`;

/** OpenAI's error body. @see https://platform.openai.com/docs/guides/error-codes */
export const responsesErrorBody = (
  status: number,
  message: string,
  code: string | null = null,
  param: string | null = null,
) => ({
  error: {
    message,
    type: status === 429 ? "tokens" : status >= 500 ? "server_error" : "invalid_request_error",
    param,
    code: code ?? (status === 429 ? "rate_limit_exceeded" : null),
  },
});

/** A request's input as items with ids, as OpenAI keeps them (a string is one user message). */
function inputItems(input: Body["input"]): Item[] {
  const items =
    typeof input === "string" ? [{ type: "message", role: "user", content: input }] : (input ?? []);
  return items.map((item) => {
    const type = item.type ?? "message";
    if (type !== "message") return { id: newId("item"), ...item, type };
    const text = item.role === "assistant" ? "output_text" : "input_text";
    const content = typeof item.content === "string" ? [{ type: text, text: item.content }] : item.content;
    return { id: newId("msg"), ...item, type, content };
  });
}

/** The stored context `previous_response_id` names, with its outputs; undefined when unknown. */
function chainOf(id: string | undefined): { ids: string[]; items: Item[] } | undefined {
  if (!id) return { ids: [], items: [] };
  const prev = stored.get(id);
  if (!prev) return undefined;
  const chain = chainOf(prev.response.previous_response_id as string | undefined) ?? { ids: [], items: [] };
  return { ids: [...chain.ids, id], items: [...prev.context, ...(prev.response.output as Item[])] };
}

const textOf = (item: Item | undefined): string =>
  typeof item?.content === "string"
    ? item.content
    : Array.isArray(item?.content)
      ? item.content.map((p: { text?: string }) => p.text ?? "").join("")
      : "";

/** What the model says; `context` is what it read: the chain's items, then `input`. */
function answer(
  body: Body,
  path: string,
  headers: IncomingMessage["headers"],
  chain: { ids: string[]; context: Item[]; input: Item[] },
) {
  const { input } = chain;
  const scenario = scenarioOf(body.model);
  const last = input.at(-1);
  const tool = body.tools?.find((t) => (t.type ?? "function") === "function" && t.name);
  if (scenario === "tool-call" && last?.role === "user" && tool) {
    return {
      call: { name: tool.name as string, arguments: RESPONSES_TOOL_ARGUMENTS },
      text: "",
      incomplete: false,
    };
  }
  let text: string;
  if (scenario === "inspect") {
    // The chain `previous_response_id` resolved to, and every item the answer was made from.
    const context = chain.context.map((i) => ({ type: i.type, role: i.role, text: textOf(i) }));
    text = JSON.stringify({ path, headers, body, previous: chain.ids, context });
  } else if (scenario === "chunks-16") text = CHUNKS_16_TEXT;
  else if (last?.type === "function_call_output") text = `The tool said: ${String(last.output)}`;
  else text = `Hello! You said: ${textOf([...input].reverse().find((i) => i.role === "user"))}`;
  const format = body.text?.format?.type;
  if (format === "json_object" || format === "json_schema") text = JSON.stringify({ answer: text });
  const max = body.max_output_tokens;
  const incomplete = max !== undefined && words(text).length > max;
  if (incomplete) text = words(text).slice(0, max).join("");
  return { call: undefined, text, incomplete };
}

function envelope(body: Body, id: string) {
  return {
    id,
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    status: "in_progress",
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: null,
    model: body.model,
    output: [] as Item[],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    prompt_cache_key: body.prompt_cache_key ?? null,
    reasoning: { effort: null, summary: null, ...(body.reasoning as object | undefined) },
    safety_identifier: null,
    service_tier: "default",
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: { type: "text" }, verbosity: "medium", ...body.text },
    tool_choice: body.tool_choice ?? "auto",
    tools: body.tools ?? [],
    top_logprobs: 0,
    top_p: body.top_p ?? 1,
    truncation: "disabled",
    usage: null as object | null,
    user: null,
    metadata: body.metadata ?? {},
  };
}

/** The stream of one answer, event by event, and the response it ends with. */
function streamOf(body: Body, a: ReturnType<typeof answer>, scenario: string) {
  const start = envelope(body, newId("resp"));
  const events: object[] = [];
  const ev = (type: string, fields: object) =>
    events.push({ type, sequence_number: events.length, ...fields });
  ev("response.created", { response: start });
  ev("response.in_progress", { response: start });
  let item: Item;
  if (a.call) {
    const id = newId("fc");
    const base = { id, type: "function_call", call_id: RESPONSES_CALL_ID, name: a.call.name };
    ev("response.output_item.added", {
      output_index: 0,
      item: { ...base, status: "in_progress", arguments: "" },
    });
    for (const delta of ['{"location":', '"Paris"}']) {
      ev("response.function_call_arguments.delta", {
        item_id: id,
        output_index: 0,
        delta,
        obfuscation: hex(4),
      });
    }
    ev("response.function_call_arguments.done", {
      item_id: id,
      output_index: 0,
      arguments: a.call.arguments,
    });
    item = { ...base, status: "completed", arguments: a.call.arguments };
  } else {
    const id = newId("msg");
    const at = { item_id: id, output_index: 0, content_index: 0 };
    const part = (text: string) => ({ type: "output_text", annotations: [], logprobs: [], text });
    const message = { id, type: "message", role: "assistant" };
    ev("response.output_item.added", {
      output_index: 0,
      item: { ...message, status: "in_progress", content: [] },
    });
    ev("response.content_part.added", { ...at, part: part("") });
    for (const delta of words(a.text)) {
      ev("response.output_text.delta", { ...at, delta, logprobs: [], obfuscation: hex(4) });
    }
    // A few events, then the end; or OpenAI's failure after a 200: `error`, then `response.failed`.
    if (scenario === "cut-stream") return { events: events.slice(0, 5), response: undefined };
    if (scenario === "error-event") {
      events.splice(5);
      const message = "The server had an error processing your request (key sk-proj-abcdefghijklmnop0123).";
      const error = { code: "server_error", message };
      ev("error", { error: { type: "server_error", ...error, param: null } });
      ev("response.failed", { response: { ...start, status: "failed", error } });
      return { events, response: undefined };
    }
    ev("response.output_text.done", { ...at, text: a.text, logprobs: [] });
    ev("response.content_part.done", { ...at, part: part(a.text) });
    item = { ...message, status: a.incomplete ? "incomplete" : "completed", content: [part(a.text)] };
  }
  ev("response.output_item.done", { output_index: 0, item });
  const response = {
    ...start,
    status: a.incomplete ? "incomplete" : "completed",
    incomplete_details: a.incomplete ? { reason: "max_output_tokens" } : null,
    output: [item],
    usage: RESPONSES_USAGE,
  };
  ev(a.incomplete ? "response.incomplete" : "response.completed", { response });
  return { events, response };
}

const frame = (e: object) => `event: ${(e as { type: string }).type}\ndata: ${JSON.stringify(e)}\n\n`;

async function create(req: IncomingMessage, res: ServerResponse, path: string, body: Body) {
  const chain = chainOf(body.previous_response_id);
  if (!chain) {
    const message = `Previous response with id '${body.previous_response_id}' not found.`;
    const error = responsesErrorBody(400, message, "previous_response_not_found", "previous_response_id");
    return sendJson(res, 400, error);
  }
  const input = inputItems(body.input);
  const context = [...chain.items, ...input];
  if (path.endsWith("/input_tokens")) {
    // A fixed rule the tests can check: a token per 4 characters of what the model would read.
    const read = JSON.stringify({ instructions: body.instructions, context, tools: body.tools });
    return sendJson(res, 200, { object: "response.input_tokens", input_tokens: Math.ceil(read.length / 4) });
  }
  if (path.endsWith("/compact")) {
    const users = context.filter((i) => i.type === "message" && i.role === "user");
    const dropped = context.length - users.length;
    const compaction = {
      id: newId("cmp"),
      type: "compaction",
      encrypted_content: Buffer.from(`compacted ${dropped} item(s)`).toString("base64"),
    };
    return sendJson(res, 200, {
      id: newId("resp"),
      object: "response.compaction",
      created_at: Math.floor(Date.now() / 1000),
      output: [...users, compaction],
      usage: RESPONSES_USAGE,
    });
  }
  const scenario = scenarioOf(body.model);
  const a = answer(body, path, req.headers, { ids: chain.ids, context, input });
  // Stream scenarios shape streams only: a whole answer is whole.
  const { events, response } = streamOf(body, a, body.stream ? scenario : "");
  if (response && body.store !== false) stored.set(response.id, { response, context, events });
  if (!body.stream) return sendJson(res, 200, response);
  if (scenario === "stall-stream") {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(events.slice(0, 2).map(frame).join(""));
    return;
  }
  const frames = events.map(frame);
  const slow = scenario === "slow-stream";
  return writeEvents(
    res,
    slow ? [...frames.slice(0, 4), ...Array(100).fill(frames[4])] : frames,
    framePause(scenario, slow ? 50 : 1),
  );
}

/** GET/DELETE /responses/{id}, GET /responses/{id}/input_items. */
function read(req: IncomingMessage, res: ServerResponse, url: URL, id: string, items: boolean) {
  const entry = stored.get(id);
  if (!entry) return sendJson(res, 404, responsesErrorBody(404, `Response with id '${id}' not found.`));
  if (req.method === "DELETE") {
    stored.delete(id);
    return sendJson(res, 200, { id, object: "response", deleted: true });
  }
  if (!items) {
    if (url.searchParams.get("stream") !== "true") return sendJson(res, 200, entry.response);
    const after = Number(url.searchParams.get("starting_after") ?? -1);
    const events = entry.events.filter((e) => (e as { sequence_number: number }).sequence_number > after);
    return writeEvents(res, events.map(frame), 1);
  }
  const order = url.searchParams.get("order") ?? "desc";
  const all = order === "asc" ? entry.context : [...entry.context].reverse();
  const after = url.searchParams.get("after");
  const from = after ? all.findIndex((i) => i.id === after) + 1 : 0;
  const limit = Math.min(Math.max(Number(url.searchParams.get("limit") ?? 20), 1), 100);
  const data = all.slice(from, from + limit);
  return sendJson(res, 200, {
    object: "list",
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: from + limit < all.length,
  });
}

export async function handleOpenAIResponses(req: IncomingMessage, res: ServerResponse, url: URL) {
  const path = url.pathname;
  const post = req.method === "POST";
  const body = (post ? await readBody(req) : {}) as Body;
  const id = /^\/openai\/v1\/responses\/([^/]+)(\/input_items)?$/.exec(path);
  const named = id?.[1] !== "input_tokens" && id?.[1] !== "compact" ? id : null;
  const model = post ? (body.model ?? "") : ((stored.get(named?.[1] ?? "")?.response.model as string) ?? "");
  const record = {
    path,
    at: Date.now(),
    model,
    headers: req.headers,
    body: post ? body : null,
    aborted: false,
  };
  requestLog.push(record);
  res.on("close", () => {
    if (!res.writableFinished) record.aborted = true;
  });
  if (req.headers.authorization !== `Bearer ${OPENAI_TEST_KEY}`) {
    const message =
      "Incorrect API key provided: sk-wrong***. You can find your API key at https://platform.openai.com/account/api-keys.";
    return sendJson(res, 401, responsesErrorBody(401, message, "invalid_api_key"));
  }
  if (!post) {
    if (!named || (req.method !== "GET" && req.method !== "DELETE") || (named[2] && req.method !== "GET")) {
      return sendJson(res, 404, responsesErrorBody(404, `mock: no route ${req.method} ${path}`));
    }
    return read(req, res, url, named[1] as string, Boolean(named[2]));
  }
  if (named) return sendJson(res, 404, responsesErrorBody(404, `mock: no route POST ${path}`));
  const scenario = scenarioOf(body.model);
  if (flakyFailure(body.model ?? "", res, responsesErrorBody)) return;
  if (commonScenario(scenario, res, responsesErrorBody)) return;
  if (await replayFixture(res, "openai-responses", body.model, body.stream === true, responsesErrorBody))
    return;
  return create(req, res, path, body);
}
