/**
 * Storage round trips of a request, counted on the real local bindings through thin wrappers:
 * every executed D1 statement or batch, every Durable Object RPC, every KV and Cache API call is
 * one entry of an ordered log, and so is every fetch to a vendor (`upstream`), so a test can ask
 * what ran before the vendor was called. Nothing is imitated: each call goes on to the binding.
 */

export type Trip =
  | { kind: "d1"; what: string }
  | { kind: "do"; what: string }
  | { kind: "kv"; what: string }
  | { kind: "cache"; what: string }
  | { kind: "upstream"; what: string };

/** Calls through to `target`, methods bound to it (a Proxy's default would bind them to the proxy). */
const passThrough = <T extends object>(target: T, prop: string | symbol) => {
  const value = Reflect.get(target, prop, target);
  return typeof value === "function" ? value.bind(target) : value;
};

const RUN_METHODS = new Set(["first", "all", "run", "raw"]);

/** A D1 database (or session) whose statements and batches are logged when they run. */
export function countingD1<T extends D1Database | D1DatabaseSession>(db: T, log: Trip[]): T {
  const targets = new WeakMap<object, D1PreparedStatement>();
  const wrap = (stmt: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === "bind") return (...args: unknown[]) => wrap(target.bind(...args), sql);
        if (typeof prop === "string" && RUN_METHODS.has(prop)) {
          return (...args: unknown[]) => {
            log.push({ kind: "d1", what: sql });
            return (target[prop as "all"] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return passThrough(target, prop);
      },
    });
    targets.set(proxy, stmt);
    return proxy;
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql), sql);
      if (prop === "batch") {
        return (stmts: D1PreparedStatement[]) => {
          log.push({ kind: "d1", what: `batch(${stmts.length})` });
          return target.batch(stmts.map((s) => targets.get(s) ?? s));
        };
      }
      if (prop === "exec") {
        return (sql: string) => {
          log.push({ kind: "d1", what: sql });
          return (target as D1Database).exec(sql);
        };
      }
      if (prop === "withSession") {
        return (constraint?: string) => countingD1((target as D1Database).withSession(constraint), log);
      }
      return passThrough(target, prop);
    },
  });
}

/** A Durable Object namespace whose stubs log each RPC (ids and `get` are no round trip). */
function countingNamespace<T extends DurableObjectNamespace>(ns: T, log: Trip[]): T {
  return new Proxy(ns, {
    get(target, prop) {
      if (prop !== "get") return passThrough(target, prop);
      return (id: DurableObjectId) => {
        const stub = target.get(id);
        return new Proxy(stub, {
          get(s, method) {
            const value = Reflect.get(s, method, s);
            if (typeof value !== "function" || typeof method !== "string") return value;
            return (...a: unknown[]) => {
              log.push({ kind: "do", what: method });
              // Reflect.apply: `.apply` on an RPC stub's method would be an RPC call of its own.
              return Reflect.apply(value as (...x: unknown[]) => unknown, s, a);
            };
          },
        });
      };
    },
  });
}

function countingKv(kv: KVNamespace, log: Trip[]): KVNamespace {
  return new Proxy(kv, {
    get(target, prop) {
      const value = passThrough(target, prop);
      if (typeof value !== "function" || typeof prop !== "string") return value;
      return (...a: unknown[]) => {
        log.push({ kind: "kv", what: prop });
        return value(...a);
      };
    },
  });
}

/**
 * The test env with its storage bindings counted. Wrap the request's run in `traced` too, so the
 * Cache API and the vendor fetches are logged (they are globals, not bindings).
 */
export function storageTrips(env: Cloudflare.Env) {
  const log: Trip[] = [];
  const counted: Cloudflare.Env = {
    ...env,
    DB: countingD1(env.DB, log),
    BUDGETS: countingNamespace(env.BUDGETS, log),
    CACHE: countingKv(env.CACHE, log),
  };
  const upstreamBase = new URL(env.MOCK_UPSTREAM_URL).origin;
  /** Runs `work` with fetch and caches.default logged; both are restored after it settles. */
  async function traced<R>(work: () => Promise<R>): Promise<R> {
    const realFetch = globalThis.fetch;
    const cache = caches.default;
    const realMatch = cache.match;
    const realPut = cache.put;
    globalThis.fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.startsWith(upstreamBase) && !url.includes("/__")) log.push({ kind: "upstream", what: url });
      return realFetch(input, init);
    };
    cache.match = (...a: Parameters<Cache["match"]>) => {
      log.push({ kind: "cache", what: "match" });
      return realMatch.apply(cache, a);
    };
    cache.put = (...a: Parameters<Cache["put"]>) => {
      log.push({ kind: "cache", what: "put" });
      return realPut.apply(cache, a);
    };
    try {
      return await work();
    } finally {
      globalThis.fetch = realFetch;
      cache.match = realMatch;
      cache.put = realPut;
    }
  }
  /** What ran before the first vendor fetch (everything, if none was made). */
  const beforeUpstream = (): Trip[] => {
    const at = log.findIndex((t) => t.kind === "upstream");
    return at < 0 ? [...log] : log.slice(0, at);
  };
  return { env: counted, log, traced, beforeUpstream };
}
