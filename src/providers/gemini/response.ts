import type { ChatResponse, ToolCall } from "../../chat/types";
import { malformed } from "../http";
import { mapGeminiFinishReason } from "./finish-reason";
import { convertGeminiUsage } from "./usage";
import { type GeminiPart, GeminiResponseSchema } from "./wire";

/**
 * The answer in a candidate's parts: text parts joined, thought summaries (`thought: true`, sent
 * when the request asked for them) joined apart as reasoning, function calls as tool calls. Gemini gives calls an `id` only sometimes; the others get `call_<n>`,
 * numbered from `firstIndex` across the whole answer, so the same answer always gets the same ids.
 * @see https://ai.google.dev/api/caching#FunctionCall
 */
export function readParts(
  parts: GeminiPart[] | null | undefined,
  firstIndex = 0,
): { text: string; reasoning: string; toolCalls: ToolCall[] } {
  let text = "";
  let reasoning = "";
  const toolCalls: ToolCall[] = [];
  for (const part of parts ?? []) {
    if (part.thought) {
      reasoning += part.text ?? "";
      continue;
    }
    if (part.text) text += part.text;
    if (part.functionCall) {
      const index = firstIndex + toolCalls.length;
      toolCalls.push({
        id: part.functionCall.id || `call_${index}`,
        name: part.functionCall.name,
        arguments: JSON.stringify(part.functionCall.args ?? {}),
      });
    }
  }
  return { text, reasoning, toolCalls };
}

export function fromGeminiResponse(vendor: string, body: unknown, requestedModel: string): ChatResponse {
  const parsed = GeminiResponseSchema.safeParse(body);
  if (!parsed.success) throw malformed(vendor);
  const r = parsed.data;
  const candidate = r.candidates?.[0];
  const base = {
    ...(r.responseId ? { id: r.responseId } : {}),
    model: r.modelVersion || requestedModel,
    usage: convertGeminiUsage(r.usageMetadata),
  };
  if (!candidate) {
    // A blocked prompt gets no candidates at all, only the reason.
    // @see https://ai.google.dev/api/generate-content#PromptFeedback
    if (!r.promptFeedback?.blockReason) throw malformed(vendor);
    return { ...base, content: "", toolCalls: [], finishReason: "content_filter" };
  }
  const { text, reasoning, toolCalls } = readParts(candidate.content?.parts);
  return {
    ...base,
    content: text === "" && toolCalls.length ? null : text,
    toolCalls,
    ...(reasoning ? { reasoning } : {}),
    finishReason: mapGeminiFinishReason(candidate.finishReason, toolCalls.length > 0),
  };
}
