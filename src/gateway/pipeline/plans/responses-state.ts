import type { ChatMessage } from "../../../chat/types";
import { findResponses, responseChain } from "../../../db/queries/responses";
import type { ResponseRow } from "../../../db/schema";
import { inputToMessages } from "../../../dialects/openai-responses/input-items";
import type { InputItem, ResponsesRequest } from "../../../dialects/openai-responses/schema";
import {
  chainItems,
  chainItemsFor,
  inputItemsOf,
  isItemReference,
  itemsById,
  readableByOpenAI,
  responseIdOfItem,
} from "../../../dialects/openai-responses/stored";
import { notFound } from "../../../errors/gateway-error";
import type { ResolvedModel } from "../../resolve-model";
import type { CallContext } from "../run-call";

/**
 * What the Responses plans read of stored state (D1 `responses`), always as the caller: another
 * user's response, or an expired one, is as missing as an unknown id.
 */

/** Who a stored response belongs to: the caller's user, or null for the admin key's own calls. */
export const ownerOf = (cx: CallContext): string | null => (cx.tenant === "admin-key" ? null : cx.tenant);

/**
 * The stored chain that ends at `previous_response_id`, oldest first, whichever vendor made each
 * response; undefined without one. An id that is not the caller's is a 404 naming the field.
 */
export async function storedChain(
  cx: CallContext,
  previousId: string | null | undefined,
): Promise<ResponseRow[] | undefined> {
  if (!previousId) return undefined;
  const chain = await responseChain(cx.env.DB, previousId, ownerOf(cx));
  if (!chain.length) throw notFound("previous response", "previous_response_id");
  return chain;
}

/** The chain's inputs and outputs as input items (instructions are not inherited, as OpenAI documents). */
export const storedHistory = async (cx: CallContext, previousId: string | null | undefined) => {
  const chain = await storedChain(cx, previousId);
  return chain && chainItems(chain);
};

/** The stored history as neutral messages, for the translation. */
export const historyMessages = (items: InputItem[] | undefined): ChatMessage[] | undefined =>
  items && inputToMessages(items, "previous_response_id");

/**
 * `input` with every `item_reference` the gateway can resolve replaced by the item it names, from
 * the caller's stored responses (the AI SDK sends its earlier output this way when responses are
 * stored). A reference to an item id of ours that is not the caller's, or no longer stored, is a
 * 404 naming it; one to an id the gateway did not make stays (an `openai` vendor may know it;
 * translation refuses it by name).
 */
export async function withReferencedItems<T extends { input?: ResponsesRequest["input"] }>(
  cx: CallContext,
  body: T,
): Promise<T> {
  if (!Array.isArray(body.input)) return body;
  const items = body.input as Record<string, unknown>[];
  const refs = items.filter(isItemReference).map((i) => String(i.id));
  if (!refs.length) return body;
  const ids = [...new Set(refs.map(responseIdOfItem).filter((id): id is string => id !== null))];
  const found = itemsById(await findResponses(cx.db, ids, ownerOf(cx)));
  const input = items.map((item, i) => {
    if (!isItemReference(item)) return item;
    const target = found.get(String(item.id));
    if (target) return target;
    if (responseIdOfItem(String(item.id)) !== null) throw notFound("item", `input.${i}`);
    return item;
  });
  return { ...body, input: input as ResponsesRequest["input"] };
}

/**
 * The body an `openai` vendor gets: the client's, its model swapped in. A chain that is all this
 * vendor's stays a `previous_response_id` (OpenAI holds it); any other is replayed as input
 * items, as is what the gateway resolved or made (item references, its compactions).
 */
export function vendorBody(call: {
  raw: Record<string, unknown>;
  input: { input?: ResponsesRequest["input"] };
  chain: ResponseRow[] | undefined;
  resolved: ResolvedModel;
  responseId: string;
}): Record<string, unknown> {
  const { raw, input, chain, resolved } = call;
  const body: Record<string, unknown> = { ...raw, model: resolved.upstreamModel };
  const own = chain?.every((r) => r.origin === "vendor" && r.vendor === resolved.vendor.slug);
  let items = Array.isArray(input.input) ? (input.input as Record<string, unknown>[]) : null;
  if (chain && !own) {
    const target = { vendor: resolved.vendor.slug, model: resolved.upstreamModel };
    items = [...chainItemsFor(chain, target), ...(items ?? inputItemsOf(input.input, call.responseId))];
    delete body.previous_response_id;
  }
  if (items && (items !== raw.input || chain)) body.input = readableByOpenAI(items);
  return body;
}
