import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createUser, del, expectError, get, post, usageOf } from "../helpers";
import { ask, deployment, fiveSigma, tally, upstreamLog } from "./routing-helpers";

/**
 * A vendor's several keys (README "Routing across deployments"): calls use them by weight, a
 * session keeps its key, a key the vendor refuses is skipped and the call retried with another at
 * once, and the key's id (never its value) is reported.
 */

const MANY_CALLS_MS = 120_000;
const PRIMARY = "primary-key-aaaa-0001";

async function addKey(vendor: string, apiKey: string, weight?: number) {
  const res = await post(`/v1/vendors/${vendor}/keys`, { api_key: apiKey, ...(weight ? { weight } : {}) });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; weight: number; created_at: string };
}

async function alias(name: string, vendor: string) {
  const res = await post("/v1/model-configs", { alias: name, vendor, upstream_model: "inspect" });
  expect(res.status, res.text).toBe(201);
}

const bearer = (key: string) => `Bearer ${key}`;

beforeAll(async () => {
  await deployment("rotating", PRIMARY);
  await alias("rotating-model", "rotating");
});

describe("a vendor's keys", () => {
  it("adds a key without ever returning it, and lists ids, weights and last four characters", async () => {
    const secret = "second-key-bbbb-wxyz";
    const added = await addKey("rotating", secret, 3);
    expect(added).toEqual({ id: expect.stringMatching(/^vk_/), weight: 3, created_at: expect.any(String) });
    const got = await get("/v1/vendors/rotating");
    expect(got.text).not.toContain(secret);
    expect(got.json.keys).toEqual([
      { id: "primary", weight: 1, last_4: null, disabled_until: null, created_at: expect.any(String) },
      { id: added.id, weight: 3, last_4: "wxyz", disabled_until: null, created_at: added.created_at },
    ]);
    // Encrypted at rest, like the primary key.
    const row = await env.DB.prepare("select api_key_encrypted from vendor_keys where id = ?")
      .bind(added.id)
      .first<{ api_key_encrypted: string }>();
    expect(row?.api_key_encrypted).toMatch(/^v1\./);
    expect(row?.api_key_encrypted).not.toContain(secret);
    expect((await del(`/v1/vendors/rotating/keys/${added.id}`)).status).toBe(204);
  });

  it("validates keys and answers for unknown ones", async () => {
    for (const [body, param] of [
      [{ api_key: "" }, "api_key"],
      [{ api_key: "k", weight: 0 }, "weight"],
      [{ api_key: "k", weight: 1001 }, "weight"],
      [{ api_key: "k", extra: 1 }, undefined],
    ] as const) {
      const err = expectError(await post("/v1/vendors/rotating/keys", body), 400, "invalid_request_error");
      if (param) expect(err.param, JSON.stringify(body)).toBe(param);
    }
    expectError(await post("/v1/vendors/nowhere/keys", { api_key: "k" }), 404, "not_found_error");
    expectError(await del("/v1/vendors/rotating/keys/vk_nope"), 404, "not_found_error");
    expectError(await del("/v1/vendors/openai/keys/environment"), 409, "conflict_error", "environment_key");
    const user = await createUser();
    expect((await post("/v1/vendors/rotating/keys", { api_key: "k" }, { key: user.key })).status).toBe(403);
  });

  it(
    "uses the keys by weight, 1:3 over 400 calls, and a session keeps its key",
    async () => {
      const second = "weighted-key-cccc-0003";
      const added = await addKey("rotating", second, 3);
      const used: string[] = [];
      for (let i = 0; i < 400; i++) {
        const r = await ask("rotating-model");
        expect(r.status, r.text).toBe(200);
        const id = r.headers.get("x-switchboard-vendor-key");
        expect(r.authorization).toBe(bearer(id === "primary" ? PRIMARY : second));
        used.push(id ?? "none");
      }
      const counts = tally(used);
      const tolerance = fiveSigma(0.25, 400);
      expect(Math.abs((counts.primary ?? 0) / 400 - 0.25), JSON.stringify(counts)).toBeLessThan(tolerance);
      expect(Math.abs((counts[added.id] ?? 0) / 400 - 0.75), JSON.stringify(counts)).toBeLessThan(tolerance);

      const session = { headers: { "x-claude-code-session-id": "key-session" } };
      const first = await ask("rotating-model", session);
      for (let i = 0; i < 50; i++)
        expect((await ask("rotating-model", session)).authorization).toBe(first.authorization);

      // Removing a key takes effect at once: rotation is add the new one, then delete the old.
      expect((await del(`/v1/vendors/rotating/keys/${added.id}`)).status).toBe(204);
      for (let i = 0; i < 20; i++) expect((await ask("rotating-model")).authorization).toBe(bearer(PRIMARY));
    },
    MANY_CALLS_MS,
  );

  it("skips a key the vendor refuses, retrying the call at once with another, and shows it disabled", async () => {
    await deployment("refusing", "good-key-dddd-0004");
    await alias("refusing-model", "refusing");
    const bad = await addKey("refusing", "refused-key-eeee-0005", 1000);
    // A user's key: the vendor's keys come from the hot path's one statement (and its cache).
    const { key } = await createUser();
    let retried: Awaited<ReturnType<typeof ask>> | undefined;
    for (let i = 0; i < 20; i++) {
      const r = await ask("refusing-model", { key });
      expect(r.status, r.text).toBe(200);
      expect(r.authorization).toBe(bearer("good-key-dddd-0004"));
      expect(r.headers.get("x-switchboard-vendor-key")).toBe("primary");
      if (r.headers.get("x-switchboard-retries") === "1") retried = r;
    }
    // The bad key (picked first 1000 times in 1001) was sent once: then skipped.
    const refusals = (await upstreamLog("inspect")).filter(
      (r) => r.path.startsWith("/deploy/refusing/") && r.headers.authorization?.includes("refused"),
    );
    expect(refusals).toHaveLength(1);
    expect(retried).toBeDefined();
    const row = await usageOf(retried?.headers.get("x-request-id") as string);
    expect(row).toMatchObject({ vendor: "refusing", vendor_key_id: "primary", retries: 1, status: 200 });

    const keys = (await get("/v1/vendors/refusing")).json.keys as {
      id: string;
      disabled_until: string | null;
    }[];
    const shown = keys.find((k) => k.id === bad.id);
    expect(Date.parse(shown?.disabled_until ?? "")).toBeGreaterThan(Date.now());
    // Recorded in D1 too (after the response), so other isolates skip it and stats show it.
    let recorded: number | null = null;
    for (let i = 0; i < 100 && !recorded; i++) {
      recorded =
        (
          await env.DB.prepare("select disabled_until from vendor_keys where id = ?")
            .bind(bad.id)
            .first<{ disabled_until: number | null }>()
        )?.disabled_until ?? null;
      if (!recorded) await new Promise((r) => setTimeout(r, 20));
    }
    expect(recorded).toBeGreaterThan(Date.now());
    const stats = await get("/v1/admin/stats?window_minutes=60");
    const target = stats.json.targets.find((t: any) => t.vendor === "refusing");
    expect(target.keys.map((k: any) => k.id)).toEqual(["primary"]);
  });

  it("answers the vendor's refusal when every key is refused", async () => {
    await deployment("all-refused", "refused-key-ffff-0006");
    await alias("all-refused-model", "all-refused");
    const r = await ask("all-refused-model");
    expect(r.status).toBe(502);
    expect(JSON.parse(r.text).error.code).toBe("upstream_auth_failed");
  });

  it("clears the primary key with DELETE …/keys/primary", async () => {
    await deployment("clearing", "clear-me-gggg-0007");
    const extra = await addKey("clearing", "stays-hhhh-0008");
    expect((await del("/v1/vendors/clearing/keys/primary")).status).toBe(204);
    const got = await get("/v1/vendors/clearing");
    expect(got.json.keys.map((k: any) => k.id)).toEqual([extra.id]);
    expect(got.json.api_key_source).toBeNull();
    expectError(await del("/v1/vendors/clearing/keys/primary"), 404, "not_found_error");
    // Deleting the vendor deletes its keys.
    expect((await del("/v1/vendors/clearing")).status).toBe(204);
    const left = await env.DB.prepare(
      "select count(*) as n from vendor_keys where vendor = 'clearing'",
    ).first<{
      n: number;
    }>();
    expect(left?.n).toBe(0);
  });
});
