/**
 * A circuit breaker per vendor and model: after `threshold` consecutive failures (5xx, network,
 * timeouts: not the client's 4xx nor a vendor's 429) the model is skipped for `cooldownMs`, then
 * one call is let through (half-open); a success closes it, a failure opens it again.
 *
 * State lives in the Cache API, per data centre: shared by every isolate there (isolate memory
 * is not), written only on failures and on the first success after them, and read at most once
 * a second per isolate, beside the call (see MEMO_MS). Per data centre is the right scope for a breaker: an outage seen from
 * one location says little about another's path. (On workers.dev hostnames the Cache API stores
 * nothing, so the breaker never opens there; deploy on a custom domain.)
 */

export interface BreakerPolicy {
  threshold: number;
  cooldownMs: number;
}

interface BreakerState {
  failures: number;
  /** Epoch ms until which the circuit is open; 0 when closed. */
  openUntil: number;
}

const CLOSED: BreakerState = { failures: 0, openUntil: 0 };

const keyUrl = (vendor: string, model: string) =>
  `https://circuit.switchboard.invalid/${encodeURIComponent(vendor)}/${encodeURIComponent(model)}`;

/**
 * What this isolate last read or wrote, per cache: the Cache API stays the shared truth, but a
 * model is looked up at most once a second per isolate instead of on every call, and a warm call
 * never waits for it: a memo older than that is used as it is, and looked up again once the
 * vendor has answered (`refreshAfterCall`), so what another isolate recorded counts here a second
 * or so later. Only a model this isolate has never looked up, or a failure being counted, waits.
 */
const MEMO_MS = 1000;
interface Memo {
  state: BreakerState;
  at: number;
  /** When a lookup of this memo last began: one at a time, and one that never ended is retried. */
  lookedUpAt: number;
}
const memos = new WeakMap<Cache, Map<string, Memo>>();

export class CircuitBreaker {
  private readonly memo: Map<string, Memo>;

  constructor(
    private readonly cache: Cache,
    private readonly policy: BreakerPolicy,
  ) {
    let memo = memos.get(cache);
    if (!memo) {
      memo = new Map();
      memos.set(cache, memo);
    }
    this.memo = memo;
  }

  /** `settled`: a failure being counted waits for a stale memo's lookup (it writes the sum). */
  private async read(url: string, now = Date.now(), settled = false): Promise<BreakerState> {
    const known = this.memo.get(url);
    if (!known || (settled && now - known.at >= MEMO_MS)) return this.lookUp(url, now);
    return known.state;
  }

  private async lookUp(url: string, now: number): Promise<BreakerState> {
    const known = this.memo.get(url);
    if (known) known.lookedUpAt = now;
    let state = CLOSED;
    try {
      const hit = await this.cache.match(url);
      if (hit) state = (await hit.json()) as BreakerState;
    } catch {
      // a cache failure must never block calls
    }
    this.remember(url, state, now);
    return state;
  }

  private remember(url: string, state: BreakerState, now: number): void {
    if (this.memo.size > 1000) this.memo.clear();
    this.memo.set(url, { state, at: now, lookedUpAt: now });
  }

  private async write(url: string, state: BreakerState): Promise<void> {
    this.remember(url, state, Date.now());
    try {
      if (state.failures === 0) {
        await this.cache.delete(url);
        return;
      }
      const ttl = Math.ceil((this.policy.cooldownMs + 60_000) / 1000);
      await this.cache.put(url, Response.json(state, { headers: { "cache-control": `max-age=${ttl}` } }));
    } catch {
      // best effort: losing a count only delays opening
    }
  }

  /** `openForMs`: how long until calls may go again (0: now); `failures`: the current count. */
  async check(
    vendor: string,
    model: string,
    now = Date.now(),
  ): Promise<{ openForMs: number; failures: number }> {
    const state = await this.read(keyUrl(vendor, model), now);
    return { openForMs: state.openUntil > now ? state.openUntil - now : 0, failures: state.failures };
  }

  /** After a call the vendor answered: a stale memo is looked up beside the answer (never rejects). */
  refreshAfterCall(vendor: string, model: string, now = Date.now()): void {
    const url = keyUrl(vendor, model);
    const known = this.memo.get(url);
    if (!known || now - known.at < MEMO_MS || now - known.lookedUpAt < MEMO_MS) return;
    void this.lookUp(url, now);
  }

  async recordFailure(vendor: string, model: string, now = Date.now()): Promise<void> {
    const url = keyUrl(vendor, model);
    const state = await this.read(url, now, true);
    const failures = state.failures + 1;
    const openUntil = failures >= this.policy.threshold ? now + this.policy.cooldownMs : 0;
    await this.write(url, { failures, openUntil });
  }

  /** Closes the circuit (only called when `check` saw failures, so healthy calls write nothing). */
  async recordSuccess(vendor: string, model: string): Promise<void> {
    await this.write(keyUrl(vendor, model), CLOSED);
  }
}
