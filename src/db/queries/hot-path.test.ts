import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../client";
import { apiKeys } from "../schema";
import { readHotPath } from "./hot-path";

/**
 * The Sessions API's replica path: the local D1 has no replicas (its answers come from the
 * primary), so a replica is played by a session over the same database whose answers say they
 * came from elsewhere and, for a lagging one, hold no rows.
 */
function replicated(lagging: boolean) {
  const asked: string[] = [];
  const session = (constraint: string): D1DatabaseSession => {
    const real = env.DB.withSession(constraint as D1SessionConstraint);
    const replica = constraint === "first-unconstrained";
    return {
      getBookmark: () => real.getBookmark(),
      batch: (s) => real.batch(s),
      prepare: (sql) => {
        const stmt = real.prepare(sql);
        const wrap = (s: D1PreparedStatement): D1PreparedStatement =>
          Object.assign(Object.create(s), {
            bind: (...v: unknown[]) => wrap(s.bind(...v)),
            all: async () => {
              asked.push(constraint);
              const result = await s.all();
              if (!replica) return result;
              return {
                ...result,
                results: lagging ? [] : result.results,
                meta: { ...result.meta, served_by_primary: false },
              };
            },
          });
        return wrap(stmt);
      },
    };
  };
  const db = Object.assign(Object.create(env.DB), { withSession: session }) as D1Database;
  return { db, asked };
}

async function aKey() {
  const id = crypto.randomUUID();
  const hash = `hash-${id}`;
  await env.DB.batch([
    env.DB.prepare(
      "insert into users (id, email, role, created_at, updated_at) values (?, ?, 'user', 0, 0)",
    ).bind(`usr_${id}`, `${id}@example.com`),
    env.DB.prepare(
      "insert into api_keys (id, user_id, prefix, hash, created_at) values (?, ?, 'sk-sb-x', ?, 0)",
    ).bind(`key_${id}`, `usr_${id}`, hash),
  ]);
  return { hash, keyId: `key_${id}` };
}

describe("readHotPath through D1 sessions", () => {
  it("takes a replica's answer when it found the key", async () => {
    const { hash, keyId } = await aKey();
    const { db, asked } = replicated(false);
    expect((await readHotPath(db, hash, "openai/gpt-4o-mini"))?.key.id).toBe(keyId);
    expect(asked).toEqual(["first-unconstrained"]);
  });

  it("asks the primary when a replica did not find the key (created a moment ago, not there yet)", async () => {
    const { hash, keyId } = await aKey();
    const { db, asked } = replicated(true);
    expect((await readHotPath(db, hash, "openai/gpt-4o-mini"))?.key.id).toBe(keyId);
    expect(asked).toEqual(["first-unconstrained", "first-primary"]);
    // A key that is nowhere costs the two reads and is not found.
    expect(await readHotPath(db, "no-such-hash", "openai/gpt-4o-mini")).toBeUndefined();
  });

  it("asks the primary when a replica found the key but not the alias", async () => {
    const { hash } = await aKey();
    const { db, asked } = replicated(false);
    await readHotPath(db, hash, "an-alias-made-just-now");
    expect(asked).toEqual(["first-unconstrained", "first-primary"]);
    asked.length = 0;
    // `vendor/model` needs no config, and the key alone (model "") neither.
    await readHotPath(db, hash, "openai/gpt-4o-mini");
    await readHotPath(db, hash, "");
    expect(asked).toEqual(["first-unconstrained", "first-unconstrained"]);
  });
});

describe("readHotPath's key row", () => {
  it("is the row Drizzle reads, scopes included (a column this file forgets fails here)", async () => {
    const { hash, keyId } = await aKey();
    await env.DB.prepare(
      `update api_keys set models = ?, metadata = ?, budget_daily_usd = 1.5, budget_monthly_tokens = 9000,
       rate_limit_per_minute = 60 where id = ?`,
    )
      .bind(JSON.stringify(["mock/*", "fast"]), JSON.stringify({ team: "a" }), keyId)
      .run();
    const [drizzled] = await getDb(env.DB).select().from(apiKeys).where(eq(apiKeys.id, keyId));
    const read = await readHotPath(env.DB, hash, "");
    expect(read?.key).toEqual(drizzled);
    expect(read?.key).toMatchObject({
      models: ["mock/*", "fast"],
      metadata: { team: "a" },
      budgetDailyUsd: 1.5,
    });
  });
});
