import { describe, expect, it } from "vitest";
import { createCounting, emptyCounts } from "../../bench/counting.js";

/**
 * bench/counting.js, the counting worker's wrappers, on fake bindings in Node (its
 * AsyncLocalStorage is node:async_hooks' here as in workerd with nodejs_compat).
 */

const UPSTREAM = "http://127.0.0.1:7";
const tick = () => new Promise((r) => setTimeout(r, 1));

/** A D1 database as the runtime's is shaped, with a private field its methods need. */
class FakeStatement {
  readonly #db: FakeD1;
  constructor(
    db: FakeD1,
    readonly sql: string,
    readonly params: unknown[] = [],
  ) {
    this.#db = db;
  }
  bind(...params: unknown[]) {
    return new FakeStatement(this.#db, this.sql, params);
  }
  async first() {
    await tick();
    return { sql: this.sql, params: this.params };
  }
  async all() {
    return { results: [] };
  }
  async run() {
    return { success: true };
  }
  async raw() {
    return [];
  }
}
class FakeD1 {
  readonly batches: unknown[][] = [];
  prepare(sql: string) {
    return new FakeStatement(this, sql);
  }
  async batch(statements: unknown[]) {
    // The runtime's batch reads its statements' own fields: it must be handed the real ones.
    if (!statements.every((s) => s instanceof FakeStatement && Object.hasOwn(s, "sql"))) {
      throw new Error("not real statements");
    }
    this.batches.push(statements);
    return statements.map(() => ({ results: [] }));
  }
  async exec(_sql: string) {
    return { count: 1 };
  }
  withSession() {
    return new FakeD1();
  }
}

const calls: string[] = [];
/** A Durable Object stub: any property is an RPC method, but its id and name. */
const stubOf = (name: string): Record<string, any> =>
  new Proxy({ id: `id:${name}`, name } as Record<string, unknown>, {
    get: (target, prop) =>
      prop in target || typeof prop === "symbol"
        ? target[prop as string]
        : async (...args: unknown[]) => {
            calls.push(`${String(prop)}(${args.join(",")})`);
            return "ok";
          },
  });
const fakeEnv = () => ({
  DB: new FakeD1(),
  BUDGETS: {
    idFromName: (name: string) => ({ name }),
    get: (id: { name: string }) => stubOf(id.name),
    getByName: (name: string) => stubOf(name),
  },
  CACHE: {
    get: async (_key: string) => null,
    getWithMetadata: async (_key: string) => ({ value: null }),
    list: async () => ({ keys: [] }),
    put: async (_key: string, _value: string) => {},
    delete: async (_key: string) => {},
  },
  USAGE_QUEUE: { send: async (_body: unknown) => {}, sendBatch: async (_messages: unknown[]) => {} },
  RATE_LIMIT_600: { limit: async (_options: { key: string }) => ({ success: true }) },
  SOME_VAR: "plain",
});
const KINDS = {
  DB: "d1",
  BUDGETS: "do",
  CACHE: "kv",
  USAGE_QUEUE: "queue",
  RATE_LIMIT_600: "ratelimit",
} as const;
const fakeCaches = () => {
  const cache = {
    match: async (_key: string) => undefined,
    put: async (_key: string, _value: Response) => {},
    delete: async (_key: string) => true,
  };
  return { default: cache, open: async (_name: string) => cache };
};

/** A ctx that keeps what was handed to waitUntil. */
const fakeCtx = () => {
  const kept: Promise<unknown>[] = [];
  return { kept, waitUntil: (p: Promise<unknown>) => void kept.push(p) };
};
const answer = (id: string) => new Response("ok", { headers: { "x-request-id": id } });

describe("the counting wrappers", () => {
  it("count D1 round trips and statements: a statement's call, a batch, an exec, a session's", async () => {
    const counting = createCounting({ upstream: UPSTREAM });
    const real = fakeEnv();
    const env = counting.wrapEnv(real, KINDS);
    await counting.count(fakeCtx(), async () => {
      const row = await env.DB.prepare("SELECT ?").bind(1).first();
      expect(row).toEqual({ sql: "SELECT ?", params: [1] }); // the private field still works
      await env.DB.batch([env.DB.prepare("a"), env.DB.prepare("b").bind(2), env.DB.prepare("c")]);
      await env.DB.exec("PRAGMA x");
      const session = env.DB.withSession();
      await session.prepare("d").all();
      await session.prepare("e").raw();
      await env.DB.prepare("f").run();
      return answer("req_d1");
    });
    expect(real.DB.batches[0]).toHaveLength(3);
    const c = await counting.settle("req_d1");
    expect(c?.total).toMatchObject({ d1RoundTrips: 6, d1Statements: 8 });
    expect(env.DB.prepare("x")).toBeInstanceOf(FakeStatement);
  });

  it("count a Durable Object's method calls, not its id or stub, and KV, queue and rate-limit calls", async () => {
    const counting = createCounting({ upstream: UPSTREAM });
    const env = counting.wrapEnv(fakeEnv(), KINDS);
    calls.length = 0;
    await counting.count(fakeCtx(), async () => {
      const stub = env.BUDGETS.get(env.BUDGETS.idFromName("usr_1"));
      expect(stub.id).toBe("id:usr_1");
      expect(await stub.reserve(5)).toBe("ok");
      await env.BUDGETS.getByName("usr_2").settle("r", 1);
      await env.CACHE.get("k");
      await env.CACHE.getWithMetadata("k");
      await env.CACHE.list();
      await env.CACHE.put("k", "v");
      await env.CACHE.delete("k");
      await env.USAGE_QUEUE.send({ a: 1 });
      await env.USAGE_QUEUE.sendBatch([{ body: 1 }, { body: 2 }]);
      await env.RATE_LIMIT_600.limit({ key: "k" });
      return answer("req_kinds");
    });
    expect(calls).toEqual(["reserve(5)", "settle(r,1)"]);
    expect((await counting.settle("req_kinds"))?.total).toEqual({
      ...emptyCounts(),
      doCalls: 2,
      kvReads: 3,
      kvWrites: 2,
      queueSends: 2,
      queueMessages: 3,
      ratelimitCalls: 1,
    });
  });

  it("count the Cache API's matches and writes, on the default cache and an opened one", async () => {
    const counting = createCounting({ upstream: UPSTREAM });
    const caches = counting.wrapCaches(fakeCaches());
    await counting.count(fakeCtx(), async () => {
      await caches.default.match("https://k");
      await caches.default.put("https://k", new Response("v"));
      await (await caches.open("named")).delete("https://k");
      return answer("req_cache");
    });
    expect((await counting.settle("req_cache"))?.total).toMatchObject({ cacheReads: 1, cacheWrites: 2 });
  });

  it("wrap an env once and each binding once, and pass everything else through", () => {
    const counting = createCounting({ upstream: UPSTREAM });
    const real = fakeEnv();
    const env = counting.wrapEnv(real, KINDS);
    expect(counting.wrapEnv(real, KINDS)).toBe(env);
    // Another env object holding the same binding gets the same wrapper (caches keyed on it hold).
    expect(counting.wrapEnv({ ...real }, KINDS).DB).toBe(env.DB);
    expect(env.SOME_VAR).toBe("plain");
    expect(env.DB).not.toBe(real.DB);
    expect(() => counting.wrapEnv({ X: {} }, { X: "r2" } as never)).toThrow(/unknown binding kind r2/);
  });
});

describe("attribution", () => {
  it("charges each call to the request whose async context made it, however they interleave", async () => {
    const counting = createCounting({ upstream: UPSTREAM });
    const env = counting.wrapEnv(fakeEnv(), KINDS);
    const request = (id: string, reads: number) =>
      counting.count(fakeCtx(), async () => {
        for (let i = 0; i < reads; i++) {
          await tick();
          await env.DB.prepare("SELECT 1").first();
        }
        return answer(id);
      });
    await Promise.all([request("req_a", 3), request("req_b", 1), request("req_c", 2)]);
    const reads = async (id: string) => (await counting.settle(id))?.total.d1RoundTrips;
    expect([await reads("req_a"), await reads("req_b"), await reads("req_c")]).toEqual([3, 1, 2]);
  });

  it("counts before the first upstream fetch apart, and waitUntil work in the total once it is done", async () => {
    const counting = createCounting({ upstream: UPSTREAM });
    const env = counting.wrapEnv(fakeEnv(), KINDS);
    const fetched: string[] = [];
    const fetch = counting.wrapFetch(async (input: string | URL | Request) => {
      fetched.push(String(input instanceof Request ? input.url : input));
      return new Response("upstream");
    });
    let finish = () => {};
    const later = new Promise<void>((r) => {
      finish = r;
    });
    await counting.count(fakeCtx(), async (ctx) => {
      await env.DB.prepare("auth").first();
      await fetch("http://127.0.0.1:70/not-the-vendor"); // another origin: not upstream
      await env.CACHE.get("breaker");
      await fetch(new Request(`${UPSTREAM}/openai/v1/chat/completions`, { method: "POST" }));
      await fetch(`${UPSTREAM}/openai/v1/chat/completions`); // a retry: counted, changes nothing before
      await env.DB.prepare("store").run();
      ctx.waitUntil(
        (async () => {
          await later;
          await env.USAGE_QUEUE.send({ usage: 1 });
          await env.DB.prepare("touch").run();
        })(),
      );
      return answer("req_up");
    });
    expect(fetched).toHaveLength(3);
    const settled = counting.settle("req_up", { pollMs: 1 });
    await tick();
    finish();
    const c = await settled;
    expect(c?.upstream).toBe(true);
    expect(c?.beforeUpstream).toEqual({ ...emptyCounts(), d1RoundTrips: 1, d1Statements: 1, kvReads: 1 });
    expect(c?.total).toEqual({
      ...emptyCounts(),
      d1RoundTrips: 3,
      d1Statements: 3,
      kvReads: 1,
      queueSends: 1,
      queueMessages: 1,
      upstreamFetches: 2,
    });
    expect(c?.unattributed).toEqual(emptyCounts());
    // Read once: then forgotten.
    expect(await counting.settle("req_up")).toBeUndefined();
  });

  it("without an upstream call, the part before upstream is what was done before the answer", async () => {
    const counting = createCounting({ upstream: UPSTREAM });
    const env = counting.wrapEnv(fakeEnv(), KINDS);
    await counting.count(fakeCtx(), async (ctx) => {
      await env.CACHE.get("entry");
      ctx.waitUntil(env.USAGE_QUEUE.send({ usage: 1 }));
      return answer("req_hit");
    });
    // The send was made before the answer went, inside waitUntil.
    const c = await counting.settle("req_hit");
    expect(c?.upstream).toBe(false);
    expect(c?.beforeUpstream).toMatchObject({ kvReads: 1, queueSends: 1 });
    expect(c?.total).toMatchObject({ kvReads: 1, queueSends: 1 });
  });

  it("hands the real ctx the waitUntil promises, charges calls outside any request to none, and gives up on work that never ends", async () => {
    const counting = createCounting({ upstream: UPSTREAM });
    const env = counting.wrapEnv(fakeEnv(), KINDS);
    const ctx = fakeCtx();
    await counting.count(ctx, async (counted) => {
      counted.waitUntil(new Promise(() => {}));
      return answer("req_stuck");
    });
    expect(ctx.kept).toHaveLength(1);
    await env.DB.prepare("a queue consumer's insert").run();
    await counting.count(fakeCtx(), async () => answer("req_next"));
    expect((await counting.settle("req_next"))?.unattributed).toMatchObject({ d1RoundTrips: 1 });
    expect(await counting.settle("req_stuck", { timeoutMs: 20, pollMs: 5 })).toBeUndefined();
    expect(await counting.settle("req_unknown")).toBeUndefined();
  });
});
