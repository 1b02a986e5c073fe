import { compactionSummary, summaryMessage } from "./compaction";
import type { InputItem, ResponsesRequest } from "./schema";

type Item = Record<string, unknown>;

/**
 * A request's `input` as the items OpenAI lists for it (GET /v1/responses/{id}/input_items): a
 * string is one user message; message content given as a string becomes its one text part
 * (`input_text`, or `output_text` for an assistant); every item without an id gets one that names
 * its response (as output items' ids do: from-neutral.ts `itemId`).
 * These are what a later `previous_response_id` replays, before the response's own output.
 * @see https://platform.openai.com/docs/api-reference/responses/input-items
 */
export function inputItemsOf(input: ResponsesRequest["input"], responseId: string): Item[] {
  if (input === undefined || input === null) return [];
  const items: Item[] =
    typeof input === "string" ? [{ type: "message", role: "user", content: input }] : (input as Item[]);
  const hex = responseId.replace(/^resp_/, "");
  return items.map((raw, i) => {
    const item: Item = { ...raw };
    if (item.type === undefined && "role" in item) item.type = "message";
    if (item.type === "message") {
      if (typeof item.content === "string") {
        item.content = [
          { type: item.role === "assistant" ? "output_text" : "input_text", text: item.content },
        ];
      }
      item.status ??= "completed";
    }
    // Derived from the response's id, so an `item_reference` to it finds its response.
    item.id ??= `${item.type === "message" ? "msg" : "item"}_${hex}_in${i}`;
    return item;
  });
}

/**
 * What a stored chain says, oldest first, as input items: each response's input, then its output
 * (messages and calls are valid input items as they are).
 */
export function chainItems(
  chain: readonly { inputItems: Item[] | null; response: Item | null }[],
): InputItem[] {
  return chain.flatMap((r) => [
    ...(r.inputItems ?? []),
    ...((r.response?.output as Item[] | undefined) ?? []),
  ]) as InputItem[];
}

/** An `item_reference` (its `type` may be left out: then it is an id and nothing else). */
export const isItemReference = (item: Item): boolean =>
  item.type === "item_reference" || (item.type == null && !("role" in item) && typeof item.id === "string");

/**
 * The response an item id of ours belongs to (output items `msg_<hex>_<n>`, `fc_<hex>_<n>`; input
 * items `msg_<hex>_in<n>`), or null for an id the gateway did not make.
 */
export function responseIdOfItem(itemId: string): string | null {
  const m = /^[a-z]+_([0-9a-f]{32})_(?:in)?\d+$/.exec(itemId);
  return m ? `resp_${m[1]}` : null;
}

/** Every item of stored responses by id: their inputs and their outputs. */
export function itemsById(
  stored: readonly { inputItems: Item[] | null; response: Item | null }[],
): Map<string, Item> {
  const byId = new Map<string, Item>();
  for (const item of chainItems(stored) as Item[]) if (typeof item.id === "string") byId.set(item.id, item);
  return byId;
}

/**
 * A stored chain as input items for an `openai` vendor that cannot be sent `previous_response_id`
 * (the chain is not all its own): reasoning items (their encrypted content) only from the vendor
 * and model that made them, and the gateway's compaction items as the summary they hold.
 */
export function chainItemsFor(
  chain: readonly {
    vendor: string;
    upstreamModel: string;
    inputItems: Item[] | null;
    response: Item | null;
  }[],
  target: { vendor: string; model: string },
): Item[] {
  return chain.flatMap((r) => {
    const same = r.vendor === target.vendor && r.upstreamModel === target.model;
    return (chainItems([r]) as Item[]).filter((i) => same || i.type !== "reasoning");
  });
}

/** Input items for OpenAI itself: a compaction item of ours is the summary it holds, as words. */
export function readableByOpenAI(items: Item[]): Item[] {
  return items.map((item) => {
    const summary =
      item.type === "compaction" && typeof item.encrypted_content === "string"
        ? compactionSummary(item.encrypted_content)
        : null;
    if (summary === null) return item;
    return {
      type: "message",
      role: "developer",
      content: [{ type: "input_text", text: summaryMessage(summary) }],
    };
  });
}
