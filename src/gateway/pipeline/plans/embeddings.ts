import { embeddingItems } from "../../../chat/embedding-inputs";
import type { EmbeddingRequestBody, EmbeddingsResponse } from "../../../chat/openai-embedding-schema";
import { estimateEmbeddingTokens } from "../../../chat/tokens";
import type { EmbeddingRequest, EmbeddingResponse, Usage } from "../../../chat/types";
import { invalidRequest } from "../../../errors/gateway-error";
import { providerFor } from "../../../providers/registry";
import type { Provider } from "../../../providers/types";
import { float32ToBase64 } from "../../../util/encoding";
import { estimateCall } from "../../budget";
import { type CachedItem, type EmbeddingCache, embeddingCache } from "../../cache/embeddings";
import { cachePolicy } from "../../cache/policy";
import type { ResolvedModel } from "../../resolve-model";
import type { CallContext } from "../run-call";
import type { CallPlan } from "../types";

/** One model's answer for every distinct item, cached or fresh. */
interface EmbeddingAnswer {
  /** The model as the vendor names it (the one asked for when no vendor was called). */
  model: string;
  /** One per distinct item. */
  items: CachedItem[];
  /** Distinct items the cache answered. */
  hits: number;
  /** What the vendor answered, by distinct index: what the cache stores. */
  fresh: { index: number; item: CachedItem }[];
  cache: EmbeddingCache | null;
  usage: Usage;
}

/** Fields the gateway reads itself; any other reaches OpenAI-wire vendors as sent. */
const OWN_FIELDS = new Set(["model", "input", "encoding_format", "input_type", "dimensions", "user"]);

/**
 * POST /v1/embeddings: OpenAI's embeddings API for every vendor that embeds, cached per item. Each
 * candidate model (the one asked for, then its fallbacks) has its own cache entries, since vectors
 * of two models never mix: an attempt looks up its model's entries, sends only the misses (each
 * distinct item once) and merges them back by position.
 * @see https://platform.openai.com/docs/api-reference/embeddings/create
 */
export const embeddingsPlan =
  (body: EmbeddingRequestBody) =>
  async (cx: CallContext): Promise<CallPlan<EmbeddingAnswer>> => {
    const items = embeddingItems(body.input);
    const requested = await cx.requestedModel(body.model);
    const admit = (resolved: ResolvedModel) =>
      assertEmbeds(resolved, providerFor(resolved.vendor.kind), items.tokenIds);
    admit(requested);
    const options = {
      dimensions: body.dimensions ?? undefined,
      inputType: body.input_type ?? undefined,
      user: body.user ?? undefined,
      extra: Object.fromEntries(Object.entries(body).filter(([k]) => !OWN_FIELDS.has(k))),
    };

    /** Each candidate's cache and its lookup, started once (the first attempt of a model waits on it). */
    const lookups = new Map<
      string,
      { cache: EmbeddingCache | null; found: Promise<(CachedItem | null)[]> }
    >();
    const cachedFor = (resolved: ResolvedModel) => {
      const vendorModel = `${resolved.vendor.slug}/${resolved.upstreamModel}`;
      let lookup = lookups.get(vendorModel);
      if (!lookup) {
        // The request's policy (the alias asked for, its TTL) holds for its fallbacks too: a
        // fallback named as vendor/model has no config of its own to say otherwise.
        const policy = cachePolicy(cx.env, requested.config, cx.options.cache);
        const scope = {
          tenant: cx.tenant,
          vendorModel,
          dimensions: options.dimensions ?? null,
          inputType: options.inputType ?? null,
        };
        const cache = embeddingCache(cx.env.CACHE, policy, scope, items.distinct);
        lookup = { cache, found: cache ? cache.lookup() : Promise.resolve(items.distinct.map(() => null)) };
        lookups.set(vendorModel, lookup);
      }
      return lookup;
    };

    /** The answer of cached and fresh items; the cached ones' tokens are reported at no cost. */
    const merge = (
      found: (CachedItem | null)[],
      fresh: EmbeddingAnswer["fresh"],
      model: string,
      cache: EmbeddingCache | null,
    ): EmbeddingAnswer => {
      const all = [...found];
      for (const { index, item } of fresh) all[index] = item;
      const answered = all as CachedItem[];
      const inputTokens = items.slots.reduce((n, slot) => n + (answered[slot] as CachedItem).tokens, 0);
      const billed = fresh.reduce((n, f) => n + f.item.tokens, 0);
      const usage: Usage = { inputTokens, outputTokens: 0 };
      if (inputTokens > billed) usage.gatewayCachedTokens = inputTokens - billed;
      if (answered.some((a) => a.estimated)) usage.estimated = true;
      return { model, items: answered, hits: found.filter(Boolean).length, fresh, cache, usage };
    };

    return {
      requested: { ...requested, model: body.model },
      admit,
      estimate: (price) =>
        estimateCall(
          items.distinct.reduce((n, item) => n + estimateEmbeddingTokens(item), 0),
          0,
          price,
        ),
      async cached() {
        const { cache, found } = cachedFor(requested);
        if (!cache?.policy.lookup) return null;
        const hits = await found;
        return hits.every(Boolean) ? merge(hits, [], requested.upstreamModel, cache) : null;
      },
      async attempt({ provider, resolved }, { ctx, settle }) {
        const { cache, found } = cachedFor(resolved);
        const hits = await found;
        const missing = hits.flatMap((hit, i) => (hit ? [] : [i]));
        let answer: EmbeddingResponse | null = null;
        try {
          if (missing.length > 0) {
            const req: EmbeddingRequest = {
              model: resolved.upstreamModel,
              inputs: missing.map((i) => items.distinct[i] as EmbeddingRequest["inputs"][number]),
              ...options,
            };
            answer = await (provider.embed as NonNullable<Provider["embed"]>)(req, ctx);
          }
        } finally {
          settle();
        }
        const fresh = missing.map((index, k) => ({
          index,
          item: {
            vector: answer?.vectors[k] as Float32Array,
            tokens: answer?.tokens[k] ?? 0,
            estimated: answer?.estimated ?? false,
          },
        }));
        return merge(hits, fresh, answer?.model ?? resolved.upstreamModel, cache);
      },
      usageOf: (answer) => answer.usage,
      respond(answer) {
        if (answer.cache && answer.fresh.length > 0) cx.waitUntil(answer.cache.store(answer.fresh));
        const response = toEmbeddingsResponse(answer, items.slots, body.encoding_format ?? "float");
        return {
          status: 200,
          body: JSON.stringify(response),
          headers: { "content-type": "application/json", "x-cache": cacheHeader(answer) },
          done: Promise.resolve({ usage: answer.usage }),
        };
      },
    };
  };

/**
 * x-cache: HIT when every item came from the cache (runCall serves those), PARTIAL when some did
 * and only the others were sent to the vendor, MISS when none did, BYPASS when the cache was not
 * read (no TTL applies, or `Cache-Control: no-cache` / `no-store`).
 */
function cacheHeader(answer: EmbeddingAnswer): string {
  if (!answer.cache?.policy.lookup) return "BYPASS";
  if (answer.hits === answer.items.length) return "HIT";
  return answer.hits > 0 ? "PARTIAL" : "MISS";
}

/**
 * OpenAI's answer, `data` in input order (a duplicate gets its item's vector again). `base64` is
 * the vector's little-endian float32 bytes, exactly what the SDKs decode; `float` the same float32
 * values as numbers.
 */
function toEmbeddingsResponse(
  answer: EmbeddingAnswer,
  slots: readonly number[],
  format: "float" | "base64",
): EmbeddingsResponse {
  const encoded = answer.items.map((item) =>
    format === "base64" ? float32ToBase64(item.vector) : Array.from(item.vector),
  );
  return {
    object: "list",
    data: slots.map((slot, index) => ({
      object: "embedding",
      index,
      embedding: encoded[slot] as string | number[],
    })),
    model: answer.model,
    usage: { prompt_tokens: answer.usage.inputTokens, total_tokens: answer.usage.inputTokens },
  };
}

/**
 * The model must embed: an adapter with `embed`, the config's `embeddings` capability, and token
 * ids only where the vendor takes them.
 */
function assertEmbeds(resolved: ResolvedModel, provider: Provider, tokenIds: boolean): void {
  const shown = resolved.config ? resolved.config.alias : `${resolved.vendor.slug}/${resolved.upstreamModel}`;
  if (!provider.embed) {
    throw invalidRequest(
      "unsupported_capability",
      `The model \`${shown}\` does not make embeddings: vendors of kind \`${resolved.vendor.kind}\` have no embeddings API.`,
      "model",
    );
  }
  if (resolved.config && !resolved.config.capabilities.embeddings) {
    throw invalidRequest(
      "unsupported_capability",
      `The model \`${shown}\` does not make embeddings: its model config lacks the \`embeddings\` capability.`,
      "model",
    );
  }
  if (tokenIds && !provider.embedsTokenIds) {
    throw invalidRequest(
      "unsupported_input",
      `The vendor \`${resolved.vendor.slug}\` embeds text only: send \`input\` as text, not token ids.`,
      "input",
    );
  }
}
