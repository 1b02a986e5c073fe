import type { ServerResponse } from "node:http";
import { sendJson } from "./scenario.ts";

/**
 * Embeddings as OpenAI's `POST /v1/embeddings` and Gemini's `:batchEmbedContents` answer them, in
 * the shape of the recorded fixtures (test/fixtures/openai/embeddings-*.json,
 * test/fixtures/gemini/batch-embed.json), with vectors computed from each input so any request
 * gets an answer: the same item always gives the same unit vector (float32 values, as vendors'
 * are). Scenarios by model name (besides scenario.ts's common ones and `fixture-<name>`):
 * - `reversed` (OpenAI): `data` in reverse order, each item keeping its `index`;
 * - `no-usage` (OpenAI): no `usage`, like some compatible hosts.
 * @see https://platform.openai.com/docs/api-reference/embeddings/create
 * @see https://ai.google.dev/api/embeddings#method:-models.batchembedcontents
 */

export const OPENAI_EMBEDDING_DIMENSIONS = 1536;
export const GEMINI_EMBEDDING_DIMENSIONS = 3072;

/** The vector the mock vendors give an item: an LCG seeded by an FNV-1a hash, scaled to length 1. */
export function upstreamVector(item: string | number[], dimensions: number): number[] {
  const text = typeof item === "string" ? item : `tokens:${item.join(",")}`;
  let seed = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 0x01000193);
  const raw: number[] = [];
  for (let i = 0; i < dimensions; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    raw.push(seed / 0x80000000 - 1);
  }
  const norm = Math.hypot(...raw);
  return raw.map((x) => Math.fround(x / norm));
}

/** The mock's own token count: a word is a token, plus one (never the gateway's estimate). */
export const upstreamTokens = (item: string | number[]): number =>
  typeof item === "string" ? item.split(/\s+/).filter(Boolean).length + 1 : item.length;

const base64Of = (vector: number[]) => Buffer.from(new Float32Array(vector).buffer).toString("base64");

type OpenAIBody = {
  model?: string;
  input?: unknown;
  encoding_format?: string;
  dimensions?: number;
};

/** What the real API says about a field it does not know. */
const OPENAI_FIELDS = ["model", "input", "encoding_format", "dimensions", "user"];

/** OpenAI's items of `input`: a text, texts, one token array, or token arrays. */
function openaiItems(input: unknown): (string | number[])[] | null {
  if (typeof input === "string") return [input];
  if (!Array.isArray(input)) return null;
  if (input.every((x) => typeof x === "number")) return input.length ? [input] : [];
  if (input.every((x) => typeof x === "string" || Array.isArray(x))) return input;
  return null;
}

/** `strict`: refuses unknown fields as api.openai.com does (compatible hosts mostly ignore them). */
export function answerOpenAIEmbeddings(
  res: ServerResponse,
  body: OpenAIBody,
  scenario: string,
  strict: boolean,
  errorBody: (status: number, message: string) => unknown,
) {
  const unknown = Object.keys(body).find((k) => !OPENAI_FIELDS.includes(k));
  if (strict && unknown) {
    return sendJson(res, 400, errorBody(400, `Unrecognized request argument supplied: ${unknown}`));
  }
  const items = openaiItems(body.input);
  if (!items || items.length === 0 || items.some((i) => i.length === 0)) {
    return sendJson(res, 400, errorBody(400, "'$.input' is invalid. Please check the API reference."));
  }
  if (items.length > 2048) {
    return sendJson(res, 400, errorBody(400, "'$.input' is invalid: at most 2048 inputs."));
  }
  const format = body.encoding_format ?? "float";
  if (format !== "float" && format !== "base64") {
    return sendJson(res, 400, errorBody(400, `Invalid value for 'encoding_format': '${format}'.`));
  }
  const dimensions = body.dimensions ?? OPENAI_EMBEDDING_DIMENSIONS;
  const data = items.map((item, index) => {
    const vector = upstreamVector(item, dimensions);
    return { object: "embedding", index, embedding: format === "base64" ? base64Of(vector) : vector };
  });
  if (scenario === "reversed") data.reverse();
  const tokens = items.reduce((n, item) => n + upstreamTokens(item), 0);
  sendJson(res, 200, {
    object: "list",
    data,
    model: body.model,
    ...(scenario === "no-usage" ? {} : { usage: { prompt_tokens: tokens, total_tokens: tokens } }),
  });
}

type GeminiEmbedBody = {
  requests?: {
    model?: string;
    content?: { parts?: { text?: string }[] };
    taskType?: string;
    outputDimensionality?: number;
  }[];
};

const GEMINI_REQUEST_FIELDS = ["model", "content", "taskType", "title", "outputDimensionality"];
const TASK_TYPES = [
  "TASK_TYPE_UNSPECIFIED",
  "RETRIEVAL_QUERY",
  "RETRIEVAL_DOCUMENT",
  "SEMANTIC_SIMILARITY",
  "CLASSIFICATION",
  "CLUSTERING",
  "QUESTION_ANSWERING",
  "FACT_VERIFICATION",
  "CODE_RETRIEVAL_QUERY",
];

/** What Google's API refuses in a batch, in its words; undefined when the batch is well formed. */
function geminiProblem(body: GeminiEmbedBody, model: string): string | undefined {
  const bad = Object.keys(body).find((k) => k !== "requests");
  if (bad) return `Invalid JSON payload received. Unknown name "${bad}": Cannot find field.`;
  const requests = body.requests ?? [];
  if (requests.length === 0) return "* BatchEmbedContentsRequest.requests: requests is not specified";
  if (requests.length > 100)
    return "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch";
  for (const [i, r] of requests.entries()) {
    const unknown = Object.keys(r).find((k) => !GEMINI_REQUEST_FIELDS.includes(k));
    if (unknown)
      return `Invalid JSON payload received. Unknown name "${unknown}" at 'requests[${i}]': Cannot find field.`;
    if (r.model !== `models/${model}`) {
      return `* BatchEmbedContentsRequest.requests[${i}].model: Model names in the batch must match the model in the URL (models/${model}).`;
    }
    if (!r.content?.parts?.length || r.content.parts.some((p) => typeof p.text !== "string")) {
      return `* BatchEmbedContentsRequest.requests[${i}].content.parts: must be text parts`;
    }
    if (r.taskType !== undefined && !TASK_TYPES.includes(r.taskType)) {
      return `Invalid value at 'requests[${i}].task_type' (type.googleapis.com/google.ai.generativelanguage.v1beta.TaskType), "${r.taskType}"`;
    }
  }
  return undefined;
}

export function answerGeminiEmbeddings(
  res: ServerResponse,
  received: unknown,
  model: string,
  errorBody: (status: number, message: string) => unknown,
) {
  const body = (received ?? {}) as GeminiEmbedBody;
  const problem = geminiProblem(body, model);
  if (problem) return sendJson(res, 400, errorBody(400, problem));
  const embeddings = (body.requests ?? []).map((r) => {
    const text = (r.content?.parts ?? []).map((p) => p.text).join("");
    // The task type changes Google's vectors; here it changes the seed.
    const item = r.taskType ? `${r.taskType}:${text}` : text;
    return { values: upstreamVector(item, r.outputDimensionality ?? GEMINI_EMBEDDING_DIMENSIONS) };
  });
  sendJson(res, 200, { embeddings });
}
