import type { ChatMessage, ChatRequest, ContentPart, ToolChoice } from "../../chat/types";
import { invalidRequest } from "../../errors/gateway-error";
import { geminiThinkingConfig } from "./thinking";

/**
 * The neutral request as a Gemini generateContent body.
 * @see https://ai.google.dev/api/generate-content#request-body
 */

type GeminiRequestPart = Record<string, unknown>;
interface GeminiContent {
  role: "user" | "model";
  parts: GeminiRequestPart[];
}

/**
 * Image types Gemini reads inline; anything else is refused here rather than by a vendor 400.
 * @see https://ai.google.dev/gemini-api/docs/image-understanding#supported-formats
 */
const GEMINI_IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/webp", "image/heic", "image/heif"]);

/**
 * Gemini 3 refuses a replayed function call without the `thoughtSignature` it came with, and the
 * OpenAI format has nowhere to keep one; Google documents this value for history it did not sign.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
const UNSIGNED_THOUGHT = "skip_thought_signature_validator";

function imagePart(part: Extract<ContentPart, { type: "image" }>, param: string): GeminiRequestPart {
  // The Gemini API does not fetch URLs from the web: images go inline, as base64. The pipeline
  // fetches URL images before this (needsInlineImages); one that reaches here was not fetched.
  // @see https://ai.google.dev/api/caching#Blob
  if (part.source.kind === "url") {
    throw invalidRequest(
      "unsupported_image",
      "Gemini cannot fetch image URLs; send images to Gemini as data URLs (data:image/png;base64,...).",
      part.source.param ?? param,
    );
  }
  if (!GEMINI_IMAGE_TYPES.has(part.source.mediaType)) {
    throw invalidRequest(
      "unsupported_image",
      `Gemini does not read ${part.source.mediaType} images; use PNG, JPEG, WebP, HEIC or HEIF.`,
      param,
    );
  }
  return { inlineData: { mimeType: part.source.mediaType, data: part.source.data } };
}

/**
 * A PDF as inline data: Gemini reads PDFs (text and page images) up to its request size. Gemini
 * fetches no URLs here and the gateway fetches nothing for a client, so URL PDFs are refused.
 * Gemini's Blob has no file name: a document's title does not reach it.
 * @see https://ai.google.dev/gemini-api/docs/document-processing
 */
function filePart(part: Extract<ContentPart, { type: "file" }>, param: string): GeminiRequestPart {
  if (part.mediaType !== "application/pdf") {
    throw invalidRequest("unsupported_document", "Gemini reads only PDF documents as files.", param);
  }
  if (part.source.kind === "url") {
    throw invalidRequest(
      "unsupported_document",
      "Gemini cannot fetch document URLs; send PDFs to Gemini as base64 data.",
      `${param}.source`,
    );
  }
  return { inlineData: { mimeType: "application/pdf", data: part.source.data } };
}

function parseArguments(text: string, param: string): Record<string, unknown> {
  // Clients send "" for a call without arguments; Gemini wants an object either way.
  if (text.trim() === "") return {};
  let args: unknown;
  try {
    args = JSON.parse(text);
  } catch {
    throw invalidRequest("invalid_tool_arguments", "Tool call arguments must be a JSON object.", param);
  }
  if (!isObject(args)) {
    throw invalidRequest("invalid_tool_arguments", "Tool call arguments must be a JSON object.", param);
  }
  return args;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The name of the function a tool result answers: Gemini matches results to calls by name. */
function toolNameFor(messages: ChatMessage[], i: number, id: string): string {
  // Backwards, so the latest call wins when ids repeat across turns (Gemini's `call_<n>` ids do).
  for (let j = i - 1; j >= 0; j--) {
    const m = messages[j] as ChatMessage;
    if (m.role !== "assistant") continue;
    const call = m.toolCalls?.find((t) => t.id === id);
    if (call) return call.name;
  }
  throw invalidRequest(
    "unknown_tool_call_id",
    `No earlier assistant tool call has the id \`${id}\`.`,
    `messages.${i}.tool_call_id`,
  );
}

/** A tool result as `functionResponse.response`, which must be a JSON object. */
function toolResponse(content: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(content);
    if (isObject(parsed)) return parsed;
  } catch {
    // Plain text: wrapped below.
  }
  return { content };
}

/** Turns and the system instruction. Consecutive turns of one role are merged into one. */
export function toGeminiContents(messages: ChatMessage[]): {
  contents: GeminiContent[];
  system: string[];
} {
  const contents: GeminiContent[] = [];
  const system: string[] = [];
  // Gemini wants user and model turns to alternate, so a turn of the same role as the last one
  // (two user messages, or tool results then a user message) is appended to it.
  // @see https://ai.google.dev/api/generate-content#request-body (contents)
  const push = (role: GeminiContent["role"], parts: GeminiRequestPart[]) => {
    if (parts.length === 0) return; // Gemini refuses a turn without parts.
    const last = contents[contents.length - 1];
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  messages.forEach((m, i) => {
    switch (m.role) {
      case "system":
        // Gemini has one system instruction, outside the turns; every system message goes there.
        // @see https://ai.google.dev/gemini-api/docs/text-generation#system-instructions
        if (m.content !== "") system.push(m.content);
        return;
      case "user":
        push(
          "user",
          m.content.flatMap((p, j) => {
            if (p.type === "text") return p.text === "" ? [] : [{ text: p.text }];
            if (p.type === "file") return [filePart(p, `messages.${i}.content.${j}`)];
            return [imagePart(p, `messages.${i}.content.${j}.image_url.url`)];
          }),
        );
        return;
      case "assistant": {
        // Its reasoning is not sent: Gemini keeps its thinking in signatures, never takes it as text.
        // @see https://ai.google.dev/gemini-api/docs/thought-signatures
        const parts: GeminiRequestPart[] = m.content ? [{ text: m.content }] : [];
        m.toolCalls?.forEach((t, k) => {
          parts.push({
            functionCall: {
              name: t.name,
              args: parseArguments(t.arguments, `messages.${i}.tool_calls.${k}.function.arguments`),
            },
            // Only the first call of a turn carries a signature (parallel calls share it).
            ...(k === 0 ? { thoughtSignature: UNSIGNED_THOUGHT } : {}),
          });
        });
        push("model", parts);
        return;
      }
      case "tool":
        // Function results go back in a user turn; consecutive results share that turn.
        // @see https://ai.google.dev/gemini-api/docs/function-calling#how-it-works
        push("user", [
          {
            functionResponse: {
              name: toolNameFor(messages, i, m.toolCallId),
              response: toolResponse(m.content),
            },
          },
        ]);
        return;
    }
  });
  return { contents, system };
}

/** @see https://ai.google.dev/api/caching#FunctionCallingConfig */
function functionCallingConfig(choice: ToolChoice): Record<string, unknown> {
  if (choice === "auto") return { mode: "AUTO" };
  if (choice === "none") return { mode: "NONE" };
  if (choice === "required") return { mode: "ANY" };
  return { mode: "ANY", allowedFunctionNames: [choice.name] };
}

/** @see https://ai.google.dev/api/generate-content#generationconfig */
function generationConfig(req: ChatRequest): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (req.temperature !== undefined) config.temperature = req.temperature;
  if (req.topP !== undefined) config.topP = req.topP;
  if (req.topK !== undefined) config.topK = req.topK;
  if (req.maxTokens !== undefined) config.maxOutputTokens = req.maxTokens;
  if (req.stop?.length) config.stopSequences = req.stop;
  if (req.seed !== undefined) config.seed = req.seed;
  if (req.presencePenalty !== undefined) config.presencePenalty = req.presencePenalty;
  if (req.frequencyPenalty !== undefined) config.frequencyPenalty = req.frequencyPenalty;
  const format = req.responseFormat;
  if (format && format.type !== "text") {
    config.responseMimeType = "application/json";
    // `responseJsonSchema` takes JSON Schema as it is; the older `responseSchema` only an
    // OpenAPI subset that refuses common keywords such as `additionalProperties`.
    if (format.type === "json_schema" && format.schema) config.responseJsonSchema = format.schema;
  }
  const thinking = req.reasoning && geminiThinkingConfig(req.model, req.reasoning);
  if (thinking) config.thinkingConfig = thinking;
  return config;
}

export function toGeminiBody(req: ChatRequest): Record<string, unknown> {
  const { contents, system } = toGeminiContents(req.messages);
  const body: Record<string, unknown> = { contents };
  if (system.length) body.systemInstruction = { parts: system.map((text) => ({ text })) };
  const config = generationConfig(req);
  if (Object.keys(config).length) body.generationConfig = config;
  if (req.tools?.length) {
    body.tools = [
      {
        functionDeclarations: req.tools.map((t) => ({
          name: t.name,
          ...(t.description ? { description: t.description } : {}),
          // JSON Schema as the client wrote it (OpenAI tools often say `additionalProperties:
          // false`, which `parameters`, an OpenAPI subset, refuses).
          // @see https://ai.google.dev/api/caching#FunctionDeclaration
          ...(t.parameters ? { parametersJsonSchema: t.parameters } : {}),
        })),
      },
    ];
    // Gemini has no switch for parallel calls, and no end-user id: those two are dropped.
    if (req.toolChoice) body.toolConfig = { functionCallingConfig: functionCallingConfig(req.toolChoice) };
  }
  return body;
}
