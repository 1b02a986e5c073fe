import { createCounting } from "./counting.js";
import gateway from "./gateway.js";

// The counting worker's main module (bench/worker.ts): the deploy bundle, imported as
// `./gateway.js`, behind the counting wrappers of bench/counting.js. It runs as a worker of its
// own next to the measured gateway, which stays the plain bundle; the load phases never reach it.
// Durable Object classes are the bundle's own.
export * from "./gateway.js";

/** Made on the first event: its settings are a binding (BENCH_COUNTING, set by bench/worker.ts). */
let counting;
let bindings;

function setUp(env) {
  if (!counting) {
    const settings = JSON.parse(env.BENCH_COUNTING);
    counting = createCounting({ upstream: settings.upstream });
    bindings = settings.bindings;
    // The bundle looks `fetch` and `caches` up when it calls them, so replacing them here, before
    // its first request, is enough.
    globalThis.fetch = counting.wrapFetch(globalThis.fetch);
    Object.defineProperty(globalThis, "caches", {
      value: counting.wrapCaches(globalThis.caches),
      configurable: true,
      writable: true,
    });
  }
  return counting;
}

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

const handlers = {};
for (const [name, handler] of Object.entries(gateway)) {
  if (typeof handler !== "function") continue;
  handlers[name] = (event, env, ctx) => handler.call(gateway, event, setUp(env).wrapEnv(env, bindings), ctx);
}

export default {
  ...handlers,
  async fetch(request, env, ctx) {
    const c = setUp(env);
    const url = new URL(request.url);
    // GET /__bench/storage?request=<x-request-id>: that request's counts, once its work is done.
    if (url.pathname === "/__bench/storage") {
      const counts = await c.settle(url.searchParams.get("request") ?? "");
      return counts ? json(counts) : json({ error: "no such request, or its work never ended" }, 404);
    }
    return c.count(ctx, (countedCtx) => gateway.fetch(request, c.wrapEnv(env, bindings), countedCtx));
  },
};
