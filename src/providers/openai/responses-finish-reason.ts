import type { FinishReason } from "../../chat/types";
import type { ResponsesResponse } from "./responses-wire";

/**
 * Output items the client runs and answers with an output item of its own: a response holding one
 * stopped to wait for it, as a Chat Completion with `tool_calls` does.
 */
const CLIENT_CALLS = new Set(["function_call", "custom_tool_call"]);

/**
 * How a finished Responses API response ended, in neutral terms: `response.completed` is a stop,
 * or a tool call when its output holds a call for the client, or the stream showed one (`sawCall`:
 * some hosts leave `output` out of the terminal event); `response.incomplete` says why in
 * `incomplete_details.reason`, and any reason but a filter is the token limit.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-incomplete_details
 */
export function mapResponsesFinish(
  type: "response.completed" | "response.incomplete",
  response: ResponsesResponse | undefined,
  sawCall = false,
): FinishReason {
  if (type === "response.incomplete") {
    switch (response?.incomplete_details?.reason) {
      case "content_filter":
        return "content_filter";
      default:
        return "length";
    }
  }
  const calls = sawCall || (response?.output?.some((item) => CLIENT_CALLS.has(item.type)) ?? false);
  return calls ? "tool_calls" : "stop";
}

export const isClientCall = (itemType: string): boolean => CLIENT_CALLS.has(itemType);
