import type { CircuitBreaker } from "../resilience/circuit-breaker";
import type { Target } from "../resolve-model";
import { weightedOrder } from "./weighted-order";

export interface TargetOrder {
  /** The targets whose circuit is closed (or half-open), in the order to try them. */
  healthy: { target: Target; failures: number }[];
  /** The soonest an open circuit among the rest lets calls through again (0: none is open). */
  openForMs: number;
}

const targetId = (t: Target) => `${t.vendor.slug}/${t.upstreamModel}`;

/**
 * Which deployment a call uses, and which it tries next: the targets whose circuit is closed, by
 * weight (the session's rendezvous order when the call has one: weighted-order.ts). An open
 * circuit takes its target out until it lets a call through again; the circuit states are read
 * together (each from this isolate's memo on a warm call: no storage round trip).
 */
export async function targetOrder(
  targets: readonly Target[],
  breaker: CircuitBreaker | null,
  session: string | null,
): Promise<TargetOrder> {
  const health = await Promise.all(
    targets.map((t) =>
      breaker ? breaker.check(t.vendor.slug, t.upstreamModel) : { openForMs: 0, failures: 0 },
    ),
  );
  const healthy: TargetOrder["healthy"] = [];
  let openForMs = 0;
  for (const [i, target] of targets.entries()) {
    const h = health[i] ?? { openForMs: 0, failures: 0 };
    if (h.openForMs > 0) openForMs = openForMs ? Math.min(openForMs, h.openForMs) : h.openForMs;
    else healthy.push({ target, failures: h.failures });
  }
  const ordered = weightedOrder(
    healthy,
    (h) => targetId(h.target),
    (h) => h.target.weight,
    session,
  );
  return { healthy: ordered, openForMs };
}
