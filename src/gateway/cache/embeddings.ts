import type { EmbeddingInput } from "../../chat/types";
import { float32FromBase64, float32ToBase64, toHex } from "../../util/encoding";
import { KvResponseCache } from "./kv";
import { type CachePolicy, stamp } from "./policy";

/**
 * Embeddings are cached per item, not per request: a request whose items were partly seen before
 * sends only the others to the vendor. Same policy as every cache (gateway/cache/policy.ts).
 */

/** An embedding as the cache keeps it: the vector's float32 bytes (base64) and its token count. */
interface StoredEmbedding {
  vector: string;
  tokens: number;
  estimated: boolean;
}

export interface CachedItem {
  vector: Float32Array;
  tokens: number;
  estimated: boolean;
}

/** What changes an item's vector besides the item: whose entry it is, the model, its options. */
export interface EmbeddingScope {
  tenant: string;
  /** `vendor/upstream-model` that made (or will make) the vectors. */
  vendorModel: string;
  dimensions: number | null;
  inputType: string | null;
}

/**
 * Each KV write is one of the 1000 operations an invocation may make (reads go 100 keys to one):
 * a request stores at most this many new items, and a later request that misses the rest stores them.
 * @see https://developers.cloudflare.com/kv/platform/limits/
 */
export const MAX_ITEM_WRITES = 500;

/** SHA-256 of the scope and the item (a text and a token array never share a key). */
async function itemKey(scope: EmbeddingScope, item: EmbeddingInput): Promise<string> {
  const text = JSON.stringify([scope.tenant, scope.vendorModel, scope.dimensions, scope.inputType, item]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return `emb:v1:${toHex(new Uint8Array(digest))}`;
}

export interface EmbeddingCache {
  policy: CachePolicy;
  /** Each item's cached embedding, or null; all null when the policy does not read. */
  lookup(): Promise<(CachedItem | null)[]>;
  /** Stores fresh embeddings of the items at these indices (at most MAX_ITEM_WRITES), if the policy stores. */
  store(fresh: { index: number; item: CachedItem }[]): Promise<void>;
}

/** The cache of these items in this scope; null when the policy neither reads nor stores. */
export function embeddingCache(
  kv: KVNamespace,
  policy: CachePolicy,
  scope: EmbeddingScope,
  items: readonly EmbeddingInput[],
): EmbeddingCache | null {
  if (!policy.lookup && !policy.store) return null;
  const store = new KvResponseCache(kv);
  let keys: Promise<string[]> | undefined;
  const keysOf = () => {
    keys ??= Promise.all(items.map((item) => itemKey(scope, item)));
    return keys;
  };
  return {
    policy,
    async lookup() {
      if (!policy.lookup) return items.map(() => null);
      const all = await keysOf();
      const found = await store.getMany(all);
      return all.map((key) => {
        const hit = found.get(key);
        if (hit?.dialect !== "embeddings") return null;
        const stored = hit.answer as StoredEmbedding;
        const vector = float32FromBase64(stored.vector);
        return vector ? { vector, tokens: stored.tokens, estimated: stored.estimated } : null;
      });
    },
    async store(fresh) {
      if (!policy.store || fresh.length === 0) return;
      const all = await keysOf();
      const when = stamp(policy.ttlSeconds);
      await Promise.all(
        fresh.slice(0, MAX_ITEM_WRITES).map(({ index, item }) => {
          const answer: StoredEmbedding = {
            vector: float32ToBase64(item.vector),
            tokens: item.tokens,
            estimated: item.estimated,
          };
          const entry = { dialect: "embeddings" as const, answer, model: scope.vendorModel, ...when };
          return store.put(all[index] as string, entry, policy.ttlSeconds);
        }),
      );
    },
  };
}
