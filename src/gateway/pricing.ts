import type { Usage } from "../chat/types";
import type { ModelConfigRow, Pricing } from "../db/schema";

/** USD per million tokens; `cached_input_per_mtok` prices prompt-cache reads where they differ. */
export interface Price extends Pricing {
  cached_input_per_mtok?: number;
}

/**
 * List prices of well-known models, used when no model config gives a price. Matched by the
 * longest prefix of the vendor's model name, so dated snapshots (`gpt-4o-mini-2024-07-18`) and
 * `-latest` aliases find their family. Kept short on purpose: a model config's `pricing` is the
 * source of truth for anything that matters to a bill.
 * @see https://openai.com/api/pricing/
 * @see https://www.anthropic.com/pricing#api
 * @see https://ai.google.dev/gemini-api/docs/pricing
 */
const LIST_PRICES: Record<string, Record<string, Price>> = {
  openai: {
    "gpt-5": { input_per_mtok: 1.25, output_per_mtok: 10, cached_input_per_mtok: 0.125 },
    "gpt-5-mini": { input_per_mtok: 0.25, output_per_mtok: 2, cached_input_per_mtok: 0.025 },
    "gpt-5-nano": { input_per_mtok: 0.05, output_per_mtok: 0.4, cached_input_per_mtok: 0.005 },
    "gpt-4.1": { input_per_mtok: 2, output_per_mtok: 8, cached_input_per_mtok: 0.5 },
    "gpt-4.1-mini": { input_per_mtok: 0.4, output_per_mtok: 1.6, cached_input_per_mtok: 0.1 },
    "gpt-4.1-nano": { input_per_mtok: 0.1, output_per_mtok: 0.4, cached_input_per_mtok: 0.025 },
    "gpt-4o": { input_per_mtok: 2.5, output_per_mtok: 10, cached_input_per_mtok: 1.25 },
    "gpt-4o-mini": { input_per_mtok: 0.15, output_per_mtok: 0.6, cached_input_per_mtok: 0.075 },
    o3: { input_per_mtok: 2, output_per_mtok: 8, cached_input_per_mtok: 0.5 },
    "o4-mini": { input_per_mtok: 1.1, output_per_mtok: 4.4, cached_input_per_mtok: 0.275 },
    // Embeddings are priced by input alone.
    "text-embedding-3-small": { input_per_mtok: 0.02, output_per_mtok: 0 },
    "text-embedding-3-large": { input_per_mtok: 0.13, output_per_mtok: 0 },
  },
  anthropic: {
    "claude-opus-4-5": { input_per_mtok: 5, output_per_mtok: 25, cached_input_per_mtok: 0.5 },
    "claude-opus-4-1": { input_per_mtok: 15, output_per_mtok: 75, cached_input_per_mtok: 1.5 },
    "claude-sonnet-4-5": { input_per_mtok: 3, output_per_mtok: 15, cached_input_per_mtok: 0.3 },
    "claude-sonnet-4": { input_per_mtok: 3, output_per_mtok: 15, cached_input_per_mtok: 0.3 },
    "claude-haiku-4-5": { input_per_mtok: 1, output_per_mtok: 5, cached_input_per_mtok: 0.1 },
    "claude-3-5-haiku": { input_per_mtok: 0.8, output_per_mtok: 4, cached_input_per_mtok: 0.08 },
  },
  gemini: {
    "gemini-2.5-pro": { input_per_mtok: 1.25, output_per_mtok: 10, cached_input_per_mtok: 0.31 },
    "gemini-2.5-flash": { input_per_mtok: 0.3, output_per_mtok: 2.5, cached_input_per_mtok: 0.075 },
    "gemini-2.5-flash-lite": { input_per_mtok: 0.1, output_per_mtok: 0.4, cached_input_per_mtok: 0.025 },
    "gemini-2.0-flash": { input_per_mtok: 0.1, output_per_mtok: 0.4, cached_input_per_mtok: 0.025 },
    "gemini-embedding-001": { input_per_mtok: 0.15, output_per_mtok: 0 },
  },
};

/** The price of a call: the model config's, else the list price of the vendor kind's model, else none. */
export function priceFor(
  vendorKind: string,
  upstreamModel: string,
  config: ModelConfigRow | null,
): Price | null {
  if (config?.pricing) return config.pricing;
  const table = LIST_PRICES[vendorKind];
  if (!table) return null;
  const name = upstreamModel.replace(/^models\//, "");
  let best: string | undefined;
  for (const prefix of Object.keys(table)) {
    if (name.startsWith(prefix) && (!best || prefix.length > best.length)) best = prefix;
  }
  return best ? (table[best] as Price) : null;
}

/**
 * What prompt-cache writes cost, as a multiple of the input price: 1.25× for entries that live 5
 * minutes, 2× for 1-hour ones (Anthropic's pricing; reads are the cached price).
 * @see https://docs.claude.com/en/docs/build-with-claude/prompt-caching#pricing
 */
const CACHE_WRITE_5M = 1.25;
const CACHE_WRITE_1H = 2;

/** The input tokens a vendor was paid for: all but those the gateway's own cache answered. */
export const billedInputTokens = (usage: Usage): number =>
  usage.inputTokens - Math.min(usage.gatewayCachedTokens ?? 0, usage.inputTokens);

/**
 * USD for the usage at the price: cached prompt tokens at the cached price where there is one,
 * prompt-cache writes at their premium, the rest of the input and the output at their prices.
 * Tokens the gateway's own cache answered cost nothing.
 */
export function costOf(usage: Usage, price: Price | null): number {
  if (!price) return 0;
  const input = billedInputTokens(usage);
  const cached = Math.min(usage.cachedTokens ?? 0, input);
  const long = Math.min(usage.cacheWrite1hTokens ?? 0, input - cached);
  const short = Math.min(usage.cacheWriteTokens ?? 0, input - cached - long);
  const fresh = input - cached - long - short;
  const cachedPrice = price.cached_input_per_mtok ?? price.input_per_mtok;
  const perToken = price.input_per_mtok;
  return (
    (fresh * perToken +
      cached * cachedPrice +
      short * perToken * CACHE_WRITE_5M +
      long * perToken * CACHE_WRITE_1H +
      usage.outputTokens * price.output_per_mtok) /
    1_000_000
  );
}
