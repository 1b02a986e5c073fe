import { invalidRequest } from "../errors/gateway-error";
import { type EmbeddingRequestBody, MAX_EMBEDDING_INPUTS } from "./openai-embedding-schema";
import type { EmbeddingInput } from "./types";

/** An embeddings request's `input` as items: each distinct one once, and where each position's is. */
export interface EmbeddingItems {
  /** Each distinct item once, in the order it first appears: what a vendor is sent. */
  distinct: EmbeddingInput[];
  /** For each position of `input`, the index of its item in `distinct`. */
  slots: number[];
  /** The items are token ids, which only OpenAI-wire vendors take. */
  tokenIds: boolean;
}

/**
 * `input` (a text, texts, one array of token ids, or arrays of them) as items, refusing what OpenAI
 * refuses with a 400 that names `input`: nothing to embed, an empty item, more than
 * MAX_EMBEDDING_INPUTS items. A text that appears twice is embedded once.
 */
export function embeddingItems(input: EmbeddingRequestBody["input"]): EmbeddingItems {
  const list: EmbeddingInput[] =
    typeof input === "string"
      ? [input]
      : typeof input[0] === "number"
        ? [input as number[]]
        : (input as EmbeddingInput[]);
  if (list.length === 0) {
    throw invalidRequest("invalid_input", "`input` is empty: send at least one text to embed.", "input");
  }
  if (list.length > MAX_EMBEDDING_INPUTS) {
    throw invalidRequest(
      "too_many_inputs",
      `\`input\` holds ${list.length} items; at most ${MAX_EMBEDDING_INPUTS} go in one request.`,
      "input",
    );
  }
  const distinct: EmbeddingInput[] = [];
  const seen = new Map<string, number>();
  const slots = list.map((item, i) => {
    if (item.length === 0) {
      throw invalidRequest(
        "invalid_input",
        `\`input[${i}]\` is empty: every item needs text${typeof item === "string" ? "" : " (token ids)"}.`,
        "input",
      );
    }
    const key = typeof item === "string" ? `s${item}` : `t${item.join(",")}`;
    let slot = seen.get(key);
    if (slot === undefined) {
      slot = distinct.push(item) - 1;
      seen.set(key, slot);
    }
    return slot;
  });
  return { distinct, slots, tokenIds: typeof list[0] !== "string" };
}
