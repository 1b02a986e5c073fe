import type { ChatResponse } from "../../chat/types";
import { malformed } from "../http";
import { mapOpenAIFinishReason } from "./finish-reason";
import { convertOpenAIUsage } from "./usage";
import { OpenAICompletionSchema } from "./wire";

export function fromOpenAICompletion(vendor: string, body: unknown, requestedModel: string): ChatResponse {
  const parsed = OpenAICompletionSchema.safeParse(body);
  if (!parsed.success) throw malformed(vendor);
  const r = parsed.data;
  const choice = r.choices[0] as (typeof r.choices)[number];
  const toolCalls = (choice.message.tool_calls ?? []).map((t) => ({
    id: t.id,
    name: t.function.name,
    arguments: t.function.arguments,
  }));
  // A host that sends both names (vLLM while renaming) sends the same text twice: one is read.
  const reasoning = choice.message.reasoning_content ?? choice.message.reasoning;
  return {
    ...(r.id ? { id: r.id } : {}),
    model: r.model ?? requestedModel,
    // A refusal is the answer the client gets to read; keep it as content when there is no other.
    content: choice.message.content ?? choice.message.refusal ?? (toolCalls.length ? null : ""),
    toolCalls,
    ...(reasoning ? { reasoning } : {}),
    finishReason: mapOpenAIFinishReason(choice.finish_reason),
    usage: convertOpenAIUsage(r.usage),
  };
}
