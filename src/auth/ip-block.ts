import { GatewayError } from "../errors/gateway-error";

/**
 * Slows down key guessing: failed authentications are counted per client IP (binding
 * AUTH_FAILURE_LIMIT, 20 a minute), and an IP past the limit is blocked for a minute.
 *
 * Counting alone is not enough: the rate-limit binding can only count, so a guess from an IP over
 * the limit would still be checked against D1, and a correct one would get in. Once over, the IP
 * is therefore marked blocked in the Cache API (caches.default: per data centre, where the
 * attacker's traffic lands; a local read of well under a millisecond; expiring by itself), and
 * every request from it is refused until the mark expires, whatever key it carries.
 *
 * Cost: the shared mark is read only on the failure path. Successful requests check this
 * isolate's own memory of blocks (set when it blocks an IP or reads a mark), which costs nothing;
 * a blocked IP's attempts keep landing on the same data centre and isolates, so its next failure
 * reads the mark and is refused. What this gives up: a *correct* key sent from a blocked IP to an
 * isolate that has not seen the block yet gets through, i.e. a 1-in-2^192 guess (keys are 192
 * random bits). Failures, what guessing is made of, are all refused.
 *
 * Limits: the Cache API works on custom domains, not on workers.dev (there only counting
 * applies); a data centre's mark does not protect another one (the binding's counts are per
 * location too). IPv6 clients are counted per /64, the block an end user usually holds.
 * Requests without `cf-connecting-ip` (local dev and tests; Cloudflare always sets it) are not
 * counted.
 * @see https://developers.cloudflare.com/workers/runtime-apis/cache/
 */

export const AUTH_BLOCK_SECONDS = 60;
const BLOCKED_UNTIL = "x-blocked-until";

/** Blocks this isolate knows of: client → epoch ms until which it is blocked. */
const knownBlocks = new Map<string, number>();
const MAX_KNOWN = 10_000;

function remember(client: string, until: number): void {
  if (knownBlocks.size >= MAX_KNOWN) knownBlocks.clear();
  knownBlocks.set(client, until);
}

const secondsUntil = (until: number) => Math.max(0, Math.ceil((until - Date.now()) / 1000));

export interface AuthFailureGuard {
  /** Seconds the client is blocked for as far as this isolate knows (no I/O); 0 when it is not. */
  knownBlock(): number;
  /** Seconds the client is still blocked for, from the shared mark; 0 when it is not. Never rejects. */
  blockedFor(): Promise<number>;
  /** Counts a failed authentication; true when it took the client over the limit (now blocked). */
  recordFailure(): Promise<boolean>;
}

/** The guard for a request's client, or null when the client's IP is unknown. */
export function authFailureGuard(
  env: Pick<Env, "AUTH_FAILURE_LIMIT">,
  request: Request,
): AuthFailureGuard | null {
  const ip = request.headers.get("cf-connecting-ip")?.trim();
  if (!ip) return null;
  const client = clientKey(ip);
  // A synthetic URL on the worker's own host (the cache is per zone), never routed to anyone.
  const mark = new Request(
    `${new URL(request.url).origin}/__switchboard/auth-blocks/${encodeURIComponent(client)}`,
  );
  return {
    knownBlock() {
      const until = knownBlocks.get(client) ?? 0;
      return until > Date.now() ? secondsUntil(until) : 0;
    },
    async blockedFor() {
      try {
        const hit = await caches.default.match(mark);
        const until = Number(hit?.headers.get(BLOCKED_UNTIL));
        if (!(until > Date.now())) return 0;
        remember(client, until);
        return secondsUntil(until);
      } catch (err) {
        // Fail open: the failure count still stops fast guessing; availability matters more.
        logCacheFailure(err);
        return 0;
      }
    },
    async recordFailure() {
      const { success } = await env.AUTH_FAILURE_LIMIT.limit({ key: `auth-failure:${client}` });
      if (success) return false;
      const until = Date.now() + AUTH_BLOCK_SECONDS * 1000;
      remember(client, until);
      try {
        await caches.default.put(
          mark,
          new Response(null, {
            headers: { "cache-control": `max-age=${AUTH_BLOCK_SECONDS}`, [BLOCKED_UNTIL]: String(until) },
          }),
        );
      } catch (err) {
        logCacheFailure(err);
      }
      return true;
    },
  };
}

export const authRateLimited = (seconds: number) =>
  new GatewayError(
    429,
    "rate_limit_error",
    "auth_rate_limited",
    `Too many failed authentications from this address; try again in ${seconds} seconds.`,
    { retryable: true, headers: { "retry-after": String(seconds) } },
  );

/**
 * What failures are counted by: the IPv4 address, or the /64 prefix of an IPv6 one (IPv4-mapped
 * addresses count as the IPv4 address). An address that does not parse counts as itself.
 */
export function clientKey(ip: string): string {
  const address = ip.toLowerCase();
  if (!address.includes(":")) return address;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  if (mapped?.[1]) return mapped[1];
  const halves = address.split("::");
  if (halves.length > 2) return address;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves[1] ? halves[1].split(":") : [];
  const groups =
    halves.length === 2
      ? [...head, ...Array(Math.max(0, 8 - head.length - tail.length)).fill("0"), ...tail]
      : head;
  const prefix = groups.slice(0, 4).map((g) => Number.parseInt(g, 16));
  if (prefix.length < 4 || prefix.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return address;
  return `${prefix.map((g) => g.toString(16)).join(":")}::/64`;
}

function logCacheFailure(err: unknown): void {
  console.error(
    JSON.stringify({
      level: "error",
      code: "auth_block_cache_failed",
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    }),
  );
}
