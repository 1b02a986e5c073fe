import type { CachedAnswer, ResponseCache } from "./types";

const log = (msg: string, err: unknown) =>
  console.error(
    JSON.stringify({ level: "warn", msg, error: err instanceof Error ? err.message : String(err) }),
  );

/** The most keys one bulk read takes. @see https://developers.cloudflare.com/kv/api/read-key-value-pairs/ */
const KV_BULK_KEYS = 100;

/** Workers KV: read at the edge, eventually consistent, entries expire by TTL (at least 60 s). */
export class KvResponseCache implements ResponseCache {
  constructor(private readonly kv: KVNamespace) {}

  async get(key: string, now = Date.now()): Promise<CachedAnswer | null> {
    try {
      const hit = await this.kv.get<CachedAnswer>(key, "json");
      return hit && hit.expiresAt > now ? hit : null;
    } catch (err) {
      log("cache read failed; treated as a miss", err);
      return null;
    }
  }

  /** Several entries in bulk reads of 100 keys (one KV operation each), made at once. */
  async getMany(keys: readonly string[], now = Date.now()): Promise<Map<string, CachedAnswer>> {
    const found = new Map<string, CachedAnswer>();
    const reads: Promise<void>[] = [];
    for (let i = 0; i < keys.length; i += KV_BULK_KEYS) {
      const chunk = keys.slice(i, i + KV_BULK_KEYS);
      reads.push(
        this.kv.get<CachedAnswer>(chunk, "json").then((hits) => {
          for (const [key, hit] of hits) if (hit && hit.expiresAt > now) found.set(key, hit);
        }),
      );
    }
    try {
      await Promise.all(reads);
    } catch (err) {
      log("cache read failed; treated as a miss", err);
      found.clear();
    }
    return found;
  }

  async put(key: string, value: CachedAnswer, ttlSeconds: number): Promise<void> {
    try {
      await this.kv.put(key, JSON.stringify(value), { expirationTtl: ttlSeconds });
    } catch (err) {
      log("cache write failed", err);
    }
  }
}
