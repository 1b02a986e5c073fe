import type { CachedAnswer, ResponseCache } from "./types";

const log = (msg: string, err: unknown) =>
  console.error(
    JSON.stringify({ level: "warn", msg, error: err instanceof Error ? err.message : String(err) }),
  );

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

  async put(key: string, value: CachedAnswer, ttlSeconds: number): Promise<void> {
    try {
      await this.kv.put(key, JSON.stringify(value), { expirationTtl: ttlSeconds });
    } catch (err) {
      log("cache write failed", err);
    }
  }
}
