import { beforeAll, describe, expect, it } from "vitest";
import { createUser, del, expectError, get, patch, post, scenario, usageOf } from "../helpers";
import { ask, deployment, fiveSigma, tally, upstreamLog } from "./routing-helpers";

/**
 * Weighted routing across deployments (README "Routing across deployments"): an alias's targets
 * share its calls by weight among those whose circuit is closed, calls of one session stay on one
 * target, and x-switchboard-model and the usage record say which target answered.
 */

/** Room for hundreds of calls on a slow machine (a bound on the test, not an assertion). */
const MANY_CALLS_MS = 120_000;

beforeAll(async () => {
  await deployment("east");
  await deployment("west");
  await deployment("north");
});

async function alias(name: string, targets: { vendor: string; upstream_model: string; weight?: number }[]) {
  const res = await post("/v1/model-configs", { alias: name, targets });
  expect(res.status, res.text).toBe(201);
  return res;
}

describe("an alias with several targets", () => {
  it(
    "spreads calls by weight: 3:1 over 400 calls, each share within 5 standard deviations",
    async () => {
      await alias("spread", [
        { vendor: "east", upstream_model: "inspect", weight: 3 },
        { vendor: "west", upstream_model: "inspect" },
      ]);
      const seen: string[] = [];
      for (let i = 0; i < 400; i++) {
        const r = await ask("spread");
        expect(r.status, r.text).toBe(200);
        // The header names the target the mock saw the call on.
        expect(r.headers.get("x-switchboard-model")).toBe(`${r.deployment}/inspect`);
        seen.push(r.deployment);
      }
      const counts = tally(seen);
      const tolerance = fiveSigma(0.75, 400); // ≈ 0.108
      expect(Math.abs((counts.east ?? 0) / 400 - 0.75), JSON.stringify(counts)).toBeLessThan(tolerance);
      expect(Math.abs((counts.west ?? 0) / 400 - 0.25), JSON.stringify(counts)).toBeLessThan(tolerance);
    },
    MANY_CALLS_MS,
  );

  it("lists its targets on GET, and a plain config as one target", async () => {
    const got = await get("/v1/model-configs/spread");
    expect(got.json).toMatchObject({
      vendor: "east",
      upstream_model: "inspect",
      targets: [
        { vendor: "east", upstream_model: "inspect", weight: 3 },
        { vendor: "west", upstream_model: "inspect", weight: 1 },
      ],
    });
    const plain = await post("/v1/model-configs", {
      alias: "plain",
      vendor: "east",
      upstream_model: "inspect",
    });
    expect(plain.json.targets).toEqual([{ vendor: "east", upstream_model: "inspect", weight: 1 }]);
  });

  it("validates targets, naming the field", async () => {
    const t = (vendor: string, weight?: unknown) => ({ vendor, upstream_model: "m", weight });
    const cases: [unknown, string, string][] = [
      [[], "targets", "invalid_body"],
      [
        Array.from({ length: 17 }, (_, i) => ({ vendor: "east", upstream_model: `m${i}` })),
        "targets",
        "invalid_body",
      ],
      [[t("east", 0)], "targets.0.weight", "invalid_body"],
      [[t("east"), t("west", 1001)], "targets.1.weight", "invalid_body"],
      [[t("east", 1.5)], "targets.0.weight", "invalid_body"],
      [[t("east"), { vendor: "west" }], "targets.1.upstream_model", "invalid_body"],
      [[t("east"), t("nowhere")], "targets.1.vendor", "unknown_vendor"],
      [[t("east"), t("east", 2)], "targets.1", "duplicate_target"],
    ];
    for (const [targets, param, code] of cases) {
      const created = await post("/v1/model-configs", { alias: "bad-targets", targets });
      expect(expectError(created, 400, "invalid_request_error", code).param, JSON.stringify(targets)).toBe(
        param,
      );
      const patched = await patch("/v1/model-configs/spread", { targets });
      expect(expectError(patched, 400, "invalid_request_error", code).param, JSON.stringify(targets)).toBe(
        param,
      );
    }
    const both = await post("/v1/model-configs", {
      alias: "bad-targets",
      vendor: "east",
      targets: [t("west")],
    });
    expect(expectError(both, 400, "invalid_request_error").param).toBe("targets");
    const neither = await post("/v1/model-configs", { alias: "bad-targets" });
    expect(expectError(neither, 400, "invalid_request_error").param).toBe("vendor");
    expect((await get("/v1/model-configs/bad-targets")).status).toBe(404);
    // 16 targets at weight 1000 is the most there may be.
    const most = Array.from({ length: 16 }, (_, i) => ({
      vendor: "east",
      upstream_model: `m${i}`,
      weight: 1000,
    }));
    expect((await post("/v1/model-configs", { alias: "most", targets: most })).status).toBe(201);
  });

  it("refuses to delete a vendor a config names only among its targets", async () => {
    await alias("second-only", [
      { vendor: "east", upstream_model: "inspect" },
      { vendor: "north", upstream_model: "inspect" },
    ]);
    const res = await del("/v1/vendors/north");
    expect(expectError(res, 409, "conflict_error", "vendor_in_use").message).toContain("second-only");
  });

  it(
    "keeps a session on one target over 50 calls, and spreads different sessions",
    async () => {
      await alias("sticky", [
        { vendor: "east", upstream_model: "inspect" },
        { vendor: "west", upstream_model: "inspect" },
      ]);
      const sources: { headers?: Record<string, string>; body?: Record<string, unknown> }[] = [
        { headers: { "x-claude-code-session-id": "claude-session-1" } },
        { headers: { "x-session-id": "my-session-7" } },
        { body: { user: "end-user-42" } },
      ];
      for (const source of sources) {
        const first = await ask("sticky", source);
        for (let i = 0; i < 50; i++) expect((await ask("sticky", source)).deployment).toBe(first.deployment);
      }
      const firsts = new Set<string>();
      for (let i = 0; i < 40; i++) {
        firsts.add((await ask("sticky", { headers: { "x-session-id": `session-${i}` } })).deployment);
      }
      // 40 sessions all on one of two equal targets would happen once in 2^39 runs.
      expect([...firsts].sort()).toEqual(["east", "west"]);
    },
    MANY_CALLS_MS,
  );

  it(
    "keeps a Responses API call on one target by its prompt_cache_key",
    async () => {
      const where = async (cacheKey: string) => {
        const res = await post("/v1/responses", {
          model: "sticky",
          input: "where?",
          store: false,
          prompt_cache_key: cacheKey,
        });
        expect(res.status, res.text).toBe(200);
        const model = res.headers.get("x-switchboard-model");
        const seen = JSON.parse(res.json.output[0].content[0].text) as { path: string };
        expect(seen.path.startsWith(`/deploy/${model?.split("/")[0]}/`), seen.path).toBe(true);
        return model;
      };
      const first = await where("cache-key-1");
      for (let i = 0; i < 20; i++) expect(await where("cache-key-1")).toBe(first);
      const firsts = new Set<string | null>();
      for (let i = 0; i < 40; i++) firsts.add(await where(`cache-key-${i}`));
      expect([...firsts].sort()).toEqual(["east/inspect", "west/inspect"]);
    },
    MANY_CALLS_MS,
  );

  it("takes a target out while its circuit is open: its siblings answer, and it gets no calls", async () => {
    const failing = scenario("fail-500");
    await alias("guarded", [
      { vendor: "east", upstream_model: "inspect" },
      { vendor: "west", upstream_model: failing, weight: 1000 },
    ]);
    // A long cool-down, so the circuit stays open however slow the machine.
    const vars = { CIRCUIT_FAILURE_THRESHOLD: "2", CIRCUIT_COOLDOWN_MS: "600000" };
    for (let i = 0; i < 50 && (await upstreamLog(failing)).length < 2; i++) {
      // West fails; its sibling answers the same call.
      const r = await ask("guarded", { vars });
      expect(r.status, r.text).toBe(200);
      expect(r.deployment).toBe("east");
    }
    expect(await upstreamLog(failing)).toHaveLength(2);
    for (let i = 0; i < 20; i++) expect((await ask("guarded", { vars })).deployment).toBe("east");
    expect(await upstreamLog(failing)).toHaveLength(2);
  });

  it("falls back only once every target failed", async () => {
    const down = [scenario("fail-503"), scenario("fail-503")] as const;
    const res = await post("/v1/model-configs", {
      alias: "all-down",
      targets: [
        { vendor: "east", upstream_model: down[0] },
        { vendor: "west", upstream_model: down[1] },
      ],
      fallbacks: ["north/inspect"],
    });
    expect(res.status, res.text).toBe(201);
    const r = await ask("all-down");
    expect(r.status, r.text).toBe(200);
    expect(r.deployment).toBe("north");
    expect(r.headers.get("x-switchboard-fallback")).toBe("north/inspect");
    expect(await upstreamLog(down[0])).toHaveLength(1);
    expect(await upstreamLog(down[1])).toHaveLength(1);
  });

  it("records which target answered", async () => {
    const r = await ask("spread");
    const row = await usageOf(r.headers.get("x-request-id") as string);
    expect(row).toMatchObject({ vendor: r.deployment, upstream_model: "inspect", alias: "spread" });
    const stats = await get("/v1/admin/stats?window_minutes=60");
    expect(stats.status, stats.text).toBe(200);
    const east = stats.json.targets.find((t: any) => t.vendor === "east" && t.upstream_model === "inspect");
    expect(east.requests).toBeGreaterThan(0);
    expect(east.keys).toEqual([{ id: null, requests: east.requests, errors: east.errors }]);
  });

  it("stops using a target removed from the alias at once", async () => {
    await alias("shrinking", [
      { vendor: "east", upstream_model: "inspect" },
      { vendor: "west", upstream_model: "inspect" },
    ]);
    // A user's key: the alias comes from the hot path, cached, and the writes below must reach it.
    const { key } = await createUser();
    // Warms this isolate's cache with the alias as it is now.
    for (let i = 0; i < 5; i++) expect((await ask("shrinking", { key })).status).toBe(200);
    const res = await patch("/v1/model-configs/shrinking", {
      targets: [{ vendor: "west", upstream_model: "inspect" }],
    });
    expect(res.status, res.text).toBe(200);
    for (let i = 0; i < 20; i++) expect((await ask("shrinking", { key })).deployment).toBe("west");
    // Disabling a vendor takes its targets out too.
    await patch("/v1/model-configs/shrinking", {
      targets: [
        { vendor: "west", upstream_model: "inspect" },
        { vendor: "north", upstream_model: "inspect" },
      ],
    });
    expect((await patch("/v1/vendors/west", { enabled: false })).status).toBe(200);
    for (let i = 0; i < 20; i++) expect((await ask("shrinking", { key })).deployment).toBe("north");
    expect((await patch("/v1/vendors/west", { enabled: true })).status).toBe(200);
    // Back to one plain target: `vendor` on PATCH clears the list.
    const plain = await patch("/v1/model-configs/shrinking", { vendor: "east" });
    expect(plain.json.targets).toEqual([{ vendor: "east", upstream_model: "inspect", weight: 1 }]);
  });
});
