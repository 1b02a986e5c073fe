import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type CpuProfile,
  effectiveInterval,
  hitCounts,
  hotSpots,
  packageOf,
  renderProfile,
  shortSource,
  summarizeIsolate,
} from "../../bench/profile.ts";

const frame = (functionName: string, url = "", lineNumber = -1, columnNumber = -1) => ({
  functionName,
  url,
  lineNumber,
  columnNumber,
});

/** A profile of 10 samples: 4 idle, 3 in `handler`, 2 GC, 1 in a runtime API. */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)"), children: [2, 3, 4, 5] },
    { id: 2, callFrame: frame("(idle)") },
    { id: 3, callFrame: frame("handler", "file:///bundle/index.js", 0, 10) },
    { id: 4, callFrame: frame("(garbage collector)") },
    { id: 5, callFrame: frame("fetch") },
  ],
  startTime: 0,
  endTime: 10_000,
  samples: [2, 3, 3, 2, 4, 3, 2, 4, 5, 2],
  // Sampled every 250 µs while the isolate ran, with one long gap when another isolate ran.
  timeDeltas: [250, 250, 250, 250, 250, 9000, 250, 250, 250, 250],
};

describe("hitCounts and summarizeIsolate", () => {
  it("counts samples per node, and everything but idle as busy", () => {
    expect(Object.fromEntries(hitCounts(profile))).toEqual({ 2: 4, 3: 3, 4: 2, 5: 1 });
    expect(summarizeIsolate(profile)).toEqual({ busySamples: 6, gcSamples: 2 });
  });
});

describe("effectiveInterval", () => {
  const many = (delta: number): CpuProfile => ({
    nodes: [],
    startTime: 0,
    endTime: 1,
    samples: [],
    timeDeltas: [...Array(150).fill(delta), 50_000],
  });

  it("is the smallest median gap among isolates sampled at least 100 times, never below the request", () => {
    expect(effectiveInterval([many(340), many(900), profile], 250)).toBe(340);
    expect(effectiveInterval([many(100)], 250)).toBe(250);
  });

  it("falls back to the requested interval when no isolate was busy", () => {
    expect(effectiveInterval([profile], 250)).toBe(250);
  });
});

describe("source names", () => {
  it("shortens bundle sources to the repository's or the package's path", () => {
    expect(shortSource("../../work/main/src/gateway/usage.ts")).toBe("src/gateway/usage.ts");
    expect(shortSource("../../work/main/node_modules/hono/dist/hono.js")).toBe(
      "node_modules/hono/dist/hono.js",
    );
    expect(packageOf("node_modules/hono/dist/hono.js")).toBe("node_modules/hono");
    expect(packageOf("node_modules/@hono/zod-openapi/dist/index.js")).toBe("node_modules/@hono/zod-openapi");
    // drizzle-orm's own source map points at ../src: the file is all there is to go by.
    expect(packageOf("node_modules/src/sql/sql.ts")).toBe("node_modules/src/sql/sql.ts");
  });
});

describe("hotSpots and renderProfile", () => {
  it("groups self time by place, busiest first, without idle; unmapped frames keep their URL", () => {
    expect(hotSpots(profile, undefined, 10)).toEqual([
      { where: "handler [file:///bundle/index.js]", samples: 3 },
      { where: "(garbage collector)", samples: 2 },
      { where: "fetch [runtime]", samples: 1 },
    ]);
    expect(hotSpots(profile, undefined, 1)).toHaveLength(1);
  });

  it("maps the bundle's frames through its source map, and only the bundle's", () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-profile-test-"));
    const mapPath = join(dir, "index.js.map");
    // Line 1, column 10 → src/gateway/usage.ts:42 `recordCall`; column 20 → hono's dist file.
    writeFileSync(
      mapPath,
      JSON.stringify({
        version: 3,
        sources: ["../../work/main/src/gateway/usage.ts", "../../work/main/node_modules/hono/dist/hono.js"],
        names: ["recordCall"],
        mappings: "UAyCAA,UCzCA",
      }),
    );
    const mapped: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame("a", "index.js", 0, 10) },
        { id: 2, callFrame: frame("b", "index.js", 0, 20) },
        { id: 3, callFrame: frame("toJson", "cloudflare-internal:d1-api", 0, 10) },
      ],
      startTime: 0,
      endTime: 1,
      samples: [1, 1, 2, 3],
      timeDeltas: [1, 1, 1, 1],
    };
    expect(hotSpots(mapped, { url: "index.js", sourceMapPath: mapPath }, 10)).toEqual([
      { where: "src/gateway/usage.ts:42 recordCall", samples: 2 },
      { where: "node_modules/hono", samples: 1 },
      { where: "toJson [cloudflare-internal:d1-api]", samples: 1 },
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints µs per request per isolate and per hot spot", () => {
    const text = renderProfile({
      label: "OpenAI passthrough",
      requests: 3,
      processMicrosPerRequest: 2000,
      intervalMicros: 250,
      isolates: new Map([
        ["core:user:switchboard", summarizeIsolate(profile)],
        ["d1:db", { busySamples: 12, gcSamples: 0 }],
      ]),
      gateway: "core:user:switchboard",
      hotSpots: hotSpots(profile, undefined, 10),
    });
    // 6 busy samples × 250 µs / 3 requests = 500 µs; d1: 12 × 250 / 3 = 1000 µs.
    expect(text).toMatch(/core:user:switchboard \(the gateway\)\s+500\s+33%/);
    expect(text).toMatch(/d1:db \(Miniflare's simulation\)\s+1000\s+67%/);
    expect(text).toMatch(/250\s+50%\s+handler \[file:\/\/\/bundle\/index\.js\]/);
    expect(text).toContain("2000 µs CPU/request");
  });
});
