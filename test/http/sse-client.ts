import { createParser, type EventSourceMessage } from "eventsource-parser";

/**
 * Reads an SSE body the way a client does (a real SSE parser: any line end, comments, multi-line
 * data), for tests that must not depend on how the gateway frames its bytes.
 */
export function readSse(text: string): EventSourceMessage[] {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  // An event without its closing blank line is never dispatched, by browsers or the openai SDK.
  parser.feed(text);
  return events;
}

/**
 * True when every line is an SSE field or comment. Anything else (a JSON body relayed as it came,
 * or an event glued onto the end of such a line) is what clients silently skip, so the event it
 * hides never reaches them.
 */
export const isWellFormedSse = (text: string): boolean =>
  text.split(/\r\n|\r|\n/).every((line) => line === "" || /^(:|(data|event|id|retry)(:|$))/.test(line));

export interface ChunkSummary {
  text: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReasons: string[];
  /** Chunks with `choices: []` and a usage: OpenAI's usage chunk. */
  usageChunks: any[];
  /** The last usage any chunk carried. */
  lastUsage: any;
}

/** OpenAI chunks folded the way the SDK's helpers fold them. */
export function summariseChunks(chunks: any[]): ChunkSummary {
  const calls: ChunkSummary["toolCalls"] = [];
  const summary: ChunkSummary = {
    text: "",
    toolCalls: calls,
    finishReasons: [],
    usageChunks: [],
    lastUsage: null,
  };
  for (const c of chunks) {
    if (c.usage) summary.lastUsage = c.usage;
    if (Array.isArray(c.choices) && c.choices.length === 0 && c.usage) summary.usageChunks.push(c);
    for (const choice of c.choices ?? []) {
      summary.text += choice.delta?.content ?? "";
      if (choice.finish_reason != null) summary.finishReasons.push(choice.finish_reason);
      for (const t of choice.delta?.tool_calls ?? []) {
        const call = calls[t.index] ?? { id: "", name: "", arguments: "" };
        calls[t.index] = call;
        call.id ||= t.id ?? "";
        call.name ||= t.function?.name ?? "";
        call.arguments += t.function?.arguments ?? "";
      }
    }
  }
  return summary;
}
