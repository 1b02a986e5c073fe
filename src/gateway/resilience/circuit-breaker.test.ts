import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "./circuit-breaker";

// A real Cache API cache (workerd), not a stand-in.
const breaker = async (name: string) =>
  new CircuitBreaker(await caches.open(name), { threshold: 3, cooldownMs: 1000 });

describe("CircuitBreaker", () => {
  it("opens at the threshold and reports how long it stays open", async () => {
    const b = await breaker("cb-open");
    const t = 1_000_000;
    await b.recordFailure("v", "m", t);
    await b.recordFailure("v", "m", t);
    expect(await b.check("v", "m", t)).toEqual({ openForMs: 0, failures: 2 });
    await b.recordFailure("v", "m", t);
    expect(await b.check("v", "m", t + 400)).toEqual({ openForMs: 600, failures: 3 });
    expect((await b.check("v", "m", t + 1000)).openForMs).toBe(0); // half-open
    expect(await b.check("v", "other", t)).toEqual({ openForMs: 0, failures: 0 });
  });

  it("re-opens on a failure while half-open, and closes on a success", async () => {
    const b = await breaker("cb-close");
    const t = 2_000_000;
    for (let i = 0; i < 3; i++) await b.recordFailure("v", "m", t);
    await b.recordFailure("v", "m", t + 1500);
    expect((await b.check("v", "m", t + 1600)).openForMs).toBe(900);
    await b.recordSuccess("v", "m");
    expect(await b.check("v", "m", t + 1600)).toEqual({ openForMs: 0, failures: 0 });
  });

  it("hears another isolate's failures within a second, looking them up after a call, not before", async () => {
    // Two handles on one cache: two isolates' memos over the same shared state.
    const here = new CircuitBreaker(await caches.open("cb-shared"), { threshold: 3, cooldownMs: 5000 });
    const elsewhere = await breaker("cb-shared");
    const t = Date.now();
    expect(await here.check("v", "m", t)).toEqual({ openForMs: 0, failures: 0 });
    for (let i = 0; i < 3; i++) await elsewhere.recordFailure("v", "m", t);
    // A fresh memo answers without a lookup; a stale one too (the call never waits)...
    expect((await here.check("v", "m", t + 100)).failures).toBe(0);
    expect((await here.check("v", "m", t + 1100)).failures).toBe(0);
    // ...until the lookup that follows a call has landed.
    here.refreshAfterCall("v", "m", t + 1100);
    await new Promise((r) => setTimeout(r, 50));
    expect((await here.check("v", "m", t + 1200)).failures).toBe(3);
  });
});
