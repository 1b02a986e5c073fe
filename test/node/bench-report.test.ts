import { describe, expect, it } from "vitest";
import { emptyCounts } from "../../bench/counting.js";
import {
  type BenchResults,
  compareWithFloor,
  floorD1RoundTrips,
  formatStorage,
  judgeTargets,
  type PacedResult,
  type ProbeResult,
  pacedAdded,
  renderMarkdown,
  type ScenarioResult,
  type SideResult,
  type StorageCounts,
  sequentialFloor,
  type WarmStorage,
  wranglerGzipKiB,
} from "../../bench/report.ts";
import { summarize } from "../../bench/stats.ts";

const side = (o: { rps: number; cpu: number; seq: number; ttfb: number }): SideResult => ({
  load: {
    requests: 1000,
    elapsedMs: 1000,
    rps: o.rps,
    latencyMs: summarize([1, 2, 3]),
    cpuMicrosPerRequest: { worker: o.cpu, mock: 10, loadGenerator: 20 },
  },
  sequential: {
    totalMs: summarize([o.seq]),
    ttfbMs: summarize([o.ttfb]),
    cpuMicrosPerRequest: { worker: o.cpu, mock: 10 },
  },
});

const scenario = (id: string, stream: boolean, gateway: SideResult, direct: SideResult): ScenarioResult => ({
  id,
  label: id,
  stream,
  gateway,
  direct,
});

const direct = side({ rps: 10_000, cpu: 0, seq: 0.2, ttfb: 0.1 });
const passing = [
  scenario("openai", false, side({ rps: 4000, cpu: 140, seq: 0.45, ttfb: 0.4 }), direct),
  scenario("openai-stream", true, side({ rps: 6000, cpu: 390, seq: 2, ttfb: 1.05 }), direct),
];

/** A paced side whose chunks took these ms from the mock's write to the client. */
const pacedSide = (samples: number[]) => ({
  streams: 1,
  chunkMs: summarize(samples),
  ttfbMs: summarize([1]),
});
const paced = (gatewayMs: number, relayMs?: number): PacedResult => ({
  model: "paced-16",
  frameMs: 10,
  direct: pacedSide([0.1, 0.2]),
  gateway: pacedSide([0.2, 0.2 + gatewayMs]),
  relay: relayMs === undefined ? undefined : pacedSide([0.15, 0.2 + relayMs]),
});

const probe = (id: string, cpu: number): ProbeResult => ({
  id,
  label: id,
  route: `GET /${id}`,
  load: { ...side({ rps: 5000, cpu, seq: 0, ttfb: 0 }).load, latencyMs: summarize([2]) },
});
/** Each probe pays a 50 µs inbound request on top of its own cost. */
const probes = [
  probe("noop", 50),
  probe("proxy", 250),
  probe("proxy-stream", 400),
  probe("relay", 1050),
  probe("d1", 350),
  probe("ratelimit", 300),
  probe("queue", 250),
];

describe("judgeTargets", () => {
  it("meets every target the issue sets when the figures are within them", () => {
    const verdicts = judgeTargets(
      passing,
      { gzipBytes: 150_000, wranglerGzipKiB: 150 },
      { paced: paced(0.15) },
    );
    expect(verdicts.map((v) => [v.name, v.met])).toEqual([
      ["non-stream rps vs direct", true], // 0.4 ≥ 0.35
      ["non-stream worker CPU per request", true],
      ["non-stream sequential added latency p50", true], // +0.25 ms
      ["stream TTFB added p50", true], // +0.95 ms
      ["stream per-chunk delay added p99 (paced, after the first chunk)", true], // +0.15 ms
      ["stream worker CPU per 16-chunk stream", true],
      ["stream rps vs direct", true],
      ["bundle, minified, gzip", true],
    ]);
    expect(verdicts[2]?.value).toBeCloseTo(0.25);
    expect(verdicts[4]?.value).toBeCloseTo(0.15);
    expect(verdicts.some((v) => v.floor)).toBe(false); // no probes ran
  });

  it("fails each one past its bound, and any whose figure is missing", () => {
    const slow = [
      scenario("openai", false, side({ rps: 3000, cpu: 151, seq: 0.6, ttfb: 0.5 }), direct),
      scenario("openai-stream", true, side({ rps: 4000, cpu: 401, seq: 3, ttfb: 1.2 }), direct),
    ];
    const verdicts = judgeTargets(slow, { gzipBytes: 200_000, wranglerGzipKiB: null }, { paced: paced(0.2) });
    expect(verdicts.every((v) => !v.met)).toBe(true);
    expect(verdicts.at(-1)?.value).toBeCloseTo(195.3125); // own gzip size when wrangler printed none
    expect(judgeTargets([], { gzipBytes: 1, wranglerGzipKiB: 1 }).filter((v) => v.met)).toHaveLength(1);
  });

  it("gives each target what the runtime's floor allows for it", () => {
    const timed = (p: ProbeResult, seq: number, ttfb: number): ProbeResult => ({
      ...p,
      sequential: side({ rps: 0, cpu: 0, seq, ttfb }).sequential,
    });
    const withSeq = probes.map((p) =>
      p.id === "proxy" ? timed(p, 0.5, 0.4) : p.id === "noop" ? timed(p, 0.25, 0.2) : timed(p, 0.55, 0.3),
    );
    const lanes = passing.map((s) => counted(s, warm(1)));
    const runtimeFloor = {
      phaseSeconds: 2,
      warmupSeconds: 0.5,
      probes: withSeq,
      comparisons: compareWithFloor(withSeq, lanes),
    };
    const floors = judgeTargets(
      lanes,
      { gzipBytes: 1, wranglerGzipKiB: 1 },
      { runtimeFloor, paced: paced(0.3, 0.1) },
    ).map((v) => v.floor);
    expect(floors).toEqual([
      "a bare proxy: 0.50 ×", // 5000 rps against direct's 10000
      "a bare proxy: 250 µs; the lane's floor: 804 µs",
      // proxy 0.5 − direct 0.2; + d1 0.3 + ratelimit 0.3 over the noop.
      "a bare proxy: +0.30 ms; with its limit and D1 round trips: +0.90 ms",
      "a native pipe: +0.20 ms; a JS relay: +0.20 ms", // 0.3 against direct's 0.1
      "a JS relay: +0.10 ms",
      "a native pipe: 400 µs; a JS relay: 1050 µs; the lane's floor: 1604 µs",
      "a native pipe: 0.50 ×; a JS relay: 0.50 ×",
      undefined,
    ]);
  });
});

/** Warm storage: `before` D1 round trips before upstream, `total` in all. */
const counts = (over: Partial<StorageCounts> = {}): StorageCounts => ({ ...emptyCounts(), ...over });
const warm = (before: number, total = before, upstream = true): WarmStorage => ({
  upstream,
  beforeUpstream: counts({ d1RoundTrips: before, d1Statements: before, ratelimitCalls: 1 }),
  total: counts({
    d1RoundTrips: total,
    d1Statements: total,
    ratelimitCalls: 1,
    queueSends: 1,
    queueMessages: 1,
  }),
});
const counted = (s: ScenarioResult, storage: WarmStorage, writesD1 = false): ScenarioResult => ({
  ...s,
  storage,
  writesD1,
});

describe("floorD1RoundTrips", () => {
  it("counts the warm call's round trips before upstream, and a writing lane's in total", () => {
    const s = passing[0]!;
    expect(floorD1RoundTrips(counted(s, warm(1)))).toBe(1);
    expect(floorD1RoundTrips(counted(s, warm(0)))).toBe(0);
    // A read after the answer in a lane that does not write is not credited (a stamp once a minute).
    expect(floorD1RoundTrips(counted(s, warm(1, 2)))).toBe(1);
    // A stored response: the read before, the write after.
    expect(floorD1RoundTrips(counted(s, warm(1, 2), true))).toBe(2);
    expect(floorD1RoundTrips(s)).toBeNaN();
  });
});

describe("compareWithFloor", () => {
  it("builds every lane's floor as base + ratelimit − noop + a 50th of a queue send + (d1 − noop) per D1 round trip", () => {
    const gateway = [
      counted(scenario("openai", false, side({ rps: 600, cpu: 1500, seq: 3, ttfb: 3 }), direct), warm(1)),
      counted(
        scenario("openai-stream", true, side({ rps: 400, cpu: 2400, seq: 4, ttfb: 3 }), direct),
        warm(1),
      ),
      counted(
        scenario("stored", false, side({ rps: 200, cpu: 3000, seq: 5, ttfb: 5 }), direct),
        warm(1, 2),
        true,
      ),
      counted(scenario("cached", false, side({ rps: 700, cpu: 900, seq: 2, ttfb: 2 }), direct), warm(0)),
    ];
    const [plain, stream, stored, cached] = compareWithFloor(probes, gateway);
    // 250 + 300 − 50 + (250 − 50) / 50 + (350 − 50) × 1 = 804.
    expect(plain).toEqual({
      scenario: "openai",
      label: "openai",
      base: "proxy",
      d1RoundTrips: 1,
      floorMicros: 804,
      gatewayMicros: 1500,
      ownMicros: 696,
      queueMicros: 200,
    });
    // The stream, on the JS relay: 1050 + 554 = 1604.
    expect(stream).toMatchObject({ base: "relay", floorMicros: 1604, gatewayMicros: 2400, ownMicros: 796 });
    // Its write after the answer is a second D1 round trip: 804 + 300.
    expect(stored).toMatchObject({ base: "proxy", d1RoundTrips: 2, floorMicros: 1104, ownMicros: 1896 });
    // No D1 on a warm call (AUTH_CACHE_SECONDS, or a hot path that needs none): 250 + 300 − 50 + 4.
    expect(cached).toMatchObject({ d1RoundTrips: 0, floorMicros: 504, ownMicros: 396 });
  });

  it("is NaN where a probe or the lane's storage count is missing, but a lane with no D1 needs no d1 probe", () => {
    const withoutD1 = probes.filter((p) => p.id !== "d1");
    const [plain, uncounted] = compareWithFloor(withoutD1, [
      counted(passing[0]!, warm(1)),
      { ...passing[1]!, storage: undefined },
    ]);
    expect(plain?.floorMicros).toBeNaN();
    expect(plain?.ownMicros).toBeNaN();
    expect(uncounted?.d1RoundTrips).toBeNaN();
    expect(uncounted?.floorMicros).toBeNaN();
    expect(compareWithFloor(withoutD1, [counted(passing[0]!, warm(0))])[0]?.floorMicros).toBe(504);
  });
});

describe("sequentialFloor", () => {
  it("adds the proxy's latency over direct to a rate-limit call's and a D1 read's per round trip, over the noop", () => {
    const timed = (id: string, seq: number) => ({
      ...probe(id, 0),
      sequential: side({ rps: 0, cpu: 0, seq, ttfb: seq }).sequential,
    });
    const all = [timed("noop", 0.3), timed("proxy", 0.9), timed("d1", 0.8), timed("ratelimit", 1.1)];
    const plain = scenario("openai", false, side({ rps: 1, cpu: 1, seq: 3.2, ttfb: 3 }), direct);
    const floor = sequentialFloor(all, [counted(plain, warm(1))]);
    // proxy 0.9 − direct 0.2 = 0.7; d1 0.5; ratelimit 0.8: 2.0 ms, against the gateway's 3.0.
    expect(floor?.d1Ms).toBeCloseTo(0.5);
    expect(floor?.ratelimitMs).toBeCloseTo(0.8);
    expect(floor?.d1RoundTrips).toBe(1);
    expect(floor?.floorMs).toBeCloseTo(2.0);
    expect(floor?.gatewayMs).toBeCloseTo(3.0);
    expect(sequentialFloor([timed("noop", 0.3)], [counted(plain, warm(1))])).toBeUndefined();
    expect(sequentialFloor(all, [plain])).toBeUndefined();
    // A warm call that reads no D1: 0.7 + 0.8.
    expect(sequentialFloor(all, [counted(plain, warm(0))])?.floorMs).toBeCloseTo(1.5);
  });
});

describe("formatStorage", () => {
  it("names each kind, D1's statements when a batch held several, and the writes among KV's and the cache's", () => {
    expect(formatStorage(counts({ d1RoundTrips: 1, d1Statements: 1 }))).toBe(
      "D1 1 · DO 0 · KV 0 · cache 0 · queue 0",
    );
    expect(
      formatStorage(
        counts({
          d1RoundTrips: 2,
          d1Statements: 9,
          doCalls: 2,
          kvReads: 1,
          kvWrites: 1,
          cacheWrites: 2,
          queueSends: 1,
        }),
      ),
    ).toBe("D1 2 (9 stmts) · DO 2 · KV 2 (1 write) · cache 2 (2 writes) · queue 1");
  });
});

describe("pacedAdded", () => {
  it("is each percentile of a side's per-chunk latency minus direct's", () => {
    const added = pacedAdded(pacedSide([0.3, 0.4, 0.5, 2]), pacedSide([0.1, 0.2, 0.2, 0.5]));
    expect(added.p50).toBeCloseTo(0.2);
    expect(added.p99).toBeCloseTo(1.5);
  });
});

describe("wranglerGzipKiB", () => {
  it("reads the gzip size wrangler prints", () => {
    expect(wranglerGzipKiB("Total Upload: 769.28 KiB / gzip: 192.67 KiB")).toBe(192.67);
    expect(wranglerGzipKiB(null)).toBeNull();
    expect(wranglerGzipKiB("Total Upload: 1 MiB")).toBeNull();
  });
});

/** A whole run's results around the passing scenarios; `over` replaces what a test is about. */
const benchResults = (over: Partial<BenchResults>): BenchResults => ({
  startedAt: "2026-11-26T10:00:00.000Z",
  durationS: 120,
  machine: {
    cpus: 2,
    cpuModel: "Test CPU",
    kernel: "6.0",
    node: "v24.21.0",
    workerd: "1.2",
    miniflare: "5.0",
    wrangler: "4.164.0",
    clockTicksPerSecond: 100,
  },
  runtime: "workerd",
  config: { connections: 32, phaseSeconds: 5, warmupSeconds: 1, sequentialCount: 300 },
  bundle: { bytes: 500_000, gzipBytes: 150_000, wranglerSummary: null, wranglerGzipKiB: null },
  floor: { rps: 9000, latencyMs: summarize([3]), cpuMicrosPerRequest: 85 },
  scenarios: passing,
  targets: judgeTargets(passing, { gzipBytes: 150_000, wranglerGzipKiB: null }),
  ...over,
});

describe("renderMarkdown", () => {
  it("prints a row per scenario with ratios, the targets and the machine", () => {
    const results = benchResults({
      scenarios: [
        ...passing,
        { ...scenario("stored", false, passing[0]!.gateway, direct), directOf: "openai-stream" },
        { ...scenario("cache-hit", false, passing[0]!.gateway, direct), directOf: "openai" },
        { ...scenario("conversation", false, passing[0]!.gateway, direct), directOf: "openai" },
      ],
    });
    const md = renderMarkdown(results);
    expect(md).toContain(
      "| openai | 4000 | 10000 | 0.40 | 2.00 / 3.00 / 3.00 | 2.00 / 3.00 / 3.00 | +0.25 | – | 140 | – | – |",
    );
    expect(md).toContain("| openai-stream | 6000 | 10000 | 0.60 |");
    expect(md).toContain("| +0.95 | 390 |");
    expect(md).toContain("| cache-hit | 4000 | 10000† |");
    // One footnote per shared direct side, naming the scenario it belongs to.
    expect(md).toContain(
      "† the direct side of openai, measured once (cache-hit, conversation compare with it).",
    );
    expect(md).toContain("† the direct side of openai-stream, measured once (stored compare with it).");
    // In the order of the scenarios they belong to, not of those that share them.
    expect(md.indexOf("† the direct side of openai,")).toBeLessThan(
      md.indexOf("† the direct side of openai-stream"),
    );
    expect(md).toContain("| stream TTFB added p50 | ≤ 1 ms | 0.95 ms | yes |  | +28 ms |");
    expect(md).toContain("85 µs worker CPU/request");
    expect(md).toContain("2 × Test CPU");
    expect(md).toContain("Gateway: AUTH_CACHE_SECONDS unset (the default, 5 s).");
    expect(md).not.toContain("Runtime floor");
    expect(md).not.toContain("Warm storage:");
    expect(md).not.toContain("Paced stream");
  });

  it("prints every lane's warm storage and own cost, and the runtime floor: the probes, the formula, each lane against its floor", () => {
    const lanes = [
      counted(passing[0]!, warm(1)),
      counted(passing[1]!, warm(1)),
      counted(
        { ...scenario("stored", false, passing[0]!.gateway, direct), directOf: "openai" },
        warm(1, 2),
        true,
      ),
      counted(
        { ...scenario("cache-hit", false, passing[0]!.gateway, direct), directOf: "openai" },
        { ...warm(1), upstream: false },
      ),
    ];
    const results = benchResults({
      scenarios: lanes,
      runtimeFloor: {
        phaseSeconds: 3,
        warmupSeconds: 0.5,
        probes,
        // openai: 140 µs against a floor of 804; the stream: 390 against 1604; stored 1104.
        comparisons: compareWithFloor(probes, lanes),
      },
    });
    // The stream proxy, timed one at a time too: against the stream's direct side.
    const floor = results.runtimeFloor as NonNullable<BenchResults["runtimeFloor"]>;
    floor.probes = floor.probes.map((p) =>
      p.id === "proxy-stream"
        ? {
            ...p,
            directOf: "openai-stream",
            sequential: side({ rps: 0, cpu: 0, seq: 0.5, ttfb: 0.35 }).sequential,
          }
        : p,
    );
    const md = renderMarkdown(results);
    expect(md).toContain("| 140 | -664 | D1 1 · DO 0 · KV 0 · cache 0 · queue 0 |");
    expect(md).toContain("| +0.95 | 390 | -1214 | D1 1 · DO 0 · KV 0 · cache 0 · queue 0 |");
    expect(md).toContain("| 140 | -964 | D1 1 · DO 0 · KV 0 · cache 0 · queue 0 |"); // stored
    expect(md).toContain("| D1 1 · DO 0 · KV 0 · cache 0 · queue 0 (no upstream) |"); // the cache hit
    expect(md).toContain("Warm storage: what the second of two identical requests");
    expect(md).not.toContain("charged to no request");
    expect(md).toContain("Runtime floor (probe worker in the same workerd");
    expect(md).toContain("| noop | GET /noop | 5000 | – | 2.00 | – | – | 50 |");
    expect(md).toContain("| queue | GET /queue | 5000 | – | 2.00 | – | – | 250 |");
    // 5000 rps against direct's 10000; +0.30 ms one at a time, +0.25 ms to the first byte.
    expect(md).toContain("| proxy-stream | GET /proxy-stream | 5000 | 0.50 | 2.00 | +0.30 | +0.25 | 400 |");
    expect(md).toContain("costs 85 µs next to the noop's 50 µs");
    expect(md).toContain(
      "Each lane's floor = base + ratelimit − noop + (queue − noop) ÷ 50 + (d1 − noop) × D1 round trips (worker CPU µs/request).",
    );
    expect(md).toContain(
      "| openai | proxy | D1 1 · DO 0 · KV 0 · cache 0 · queue 1 | 1 | 804 | 140 | -664 |",
    );
    expect(md).toContain(
      "| openai-stream | relay | D1 1 · DO 0 · KV 0 · cache 0 · queue 1 | 1 | 1604 | 390 | -1214 |",
    );
    expect(md).toContain(
      "| stored | proxy | D1 2 · DO 0 · KV 0 · cache 0 · queue 1 | 2 | 1104 | 140 | -964 |",
    );
    expect(md).toContain("A stream piped natively (proxy, stream) costs 400 µs");
    expect(md).toContain("(relay, stream), costs 1050 µs");
    expect(md).toContain("Probes: 32 connections, ~3 s measured after ~0.5 s warm-up each.");
    // The section sits between the targets and the machine.
    expect(md.indexOf("| bundle, minified, gzip")).toBeLessThan(md.indexOf("Runtime floor"));
    expect(md.indexOf("Runtime floor")).toBeLessThan(md.indexOf("Machine:"));
  });

  it("prints the paced stream's per-chunk latency, what each side adds, and calls out stray storage calls", () => {
    const md = renderMarkdown(
      benchResults({
        paced: paced(0.05, 0.02),
        storageUnattributed: counts({ d1RoundTrips: 1, d1Statements: 1 }),
      }),
    );
    expect(md).toContain("Paced stream (`paced-16`: the 16 deltas of `chunks-16`, one frame every 10 ms");
    expect(md).toContain("| direct (the mock) | 1 | 2 | 0.100 / 0.200 / 0.200 | – | 1.00 |");
    expect(md).toContain(
      "| gateway (OpenAI passthrough) | 1 | 2 | 0.200 / 0.250 / 0.250 | +0.100 / +0.050 | 1.00 |",
    );
    expect(md).toContain(
      "| relay, stream (probe) | 1 | 2 | 0.150 / 0.220 / 0.220 | +0.050 / +0.020 | 1.00 |",
    );
    expect(md).toContain(
      "Storage calls charged to no request (a context lost on the way): D1 1 · DO 0 · KV 0 · cache 0 · queue 0.",
    );
  });
});
