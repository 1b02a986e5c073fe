import type { IncomingMessage, ServerResponse } from "node:http";
import { answerOpenAIEmbeddings } from "./embeddings.ts";
import { replayFixture } from "./fixture-replay.ts";
import {
  CHUNKS_16_TEXT,
  commonScenario,
  flakyFailure,
  framePause,
  lastUserText,
  readBody,
  requestLog,
  scenarioOf,
  sendJson,
  WRITTEN_AT,
  words,
  writeEvents,
} from "./scenario.ts";

/**
 * OpenAI's Chat Completions, Images and embeddings wire format (also served keyless under /compat
 * for the `openai-compatible` vendor kind; embeddings: embeddings.ts).
 * @see https://platform.openai.com/docs/api-reference/chat
 */

export const OPENAI_TEST_KEY = "test-openai-key";
export const OPENAI_USAGE = {
  prompt_tokens: 21,
  completion_tokens: 8,
  total_tokens: 29,
  prompt_tokens_details: { cached_tokens: 4, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
};
/** A 1×1 transparent PNG. */
export const TINY_PNG_B64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

const errorBody = (status: number, message: string) => ({
  error: {
    message,
    type: status === 429 ? "rate_limit_exceeded" : "invalid_request_error",
    param: null,
    code: null,
  },
});

type Body = {
  model?: string;
  messages?: { role: string; content: unknown }[];
  tools?: { function: { name: string } }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  response_format?: { type: string };
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string | string[];
  n?: number;
};

function answer(body: Body, path: string, headers: IncomingMessage["headers"]) {
  const scenario = scenarioOf(body.model);
  const messages = body.messages ?? [];
  const last = messages[messages.length - 1];
  if (scenario === "tool-call" && last?.role === "user" && body.tools?.length) {
    return {
      content: null,
      toolCalls: [
        {
          id: "call_abc123",
          type: "function",
          function: { name: body.tools[0]?.function.name, arguments: '{"location":"Paris"}' },
        },
      ],
      finish: "tool_calls",
    };
  }
  let content: string;
  if (scenario === "inspect") content = JSON.stringify({ path, headers, body });
  else if (scenario === "chunks-16" || scenario === "paced-16") content = CHUNKS_16_TEXT;
  else if (last?.role === "tool") content = `The tool said: ${String(last.content)}`;
  else {
    const images = Array.isArray(last?.content)
      ? last.content.filter((p: { type?: string }) => p.type === "image_url").length
      : 0;
    content = `Hello! You said: ${lastUserText(messages)}${images ? ` [${images} image(s)]` : ""}`;
  }
  if (body.response_format?.type === "json_object" || body.response_format?.type === "json_schema") {
    content = JSON.stringify({ answer: content });
  }
  let finish = "stop";
  const stops = typeof body.stop === "string" ? [body.stop] : (body.stop ?? []);
  for (const s of stops) if (content.includes(s)) content = content.slice(0, content.indexOf(s));
  const max = body.max_completion_tokens ?? body.max_tokens;
  if (max !== undefined && words(content).length > max) {
    content = words(content).slice(0, max).join("");
    finish = "length";
  }
  return { content, toolCalls: undefined, finish };
}

const base = (model: string) => ({
  id: "chatcmpl-mock123",
  created: 1732612345,
  model,
  system_fingerprint: "fp_mock",
});

export function openaiStreamFrames(body: Body, a: ReturnType<typeof answer>, scenario: string): string[] {
  const includeUsage = body.stream_options?.include_usage === true;
  // `paced-16`: each chunk's write time (writeEvents' stamp), a field readers may ignore.
  const stamp = scenario === "paced-16" ? { [WRITTEN_AT]: 0 } : {};
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({
      ...base(body.model ?? ""),
      object: "chat.completion.chunk",
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
      ...stamp,
    })}\n\n`;
  const frames = [chunk({ role: "assistant", content: "", refusal: null })];
  if (a.toolCalls) {
    const t = a.toolCalls[0] as { id: string; function: { name: string; arguments: string } };
    frames.push(
      chunk({
        tool_calls: [
          { index: 0, id: t.id, type: "function", function: { name: t.function.name, arguments: "" } },
        ],
      }),
    );
    frames.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }));
    frames.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }));
  } else {
    for (const w of words(a.content ?? "")) frames.push(chunk({ content: w }));
  }
  if (scenario === "cut-stream") return frames.slice(0, 3);
  if (scenario === "error-event") {
    return [
      ...frames.slice(0, 3),
      `data: ${JSON.stringify(errorBody(500, "The server had an error (key sk-proj-abcdefghijklmnop0123)"))}\n\n`,
    ];
  }
  frames.push(chunk({}, a.finish));
  if (includeUsage) {
    frames.push(
      `data: ${JSON.stringify({ ...base(body.model ?? ""), object: "chat.completion.chunk", choices: [], usage: OPENAI_USAGE, ...stamp })}\n\n`,
    );
  }
  frames.push("data: [DONE]\n\n");
  return frames;
}

export async function handleOpenAI(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  keyless: boolean,
) {
  const body = (await readBody(req)) as Body;
  const record = {
    path,
    at: Date.now(),
    model: body.model ?? "",
    headers: req.headers,
    body,
    aborted: false,
  };
  requestLog.push(record);
  res.on("close", () => {
    if (!res.writableFinished) record.aborted = true;
  });
  if (!keyless && req.headers.authorization !== `Bearer ${OPENAI_TEST_KEY}`) {
    return sendJson(res, 401, errorBody(401, "Incorrect API key provided: sk-wrong***"));
  }
  const scenario = scenarioOf(body.model);
  if (flakyFailure(body.model ?? "", res, errorBody)) return;
  if (commonScenario(scenario, res, errorBody)) return;
  if (await replayFixture(res, "openai", body.model, body.stream === true, errorBody)) return;

  if (path.endsWith("/embeddings")) return answerOpenAIEmbeddings(res, body, scenario, !keyless, errorBody);

  if (path.endsWith("/images/generations")) {
    const n = body.n ?? 1;
    return sendJson(res, 200, {
      created: 1732612345,
      data: Array.from({ length: n }, () => ({ b64_json: TINY_PNG_B64, revised_prompt: "a revised prompt" })),
      usage: { input_tokens: 12, output_tokens: 1056, total_tokens: 1068 },
    });
  }

  const a = answer(body, path, req.headers);
  if (body.stream) {
    const frames = openaiStreamFrames(body, a, scenario);
    if (scenario === "stall-stream") {
      // Two events, then silence with the connection open, like a reasoning model thinking.
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(frames.slice(0, 2).join(""));
      return;
    }
    return writeEvents(
      res,
      scenario === "slow-stream" ? Array(100).fill(frames[1]) : frames,
      framePause(scenario, scenario === "slow-stream" ? 50 : 1),
      scenario === "paced-16",
    );
  }
  sendJson(res, 200, {
    ...base(body.model ?? ""),
    object: "chat.completion",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: a.content,
          refusal: null,
          annotations: [],
          ...(a.toolCalls ? { tool_calls: a.toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: a.finish,
      },
    ],
    usage: OPENAI_USAGE,
    service_tier: "default",
  });
}
