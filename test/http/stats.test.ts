import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createUser, expectError, get } from "../helpers";

/** Per-vendor stats over seeded rows (this file's D1 has no other usage rows). */

const MINUTE = 60_000;

interface Seed {
  vendor: string | null;
  latency: number | null;
  ttft?: number | null;
  status?: number;
  cacheHit?: boolean;
  ageMs: number;
}

async function seed(rows: Seed[]) {
  const now = Date.now();
  await env.DB.batch(
    rows.map((r) =>
      env.DB.prepare(
        `insert into usage_events (id, request_id, route, vendor, upstream_model, latency_ms, ttft_ms, status,
           cache_hit, error_code, created_at) values (?, ?, 'chat.completions', ?, 'm', ?, ?, ?, ?, ?, ?)`,
      ).bind(
        `use_${crypto.randomUUID()}`,
        `req_${crypto.randomUUID()}`,
        r.vendor,
        r.latency,
        r.ttft ?? null,
        r.status ?? 200,
        r.cacheHit ? 1 : 0,
        (r.status ?? 200) >= 400 ? "upstream_unavailable" : null,
        now - r.ageMs,
      ),
    ),
  );
}

/** `count` rows of one vendor in one statement (a recursive CTE), newest `age` ms old. */
async function seedMany(vendor: string, count: number, latency: number, ageMs: number) {
  await env.DB.prepare(
    `with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
     insert into usage_events (id, request_id, route, vendor, latency_ms, status, created_at)
     select 'use_' || ? || '_' || i, 'req_many', 'chat.completions', ?, ?, 200, ? - i from n`,
  )
    .bind(count, `${vendor}_${latency}`, vendor, latency, Date.now() - ageMs)
    .run();
}

beforeAll(async () => {
  const rows: Seed[] = [];
  // stats-a: latencies 1..100 over the last ten minutes, in no particular time order; five
  // errors; ten streams with times to first token 10..100; three cache hits.
  for (let i = 1; i <= 100; i++) {
    rows.push({
      vendor: "stats-a",
      latency: i,
      ttft: i % 10 === 0 ? i : null,
      status: i % 20 === 0 ? 502 : 200,
      ageMs: ((i * 37) % 100) * 6000 + 1000,
    });
  }
  for (let i = 0; i < 3; i++) rows.push({ vendor: "stats-a", latency: 0, cacheHit: true, ageMs: MINUTE });
  // Outside the default 15 minutes, inside 30.
  rows.push({ vendor: "stats-a", latency: 5000, ageMs: 20 * MINUTE });
  rows.push({ vendor: "stats-b", latency: 700, ageMs: 2.5 * MINUTE });
  // A call that failed before any vendor was chosen.
  rows.push({ vendor: null, latency: 3, status: 404, ageMs: MINUTE });
  // Long gone.
  rows.push({ vendor: "stats-old", latency: 1, ageMs: 2 * 24 * 60 * MINUTE });
  await seed(rows);
  // stats-c: 2,100 calls; the newest 2,000 (the sample) took 10 ms, the 100 before them 1,000 ms.
  await seedMany("stats-c", 2000, 10, 3 * MINUTE);
  await seedMany("stats-c", 100, 1000, 8 * MINUTE);
});

const noVendor = {
  vendor: null,
  requests: 1,
  errors: 1,
  error_rate: 1,
  cache_hits: 0,
  latency_samples: 1,
  latency_p50_ms: 3,
  latency_p90_ms: 3,
  latency_p99_ms: 3,
  ttft_p50_ms: null,
};
const statsB = {
  vendor: "stats-b",
  requests: 1,
  errors: 0,
  error_rate: 0,
  cache_hits: 0,
  latency_samples: 1,
  latency_p50_ms: 700,
  latency_p90_ms: 700,
  latency_p99_ms: 700,
  ttft_p50_ms: null,
};
const statsC = {
  vendor: "stats-c",
  requests: 2100,
  errors: 0,
  error_rate: 0,
  cache_hits: 0,
  latency_samples: 2000,
  latency_p50_ms: 10,
  latency_p90_ms: 10,
  latency_p99_ms: 10,
  ttft_p50_ms: null,
};

describe("GET /v1/admin/stats", () => {
  it("gives each vendor's counts and latency percentiles over the last 15 minutes", async () => {
    const res = await get("/v1/admin/stats");
    expect(res.status, res.text).toBe(200);
    expect(res.json.window_minutes).toBe(15);
    expect(Date.parse(res.json.to) - Date.parse(res.json.from)).toBe(15 * MINUTE);
    expect(res.json.data).toEqual([
      noVendor,
      {
        vendor: "stats-a",
        requests: 103,
        errors: 5,
        error_rate: 0.0485,
        cache_hits: 3,
        // Cache hits are not the vendor's latency.
        latency_samples: 100,
        latency_p50_ms: 50,
        latency_p90_ms: 90,
        latency_p99_ms: 99,
        ttft_p50_ms: 50,
      },
      statsB,
      // Counts are exact; percentiles come from the newest 2,000 calls only.
      statsC,
    ]);
  });

  it("widens the window on request", async () => {
    const res = await get("/v1/admin/stats?window_minutes=30");
    expect(res.status, res.text).toBe(200);
    const a = res.json.data.find((v: { vendor: string }) => v.vendor === "stats-a");
    // 101 latencies: 1..100 and 5000; nearest rank 51, 91 and 100.
    expect(a).toMatchObject({
      requests: 104,
      errors: 5,
      error_rate: 0.0481,
      latency_samples: 101,
      latency_p50_ms: 51,
      latency_p90_ms: 91,
      latency_p99_ms: 100,
      ttft_p50_ms: 50,
    });
    expect(res.json.data.map((v: { vendor: string | null }) => v.vendor)).toEqual([
      null,
      "stats-a",
      "stats-b",
      "stats-c",
    ]);
  });

  it("narrows it too", async () => {
    const res = await get("/v1/admin/stats?window_minutes=2");
    expect(res.json.data).toEqual([
      noVendor,
      // The 20 calls of the last two minutes (ages 1 s to 1 min 55 s) and the cache hits.
      expect.objectContaining({ vendor: "stats-a", requests: 23, cache_hits: 3, latency_samples: 20 }),
    ]);
  });

  it("validates the window and is for admins only", async () => {
    for (const w of ["0", "1441", "1.5", "soon"]) {
      const err = expectError(
        await get(`/v1/admin/stats?window_minutes=${w}`),
        400,
        "invalid_request_error",
        "invalid_query",
      );
      expect(err.param).toBe("window_minutes");
    }
    expect((await get("/v1/admin/stats?window_minutes=1440")).status).toBe(200);
    const { key } = await createUser();
    expectError(await get("/v1/admin/stats", { key }), 403, "permission_error", "admin_required");
  });
});
