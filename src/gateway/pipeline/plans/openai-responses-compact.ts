import { COMPACTION_PROMPT, compactionContent } from "../../../dialects/openai-responses/compaction";
import { newResponseId, nowSeconds, responsesUsage } from "../../../dialects/openai-responses/from-neutral";
import { estimateInputTokens } from "../../../dialects/openai-responses/input-tokens";
import type { InputItem, InputTokensRequest } from "../../../dialects/openai-responses/schema";
import { inputItemsOf } from "../../../dialects/openai-responses/stored";
import { inputTokensToNeutral } from "../../../dialects/openai-responses/to-neutral";
import { estimateCall } from "../../budget";
import { resolveModel } from "../../resolve-model";
import type { CallContext } from "../run-call";
import type { CallPlan } from "../types";
import { callNeutral, type NeutralAnswer, translations } from "./neutral-call";
import { historyMessages, storedHistory, withReferencedItems } from "./responses-state";

/** Room for the summary. */
const SUMMARY_TOKENS = 4096;

type Item = Record<string, unknown>;
const isUserMessage = (i: Item) => (i.type === "message" || i.type == null) && i.role === "user";

/**
 * POST /v1/responses/compact (Codex's remote compaction): the conversation (`input`, after any
 * stored chain) comes back as OpenAI returns it: every user message as it was, then exactly one
 * `compaction` item standing for the rest. For vendors behind the neutral model the target model
 * writes a summary of the whole conversation, which the item carries (compaction.ts) and any
 * vendor the chain moves to reads back; the call is accounted as the model's.
 * @see https://platform.openai.com/docs/api-reference/responses/compact
 */
export const responsesCompactPlan =
  (request: InputTokensRequest) =>
  async (cx: CallContext): Promise<CallPlan<NeutralAnswer>> => {
    const input = await withReferencedItems(cx, request);
    const requested = await resolveModel(cx.env, cx.db, input.model, "model", cx.prefetchedModel);
    const stored = await storedHistory(cx, input.previous_response_id);
    const id = newResponseId();
    const items = [...((stored ?? []) as Item[]), ...inputItemsOf(input.input, id)];
    const translated = translations((vendor, upstreamModel) => {
      const req = inputTokensToNeutral(input, upstreamModel, historyMessages(stored), vendor);
      req.messages.push({ role: "user", content: [{ type: "text", text: COMPACTION_PROMPT }] });
      // The summary is words: tools stay defined (the history may call them) but are not used.
      if (req.tools?.length) req.toolChoice = "none";
      req.maxTokens = SUMMARY_TOKENS;
      return req;
    });
    const prompt = translated(requested.vendor.slug, requested.upstreamModel);
    return {
      requested: { ...requested, model: input.model },
      admit: (resolved) => void translated(resolved.vendor.slug, resolved.upstreamModel),
      estimate: (price) => estimateCall(estimateInputTokens(prompt), SUMMARY_TOKENS, price),
      attempt: ({ provider, resolved }, { ctx, settle }) =>
        callNeutral(provider, translated(resolved.vendor.slug, resolved.upstreamModel), false, {
          ctx,
          settle,
        }),
      usageOf: (a) => (a.kind === "answer" ? a.answer.usage : undefined),
      respond(a) {
        if (a.kind !== "answer") throw new Error("compaction is never streamed");
        const hex = id.replace(/^resp_/, "");
        const compaction = {
          type: "compaction",
          id: `cmp_${hex}`,
          encrypted_content: compactionContent(a.answer.content ?? ""),
        };
        const body = {
          id,
          object: "response.compaction",
          created_at: nowSeconds(),
          output: [...items.filter(isUserMessage), compaction] as InputItem[],
          usage: responsesUsage(a.answer.usage),
        };
        return {
          status: 200,
          body: JSON.stringify(body),
          headers: { "content-type": "application/json" },
          done: Promise.resolve({ usage: a.answer.usage }),
        };
      },
    };
  };
