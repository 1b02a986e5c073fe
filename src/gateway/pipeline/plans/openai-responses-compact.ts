import { estimateTextTokens } from "../../../chat/tokens";
import type { Usage } from "../../../chat/types";
import { COMPACTION_PROMPT, compactionContent } from "../../../dialects/openai-responses/compaction";
import { newResponseId, nowSeconds, responsesUsage } from "../../../dialects/openai-responses/from-neutral";
import type { InputItem, InputTokensRequest } from "../../../dialects/openai-responses/schema";
import { chainItems, inputItemsOf } from "../../../dialects/openai-responses/stored";
import { inputTokensToNeutral } from "../../../dialects/openai-responses/to-neutral";
import { malformed } from "../../../providers/http";
import { convertResponsesUsage } from "../../../providers/openai/responses-usage";
import { ResponsesUsageSchema } from "../../../providers/openai/responses-wire";
import { providerFor } from "../../../providers/registry";
import { estimateCall } from "../../budget";
import type { ResolvedModel } from "../../resolve-model";
import type { CallContext } from "../run-call";
import { safeJson } from "../stream/sse-passthrough";
import type { CallPlan, Reply } from "../types";
import { callNeutral, type NeutralAnswer, translations, upstreamText } from "./neutral-call";
import { historyMessages, storedChain, vendorBody, withReferencedItems } from "./responses-state";

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
  (request: InputTokensRequest, raw: Record<string, unknown>) =>
  async (cx: CallContext): Promise<CallPlan<CompactAnswer>> => {
    const input = await withReferencedItems(cx, request);
    const requested = await cx.requestedModel(input.model);
    const chain = await storedChain(cx, input.previous_response_id);
    const stored = chain && chainItems(chain);
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
    // OpenAI compacts on its own (its compaction item only it can read, as its clients expect).
    const admit = (resolved: ResolvedModel) => {
      if (!providerFor(resolved.vendor.kind).responsesWire)
        translated(resolved.vendor.slug, resolved.upstreamModel);
    };
    admit(requested);
    const promptTokens = estimateTextTokens(JSON.stringify([input.instructions ?? "", items]));
    return {
      requested: { ...requested, model: input.model },
      admit,
      estimate: (price) => estimateCall(promptTokens, SUMMARY_TOKENS, price),
      async attempt({ provider, resolved }, { ctx, settle }): Promise<CompactAnswer> {
        if (!provider.responsesWire) {
          return callNeutral(
            provider,
            translated(resolved.vendor.slug, resolved.upstreamModel),
            false,
            { ctx, settle },
            cx.env.CACHE,
          );
        }
        const body = vendorBody({ raw, input, chain, resolved, responseId: id });
        const res = await provider.responsesWire.send("/responses/compact", body, ctx, { method: "POST" });
        const text = await upstreamText(res, ctx, settle);
        const parsed = safeJson(text) as { object?: unknown; usage?: unknown } | undefined;
        if (parsed?.object !== "response.compaction") throw malformed(ctx.vendor.slug);
        const usage = ResponsesUsageSchema.safeParse(parsed.usage);
        return {
          kind: "relayed-json",
          text,
          usage: usage.success ? convertResponsesUsage(usage.data) : undefined,
        };
      },
      usageOf: (a) =>
        a.kind === "answer" ? a.answer.usage : a.kind === "relayed-json" ? a.usage : undefined,
      respond(a) {
        if (a.kind === "relayed-json") return json(a.text, a.usage);
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
        return json(JSON.stringify(body), a.answer.usage);
      },
    };
  };

type CompactAnswer = NeutralAnswer | { kind: "relayed-json"; text: string; usage: Usage | undefined };

const json = (text: string, usage: Usage | undefined): Reply => ({
  status: 200,
  body: text,
  headers: { "content-type": "application/json" },
  done: Promise.resolve(usage ? { usage } : {}),
});
