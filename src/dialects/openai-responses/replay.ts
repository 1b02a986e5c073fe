import { textPieces } from "../../chat/text-pieces";
import { encodeSse } from "../../gateway/pipeline/stream/sse-writer";

type Json = Record<string, unknown>;

/**
 * A whole Response (a cached answer) as the event stream the API would have sent for it, for a
 * streaming request served from the cache: `response.created` and `response.in_progress` (the
 * response in progress, no output), every output item added, filled by its deltas (text in
 * pieces, arguments and freeform input whole, reasoning summaries part by part) and done, then
 * the terminal event its status names. `sequence_number` counts from 0. The SDKs rebuild the
 * stored response from it.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export function responseToEvents(response: Json): Json[] {
  const events: Json[] = [];
  const send = (type: string, fields: Json) =>
    events.push({ type, sequence_number: events.length, ...fields });
  const started = { ...response, status: "in_progress", output: [], usage: null };
  send("response.created", { response: started });
  send("response.in_progress", { response: started });
  const output = Array.isArray(response.output) ? (response.output as Json[]) : [];
  output.forEach((item, output_index) => {
    const at = { item_id: item.id, output_index };
    switch (item.type) {
      case "message": {
        send("response.output_item.added", {
          output_index,
          item: { ...item, status: "in_progress", content: [] },
        });
        const parts = Array.isArray(item.content) ? (item.content as Json[]) : [];
        parts.forEach((part, content_index) => {
          const text = typeof part.text === "string" ? part.text : "";
          send("response.content_part.added", { ...at, content_index, part: { ...part, text: "" } });
          if (part.type === "output_text") {
            for (const delta of textPieces(text)) {
              send("response.output_text.delta", { ...at, content_index, delta, logprobs: [] });
            }
            send("response.output_text.done", { ...at, content_index, text, logprobs: [] });
          }
          send("response.content_part.done", { ...at, content_index, part });
        });
        break;
      }
      case "function_call": {
        const args = typeof item.arguments === "string" ? item.arguments : "";
        send("response.output_item.added", {
          output_index,
          item: { ...item, status: "in_progress", arguments: "" },
        });
        if (args) send("response.function_call_arguments.delta", { ...at, delta: args });
        send("response.function_call_arguments.done", { ...at, arguments: args });
        break;
      }
      case "custom_tool_call": {
        const input = typeof item.input === "string" ? item.input : "";
        send("response.output_item.added", { output_index, item: { ...item, input: "" } });
        if (input) send("response.custom_tool_call_input.delta", { ...at, delta: input });
        send("response.custom_tool_call_input.done", { ...at, input });
        break;
      }
      case "reasoning": {
        send("response.output_item.added", {
          output_index,
          item: { ...item, status: "in_progress", summary: [] },
        });
        const summary = Array.isArray(item.summary) ? (item.summary as Json[]) : [];
        summary.forEach((part, summary_index) => {
          const text = typeof part.text === "string" ? part.text : "";
          send("response.reasoning_summary_part.added", {
            ...at,
            summary_index,
            part: { ...part, text: "" },
          });
          if (text) send("response.reasoning_summary_text.delta", { ...at, summary_index, delta: text });
          send("response.reasoning_summary_text.done", { ...at, summary_index, text });
          send("response.reasoning_summary_part.done", { ...at, summary_index, part });
        });
        break;
      }
      default:
        send("response.output_item.added", { output_index, item });
    }
    send("response.output_item.done", { output_index, item });
  });
  send(response.status === "incomplete" ? "response.incomplete" : "response.completed", { response });
  return events;
}

/** The events as Server-Sent Events, one `event:` and one `data:` line each. */
export function responseToSse(response: Json): string {
  const decoder = new TextDecoder();
  return responseToEvents(response)
    .map((e) => decoder.decode(encodeSse(JSON.stringify(e), e.type as string)))
    .join("");
}
