import type { Message } from "@anthropic-ai/sdk/resources/messages";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Rebuilds the Message an Anthropic stream carried from its parsed events, as the SDKs'
 * accumulators do, so a relayed stream that ended whole can fill the cache like a whole answer.
 * Lenient about what it does not know (new block and delta types are kept as they came); the
 * result is null unless the stream reached `message_stop` with every block's input readable.
 * @see https://platform.claude.com/docs/en/build-with-claude/streaming#event-types
 */
export function messageAccumulator(): { add(event: unknown): void; result(): Message | null } {
  let message: Json | null = null;
  const blocks: Json[] = [];
  /** Tool input JSON as it streams, per block index (`input_json_delta`). */
  const inputs = new Map<number, string>();
  let broken = false;
  let stopped = false;

  const block = (index: unknown): Json | undefined => (typeof index === "number" ? blocks[index] : undefined);

  function delta(target: Json, index: number, d: Json): void {
    switch (d.type) {
      case "text_delta":
        target.text = `${target.text ?? ""}${d.text ?? ""}`;
        return;
      case "thinking_delta":
        target.thinking = `${target.thinking ?? ""}${d.thinking ?? ""}`;
        return;
      case "signature_delta":
        target.signature = d.signature;
        return;
      case "input_json_delta":
        inputs.set(index, (inputs.get(index) ?? "") + (d.partial_json ?? ""));
        return;
      case "citations_delta":
        target.citations = [...(Array.isArray(target.citations) ? target.citations : []), d.citation];
        return;
    }
  }

  return {
    add(event) {
      if (!isObject(event) || stopped) return;
      switch (event.type) {
        case "message_start":
          if (isObject(event.message)) message = { ...event.message, content: [] };
          return;
        case "content_block_start":
          if (typeof event.index === "number" && isObject(event.content_block)) {
            blocks[event.index] = { ...event.content_block };
          }
          return;
        case "content_block_delta": {
          const target = block(event.index);
          if (target && isObject(event.delta)) delta(target, event.index as number, event.delta);
          else broken = true;
          return;
        }
        case "content_block_stop": {
          const target = block(event.index);
          const json = inputs.get(event.index as number);
          if (!target) broken = true;
          else if (json !== undefined) {
            try {
              target.input = json === "" ? {} : JSON.parse(json);
            } catch {
              broken = true;
            }
          }
          return;
        }
        case "message_delta":
          if (!message) return;
          if (isObject(event.delta)) Object.assign(message, event.delta);
          if (isObject(event.usage) && isObject(message.usage)) {
            // Counts in message_delta are cumulative; a null one is unknown, not zero.
            for (const [k, v] of Object.entries(event.usage)) if (v != null) message.usage[k] = v;
          }
          return;
        case "message_stop":
          stopped = true;
          return;
      }
    },
    result() {
      if (!message || !stopped || broken) return null;
      // Array.from sees holes (a block index that never started), which `some` would skip.
      if (Array.from(blocks).some((b) => b === undefined)) return null;
      return { ...message, content: blocks } as unknown as Message;
    },
  };
}
