import type { ContentBlockParam, ThinkingConfigEnabled } from "@anthropic-ai/sdk/resources/messages";
import { budgetOf, EFFORT_BUDGETS } from "../../chat/reasoning";
import type { ChatRequest } from "../../chat/types";
import { invalidRequest } from "../../errors/gateway-error";

/**
 * The neutral reasoning setting as Anthropic's extended thinking, `{type: "enabled",
 * budget_tokens}`, for the neutral path (OpenAI-format and Responses clients calling Claude;
 * Anthropic's own clients take the passthrough). The budget is the one asked, or the one a level
 * stands for (src/chat/reasoning.ts: minimal 1,024, low 2,048, medium 8,192, high 24,576, xhigh
 * 32,768), medium's when the client gave neither, and never under Anthropic's least, 1,024.
 * Thinking counts inside `max_tokens`, and Anthropic wants the budget below it: a client's
 * `max_tokens` bounds the budget (its answer shares what is left, as OpenAI's reasoning shares
 * `max_completion_tokens`); without one, the answer keeps the default room on top of the budget.
 * Reasoning off leaves `thinking` out, which is no thinking.
 * @see https://platform.claude.com/docs/en/build-with-claude/extended-thinking
 */

/** Anthropic's least thinking budget. */
export const MIN_BUDGET = 1024;

export interface ThinkingPlan {
  thinking: ThinkingConfigEnabled;
  maxTokens: number;
}

interface Turn {
  role: "user" | "assistant";
  content: ContentBlockParam[];
}

export function anthropicThinking(
  req: ChatRequest,
  turns: readonly Turn[],
  defaultMaxTokens: number,
): ThinkingPlan | undefined {
  const r = req.reasoning;
  if (!r?.enabled || continuesUnsealedToolLoop(turns)) return undefined;
  refuseSamplingConflicts(req);
  const wanted = Math.max(MIN_BUDGET, budgetOf(r) ?? EFFORT_BUDGETS.medium);
  if (req.maxTokens === undefined) {
    return { thinking: { type: "enabled", budget_tokens: wanted }, maxTokens: wanted + defaultMaxTokens };
  }
  if (req.maxTokens <= MIN_BUDGET) {
    throw invalidRequest(
      "unsupported_parameter",
      `Claude thinks only with \`max_tokens\` above ${MIN_BUDGET}: its least thinking budget is ${MIN_BUDGET} tokens, counted inside \`max_tokens\`. Raise it, or turn reasoning off.`,
      "max_tokens",
    );
  }
  return {
    thinking: { type: "enabled", budget_tokens: Math.min(wanted, req.maxTokens - 1) },
    maxTokens: req.maxTokens,
  };
}

/**
 * With thinking on, Anthropic takes `temperature` only at 1, `top_p` only from 0.95, no `top_k`,
 * and no forced tool use; a 400 naming the parameter says so before the round trip does.
 * @see https://platform.claude.com/docs/en/build-with-claude/extended-thinking#feature-compatibility
 */
function refuseSamplingConflicts(req: ChatRequest): void {
  const refuse = (what: string, param: string): never => {
    throw invalidRequest(
      "unsupported_parameter",
      `Claude takes ${what} while it thinks (the request asks for reasoning); leave \`${param}\` out, or turn reasoning off.`,
      param,
    );
  };
  if (req.temperature !== undefined && req.temperature !== 1) refuse("no `temperature` but 1", "temperature");
  if (req.topP !== undefined && req.topP < 0.95) refuse("no `top_p` under 0.95", "top_p");
  if (req.topK !== undefined) refuse("no `top_k`", "top_k");
  const c = req.toolChoice;
  if (req.tools?.length && (c === "required" || typeof c === "object")) {
    refuse("no forced tool use (`tool_choice` `required` or a named tool)", "tool_choice");
  }
}

/**
 * Whether the request continues a tool loop (it ends with tool results) whose assistant turn does
 * not start with a thinking block. Anthropic refuses thinking then ("a final assistant message
 * must start with a thinking block"), and only Anthropic's own signature makes one: the neutral
 * history has it only where the client could keep it (src/chat/types.ts: reasoningSignature), not
 * for OpenAI-format clients, who are shown no reasoning. Such a turn goes on without thinking,
 * the one way it can go on at all; the next user turn thinks again.
 * @see https://platform.claude.com/docs/en/build-with-claude/extended-thinking
 */
function continuesUnsealedToolLoop(turns: readonly Turn[]): boolean {
  const last = turns.at(-1);
  if (last?.role !== "user" || !last.content.some((b) => b.type === "tool_result")) return false;
  const first = turns.at(-2)?.content[0];
  return first?.type !== "thinking" && first?.type !== "redacted_thinking";
}
