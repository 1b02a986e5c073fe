import type { InputItem, ResponsesRequest } from "./schema";

type Item = Record<string, unknown>;

const randomHex = () => crypto.randomUUID().replaceAll("-", "");

/**
 * A request's `input` as the items OpenAI lists for it (GET /v1/responses/{id}/input_items): a
 * string is one user message; message content given as a string becomes its one text part
 * (`input_text`, or `output_text` for an assistant); every item gets an id when it has none.
 * These are what a later `previous_response_id` replays, before the response's own output.
 * @see https://platform.openai.com/docs/api-reference/responses/input-items
 */
export function inputItemsOf(input: ResponsesRequest["input"]): Item[] {
  if (input === undefined || input === null) return [];
  const items: Item[] =
    typeof input === "string" ? [{ type: "message", role: "user", content: input }] : (input as Item[]);
  return items.map((raw) => {
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
    item.id ??= `${item.type === "message" ? "msg" : "item"}_${randomHex()}`;
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
