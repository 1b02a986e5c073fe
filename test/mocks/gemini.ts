import type { IncomingMessage, ServerResponse } from "node:http";
import { answerGeminiEmbeddings } from "./embeddings.ts";
import { replayFixture } from "./fixture-replay.ts";
import { TINY_PNG_B64 } from "./openai.ts";
import {
  commonScenario,
  readBody,
  requestLog,
  scenarioOf,
  sendJson,
  words,
  writeEvents,
} from "./scenario.ts";

/**
 * Google's Gemini API wire format: `POST /v1beta/models/<model>:generateContent`,
 * `:streamGenerateContent?alt=sse` (SSE framed with CRLF, as Google sends it; no `[DONE]`) and
 * `:batchEmbedContents` (embeddings.ts).
 * Besides the common scenarios (scenario.ts): `safety` (answer stopped by SAFETY), `blocked`
 * (prompt blocked, no candidates), `thinking` (a thought part before the answer), `parallel-tools`
 * (two calls, the second with an id), `no-image` (an image model answering text only).
 * Unknown fields are refused with Google's 400, as the real API's proto parsing does.
 * @see https://ai.google.dev/api/generate-content
 */

export const GEMINI_TEST_KEY = "test-gemini-key";
export const GEMINI_USAGE = {
  promptTokenCount: 30,
  candidatesTokenCount: 10,
  thoughtsTokenCount: 2,
  cachedContentTokenCount: 6,
  totalTokenCount: 42,
  promptTokensDetails: [{ modality: "TEXT", tokenCount: 30 }],
  cacheTokensDetails: [{ modality: "TEXT", tokenCount: 6 }],
};
export const GEMINI_IMAGE_USAGE = {
  promptTokenCount: 8,
  candidatesTokenCount: 1290,
  totalTokenCount: 1298,
  candidatesTokensDetails: [{ modality: "IMAGE", tokenCount: 1290 }],
};

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

const errorBody = (status: number, message: string, details?: unknown[]) => ({
  error: {
    code: status,
    message,
    status: STATUS_NAMES[status] ?? "UNKNOWN",
    ...(details ? { details } : {}),
  },
});

type Part = {
  text?: string;
  inlineData?: { mimeType: string; data: string };
  functionCall?: { name: string; args: unknown };
  functionResponse?: { name: string; response: unknown };
};
type Body = {
  contents?: { role?: string; parts?: Part[] }[];
  systemInstruction?: unknown;
  generationConfig?: {
    maxOutputTokens?: number;
    stopSequences?: string[];
    responseMimeType?: string;
    responseModalities?: string[];
  };
  tools?: { functionDeclarations?: { name: string }[] }[];
};

const KNOWN = {
  body: ["contents", "systemInstruction", "generationConfig", "tools", "toolConfig", "safetySettings"],
  content: ["role", "parts"],
  part: ["text", "inlineData", "functionCall", "functionResponse", "thought", "thoughtSignature", "fileData"],
  generationConfig: [
    "temperature",
    "topP",
    "topK",
    "maxOutputTokens",
    "stopSequences",
    "seed",
    "presencePenalty",
    "frequencyPenalty",
    "responseMimeType",
    "responseJsonSchema",
    "responseSchema",
    "responseModalities",
    "imageConfig",
    "candidateCount",
    "thinkingConfig",
  ],
};

/** What Google's proto JSON parser says about the first field it does not know, if any. */
function unknownField(body: Body): string | undefined {
  const check = (obj: unknown, known: string[], at: string) => {
    if (!obj || typeof obj !== "object") return undefined;
    const bad = Object.keys(obj).find((k) => !known.includes(k));
    return bad
      ? `Invalid JSON payload received. Unknown name "${bad}" at '${at}': Cannot find field.`
      : undefined;
  };
  let problem = check(body, KNOWN.body, "");
  problem ??= check(body.generationConfig, KNOWN.generationConfig, "generation_config");
  for (const [i, c] of (body.contents ?? []).entries()) {
    problem ??= check(c, KNOWN.content, `contents[${i}]`);
    if (!c.parts?.length)
      problem ??= `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`;
    for (const p of c.parts ?? []) problem ??= check(p, KNOWN.part, `contents[${i}].parts`);
  }
  if (!body.contents?.length) problem ??= "* GenerateContentRequest.contents: contents is not specified";
  return problem;
}

function lastTurnText(body: Body): { text: string; images: number; toolResult?: unknown } {
  const last = body.contents?.[body.contents.length - 1];
  const parts = last?.parts ?? [];
  const result = parts.find((p) => p.functionResponse)?.functionResponse;
  // A turn that ends with the user's words (after any tool results) asks anew: no tool result.
  const asksAnew = typeof parts.at(-1)?.text === "string";
  return {
    text: parts.map((p) => p.text ?? "").join(""),
    images: parts.filter((p) => p.inlineData).length,
    ...(result && !asksAnew ? { toolResult: result } : {}),
  };
}

interface Answer {
  parts: Record<string, unknown>[];
  finishReason: string;
}

function answer(body: Body, model: string, seen: unknown): Answer {
  const scenario = scenarioOf(model);
  const last = lastTurnText(body);
  const tool = body.tools?.[0]?.functionDeclarations?.[0]?.name;
  if ((scenario === "tool-call" || scenario === "parallel-tools") && tool && !last.toolResult) {
    const parts: Record<string, unknown>[] = [
      { functionCall: { name: tool, args: { location: "Paris" } }, thoughtSignature: "c2lnbmF0dXJl" },
    ];
    if (scenario === "parallel-tools")
      parts.push({ functionCall: { id: "fc-tokyo", name: tool, args: { location: "Tokyo" } } });
    return { parts, finishReason: "STOP" };
  }
  if (scenario === "safety") return { parts: [], finishReason: "SAFETY" };
  let text: string;
  if (scenario === "inspect") text = JSON.stringify(seen);
  else if (last.toolResult) text = `The tool said: ${JSON.stringify(last.toolResult)}`;
  else text = `Hello from Gemini! You said: ${last.text}${last.images ? ` [${last.images} image(s)]` : ""}`;
  const config = body.generationConfig ?? {};
  if (config.responseMimeType === "application/json") text = JSON.stringify({ answer: text });
  let finishReason = "STOP";
  // An inspect answer echoes the stop sequences themselves; it is never cut.
  const limits = scenario === "inspect" ? {} : config;
  for (const s of limits.stopSequences ?? []) if (text.includes(s)) text = text.slice(0, text.indexOf(s));
  if (limits.maxOutputTokens !== undefined && words(text).length > limits.maxOutputTokens) {
    text = words(text).slice(0, limits.maxOutputTokens).join("");
    finishReason = "MAX_TOKENS";
  }
  const parts: Record<string, unknown>[] = [{ text }];
  if (scenario === "thinking") parts.unshift({ text: "Let me think about this.", thought: true });
  return { parts, finishReason };
}

const response = (model: string, candidate: object | null, usage: object) => ({
  ...(candidate ? { candidates: [{ ...candidate, index: 0 }] } : {}),
  usageMetadata: usage,
  modelVersion: model,
  responseId: "mock-gemini-response",
});

/** The stream: one event per word (thoughts first), the last one with the finish reason and usage. */
function streamFrames(model: string, a: Answer, scenario: string): string[] {
  const frame = (obj: object) => `data: ${JSON.stringify(obj)}\r\n\r\n`;
  const partial = { promptTokenCount: 30, totalTokenCount: 30 };
  const pieces: Record<string, unknown>[][] = [];
  for (const part of a.parts) {
    if (typeof part.text === "string" && !part.thought)
      pieces.push(...words(part.text).map((w) => [{ text: w }]));
    else pieces.push([part]);
  }
  if (pieces.length === 0) pieces.push([]);
  const frames = pieces.map((parts, i) =>
    frame(
      response(
        model,
        {
          content: { parts, role: "model" },
          ...(i === pieces.length - 1 ? { finishReason: a.finishReason } : {}),
        },
        i === pieces.length - 1 ? GEMINI_USAGE : partial,
      ),
    ),
  );
  if (scenario === "cut-stream") return frames.slice(0, 2);
  if (scenario === "error-event") {
    return [
      ...frames.slice(0, 2),
      frame(errorBody(500, "An internal error has occurred (key sk-proj-abcdefghijklmnop0123)")),
    ];
  }
  return frames;
}

function checkKey(req: IncomingMessage, res: ServerResponse): boolean {
  const key = req.headers["x-goog-api-key"];
  if (key === GEMINI_TEST_KEY) return true;
  if (key === undefined) {
    sendJson(
      res,
      403,
      errorBody(
        403,
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      ),
    );
  } else {
    sendJson(
      res,
      400,
      errorBody(400, "API key not valid. Please pass a valid API key.", [
        {
          "@type": "type.googleapis.com/google.rpc.ErrorInfo",
          reason: "API_KEY_INVALID",
          domain: "googleapis.com",
        },
      ]),
    );
  }
  return false;
}

export async function handleGemini(req: IncomingMessage, res: ServerResponse, url: URL) {
  const match =
    /^\/gemini\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/.exec(
      url.pathname,
    );
  const body = (await readBody(req)) as Body;
  const model = decodeURIComponent(match?.[1] ?? "");
  const path = url.pathname + url.search;
  const record = { path, model, headers: req.headers, body, aborted: false };
  requestLog.push(record);
  res.on("close", () => {
    if (!res.writableFinished) record.aborted = true;
  });
  if (!match)
    return sendJson(res, 404, errorBody(404, `models/${model} is not found for API version v1beta`));
  if (!checkKey(req, res)) return;
  const scenario = scenarioOf(model);
  if (commonScenario(scenario, res, errorBody)) return;
  if (match[2] === "batchEmbedContents") {
    if (await replayFixture(res, "gemini", model, false, errorBody)) return;
    return answerGeminiEmbeddings(res, body, model, errorBody);
  }
  const problem = unknownField(body);
  if (problem) return sendJson(res, 400, errorBody(400, problem));
  const stream = match[2] === "streamGenerateContent";
  if (stream && url.searchParams.get("alt") !== "sse") {
    return sendJson(res, 400, errorBody(400, "mock: only alt=sse streams are imitated"));
  }
  if (await replayFixture(res, "gemini", model, stream, errorBody)) return;

  if (body.generationConfig?.responseModalities?.includes("IMAGE")) {
    const parts =
      scenario === "no-image"
        ? [{ text: "I would rather describe it: a cat." }]
        : [{ text: "Here is your image." }, { inlineData: { mimeType: "image/png", data: TINY_PNG_B64 } }];
    return sendJson(
      res,
      200,
      response(model, { content: { parts, role: "model" }, finishReason: "STOP" }, GEMINI_IMAGE_USAGE),
    );
  }

  if (scenario === "blocked") {
    const blocked = { ...response(model, null, { promptTokenCount: 30, totalTokenCount: 30 }) };
    const withFeedback = { promptFeedback: { blockReason: "SAFETY" }, ...blocked };
    if (stream) return writeEvents(res, [`data: ${JSON.stringify(withFeedback)}\r\n\r\n`]);
    return sendJson(res, 200, withFeedback);
  }

  const a = answer(body, model, { path, headers: req.headers, body });
  if (stream) {
    const frames = streamFrames(model, a, scenario);
    return writeEvents(
      res,
      scenario === "slow-stream" ? Array(100).fill(frames[0]) : frames,
      scenario === "slow-stream" ? 50 : 1,
    );
  }
  const content = a.parts.length ? { content: { parts: a.parts, role: "model" } } : {};
  sendJson(res, 200, response(model, { ...content, finishReason: a.finishReason }, GEMINI_USAGE));
}
