/** The client dialects whose answers are cached; an entry is only ever served to its own. */
export type CacheDialect = "chat.completions" | "messages" | "responses" | "embeddings";

/**
 * A cached answer: the answer as a client of its dialect received it (a Chat Completion, an
 * Anthropic Message), and which vendor/model gave it.
 */
export interface CachedAnswer<T = unknown> {
  dialect: CacheDialect;
  answer: T;
  /** `vendor/upstream-model` that answered (the x-switchboard-model header). */
  model: string;
  cachedAt: number;
  /** Epoch ms after which the entry is stale, checked on read (KV's own expiry may lag). */
  expiresAt: number;
}

/** The response cache, behind an interface so a backend is one file (KV today). */
export interface ResponseCache {
  /** Null on a miss, and on any backend failure (a broken cache is a slow cache, not an error). */
  get(key: string): Promise<CachedAnswer | null>;
  /** The entries found of several keys (missing, stale and unreadable ones left out). */
  getMany(keys: readonly string[]): Promise<Map<string, CachedAnswer>>;
  put(key: string, value: CachedAnswer, ttlSeconds: number): Promise<void>;
}
