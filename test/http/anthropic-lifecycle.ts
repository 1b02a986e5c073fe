import { expect } from "vitest";
import { sseData } from "../helpers";

type Wire = { type: string; index?: number; delta?: { type?: string }; content_block?: { type?: string } };

/** Which delta types each kind of block takes. */
const DELTAS: Record<string, string[]> = {
  text: ["text_delta", "citations_delta"],
  tool_use: ["input_json_delta"],
  server_tool_use: ["input_json_delta"],
  thinking: ["thinking_delta", "signature_delta"],
};

/**
 * Checks an Anthropic Messages stream as a strict client would: one `message_start` first; per
 * block `content_block_start` → deltas of that block's kind → `content_block_stop`, indices from 0
 * without gaps, the open block closed before the next opens, nothing for a block not open; then
 * `message_delta` and `message_stop`, last. `ping` may come anywhere. Returns the events.
 */
export function expectAnthropicLifecycle(sse: string): Wire[] {
  const events = sseData(sse).map((d) => JSON.parse(d) as Wire);
  const body = events.filter((e) => e.type !== "ping");
  expect(body[0]?.type, "message_start first").toBe("message_start");
  expect(
    body.slice(-2).map((e) => e.type),
    "message_delta, message_stop last",
  ).toEqual(["message_delta", "message_stop"]);
  let open: { index: number; kind: string } | null = null;
  let next = 0;
  for (const e of body.slice(1, -2)) {
    switch (e.type) {
      case "content_block_start":
        expect(open, `block ${e.index} opened while ${open?.index} is open`).toBeNull();
        expect(e.index, "contiguous indices").toBe(next);
        open = { index: next, kind: e.content_block?.type ?? "" };
        next++;
        break;
      case "content_block_delta":
        expect(e.index, "a delta for the open block").toBe(open?.index);
        if (open && DELTAS[open.kind]) expect(DELTAS[open.kind]).toContain(e.delta?.type);
        break;
      case "content_block_stop":
        expect(e.index, "a stop for the open block").toBe(open?.index);
        open = null;
        break;
      default:
        throw new Error(`unexpected ${e.type} inside the message`);
    }
  }
  expect(open, "every block closed").toBeNull();
  return events;
}
