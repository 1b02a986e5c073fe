import { estimatePromptTokens, estimateTextTokens } from "../../chat/tokens";
import type { ChatRequest } from "../../chat/types";

/**
 * `input_tokens` of POST /v1/responses/input_tokens for a vendor that does not count: the
 * gateway's estimate (src/chat/tokens.ts) of the translated prompt, its tools and its response
 * format's schema, which the vendor reads too. An `openai` vendor counts on its own.
 */
export function estimateInputTokens(req: ChatRequest): number {
  const format = req.responseFormat?.type === "json_schema" ? req.responseFormat.schema : undefined;
  return (
    estimatePromptTokens(req.messages) +
    (req.tools?.length ? estimateTextTokens(JSON.stringify(req.tools)) : 0) +
    (format ? estimateTextTokens(JSON.stringify(format)) : 0)
  );
}
