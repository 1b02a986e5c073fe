import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Storage round trips per request, for `npm run bench`'s counting worker (bench/counting-entry.js)
 * only: the measured gateway never loads this. Each binding is wrapped once (so caches the gateway
 * keys on a binding's identity, like its Drizzle handle, behave as deployed) and each call is
 * charged to the request whose async context makes it (AsyncLocalStorage), so concurrent requests
 * and their waitUntil work are told apart. Calls made outside any request are `unattributed`.
 *
 * Counted: D1 round trips (a statement's first/all/run/raw, a batch, an exec, on the database or a
 * session of it) and statements; Durable Object calls (any method of a stub: getting the id or the
 * stub is free); KV reads (get, getWithMetadata, list) and writes (put, delete); Cache API matches
 * and writes (put, delete); queue sends (send, sendBatch) and messages; rate-limit calls; fetches
 * to the upstream origin. The first upstream fetch of a request freezes its `beforeUpstream` copy.
 * Plain JavaScript: workerd loads it as is; bench/counting.d.ts types it for the bench and tests.
 */

export const emptyCounts = () => ({
  d1RoundTrips: 0,
  d1Statements: 0,
  doCalls: 0,
  kvReads: 0,
  kvWrites: 0,
  cacheReads: 0,
  cacheWrites: 0,
  queueSends: 0,
  queueMessages: 0,
  ratelimitCalls: 0,
  upstreamFetches: 0,
});

const newRecord = () => ({ counts: emptyCounts(), beforeUpstream: null, atResponse: null, pending: 0 });

/** How many answered requests' records are kept for reading (the counting phase reads each one). */
const KEPT_RECORDS = 1000;

/**
 * An object that answers like `target` (its methods bound to it, so private fields and native
 * receivers work) except for `overrides`. The proxy's own target is an empty object with the same
 * prototype: no proxy invariant binds it to the real object's properties, and `instanceof` holds.
 */
function facade(target, overrides) {
  return new Proxy(Object.create(Object.getPrototypeOf(target)), {
    get(_, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop];
      const value = target[prop];
      return typeof value === "function" ? value.bind(target) : value;
    },
    has: (_, prop) => Object.hasOwn(overrides, prop) || prop in target,
  });
}

/**
 * @param {{ upstream: string }} options `upstream`: the vendors' origin; a fetch to a URL under it
 *   is an upstream call.
 */
export function createCounting({ upstream }) {
  const als = new AsyncLocalStorage();
  const unattributed = newRecord();
  /** Answered requests' records by the gateway's x-request-id, oldest first. */
  const records = new Map();
  const wrapped = new WeakMap();
  /** A wrapped D1 statement's real one, for batch(). */
  const realStatement = new WeakMap();

  const charge = (field, n = 1) => {
    (als.getStore() ?? unattributed).counts[field] += n;
  };
  const counted = (field, fn) =>
    function (...args) {
      charge(field);
      return fn.apply(this, args);
    };

  function d1(db) {
    return facade(db, {
      prepare: (sql) => statement(db.prepare(sql)),
      batch(statements) {
        charge("d1RoundTrips");
        charge("d1Statements", statements.length);
        return db.batch(statements.map((s) => realStatement.get(s) ?? s));
      },
      exec(sql) {
        charge("d1RoundTrips");
        charge("d1Statements");
        return db.exec(sql);
      },
      withSession: (...args) => d1(db.withSession(...args)),
    });
  }
  function statement(real) {
    const run =
      (method) =>
      (...args) => {
        charge("d1RoundTrips");
        charge("d1Statements");
        return real[method](...args);
      };
    const proxy = facade(real, {
      bind: (...values) => statement(real.bind(...values)),
      first: run("first"),
      all: run("all"),
      run: run("run"),
      raw: run("raw"),
    });
    realStatement.set(proxy, real);
    return proxy;
  }
  function durableObjects(ns) {
    return facade(ns, {
      get: (...args) => stub(ns.get(...args)),
      getByName: (...args) => stub(ns.getByName(...args)),
      jurisdiction: (...args) => durableObjects(ns.jurisdiction(...args)),
    });
  }
  /** Every method of a stub is a call to the object; its id and name are not. */
  function stub(real) {
    return new Proxy(Object.create(null), {
      get(_, prop) {
        if (typeof prop === "symbol" || prop === "id" || prop === "name" || prop === "then") {
          return real[prop];
        }
        return (...args) => {
          charge("doCalls");
          return real[prop](...args);
        };
      },
    });
  }
  const kv = (ns) =>
    facade(ns, {
      get: counted("kvReads", ns.get.bind(ns)),
      getWithMetadata: counted("kvReads", ns.getWithMetadata.bind(ns)),
      list: counted("kvReads", ns.list.bind(ns)),
      put: counted("kvWrites", ns.put.bind(ns)),
      delete: counted("kvWrites", ns.delete.bind(ns)),
    });
  const queue = (q) =>
    facade(q, {
      send(...args) {
        charge("queueSends");
        charge("queueMessages");
        return q.send(...args);
      },
      sendBatch(messages, ...rest) {
        charge("queueSends");
        charge("queueMessages", [...messages].length);
        return q.sendBatch(messages, ...rest);
      },
    });
  const ratelimit = (rl) => facade(rl, { limit: counted("ratelimitCalls", rl.limit.bind(rl)) });
  const kinds = { d1, do: durableObjects, kv, queue, ratelimit };

  function cache(real) {
    return facade(real, {
      match: counted("cacheReads", real.match.bind(real)),
      put: counted("cacheWrites", real.put.bind(real)),
      delete: counted("cacheWrites", real.delete.bind(real)),
    });
  }

  const once = (real, make) => {
    let w = wrapped.get(real);
    if (!w) {
      w = make(real);
      wrapped.set(real, w);
    }
    return w;
  };

  return {
    /**
     * `env` with each binding named in `bindings` (name → "d1" | "do" | "kv" | "queue" |
     * "ratelimit") wrapped; the same object for the same env, the same wrapper for the same binding.
     */
    wrapEnv(env, bindings) {
      return once(env, () => {
        const out = {};
        for (const key of Object.keys(env)) {
          const kind = bindings[key];
          if (kind && !kinds[kind]) throw new Error(`counting: unknown binding kind ${kind} for ${key}`);
          out[key] = kind ? once(env[key], kinds[kind]) : env[key];
        }
        return out;
      });
    },
    /** A CacheStorage whose `default` and opened caches count their calls. */
    wrapCaches(storage) {
      return facade(storage, {
        default: cache(storage.default),
        open: async (name) => cache(await storage.open(name)),
      });
    },
    /** A fetch that marks calls to the upstream origin; the first freezes `beforeUpstream`. */
    wrapFetch(realFetch) {
      return function fetch(input, init) {
        const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
        const record = als.getStore();
        if (record && (url === upstream || url.startsWith(`${upstream}/`))) {
          record.beforeUpstream ??= { ...record.counts };
          record.counts.upstreamFetches += 1;
        }
        return realFetch(input, init);
      };
    },
    /**
     * Runs `handler(ctx)` as one counted request: `ctx.waitUntil` is followed, so the record knows
     * when that work is done. The record is kept under the response's x-request-id.
     */
    async count(ctx, handler) {
      const record = newRecord();
      const countedCtx = facade(ctx, {
        waitUntil(promise) {
          record.pending += 1;
          const done = () => {
            record.pending -= 1;
          };
          Promise.resolve(promise).then(done, done);
          ctx.waitUntil(promise);
        },
      });
      const response = await als.run(record, () => handler(countedCtx));
      record.atResponse = { ...record.counts };
      const id = response.headers.get("x-request-id");
      if (id) {
        records.set(id, record);
        if (records.size > KEPT_RECORDS) records.delete(records.keys().next().value);
      }
      return response;
    },
    /**
     * The counts of the request answered with this x-request-id, once its waitUntil work is done
     * (polled on a timer of the caller's own: awaiting another request's promises is not allowed
     * in workerd), then forgotten; undefined when there is no such request or it stays busy.
     */
    async settle(requestId, { timeoutMs = 10_000, pollMs = 5 } = {}) {
      const record = records.get(requestId);
      if (!record) return undefined;
      const deadline = Date.now() + timeoutMs;
      while (record.pending > 0) {
        if (Date.now() > deadline) return undefined;
        await new Promise((r) => setTimeout(r, pollMs));
      }
      records.delete(requestId);
      return {
        upstream: record.beforeUpstream !== null,
        beforeUpstream: record.beforeUpstream ?? record.atResponse,
        total: { ...record.counts },
        unattributed: { ...unattributed.counts },
      };
    },
  };
}
