import { describe, expect, it } from "vitest";
import {
  type BenchResults,
  compareWithFloor,
  judgeTargets,
  type ProbeResult,
  renderMarkdown,
  type ScenarioResult,
  type SideResult,
  sequentialFloor,
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

describe("judgeTargets", () => {
  it("meets every target the issue sets when the figures are within them", () => {
    const verdicts = judgeTargets(passing, { gzipBytes: 150_000, wranglerGzipKiB: 150 });
    expect(verdicts.map((v) => [v.name, v.met])).toEqual([
      ["non-stream rps vs direct", true], // 0.4 ≥ 0.35
      ["non-stream worker CPU per request", true],
      ["non-stream sequential added latency p50", true], // +0.25 ms
      ["stream TTFB added p50", true], // +0.95 ms
      ["stream worker CPU per 16-chunk stream", true],
      ["stream rps vs direct", true],
      ["bundle, minified, gzip", true],
    ]);
    expect(verdicts[2]?.value).toBeCloseTo(0.25);
  });

  it("fails each one past its bound, and any whose figure is missing", () => {
    const slow = [
      scenario("openai", false, side({ rps: 3000, cpu: 151, seq: 0.6, ttfb: 0.5 }), direct),
      scenario("openai-stream", true, side({ rps: 4000, cpu: 401, seq: 3, ttfb: 1.2 }), direct),
    ];
    const verdicts = judgeTargets(slow, { gzipBytes: 200_000, wranglerGzipKiB: null });
    expect(verdicts.every((v) => !v.met)).toBe(true);
    expect(verdicts.at(-1)?.value).toBeCloseTo(195.3125); // own gzip size when wrangler printed none
    expect(judgeTargets([], { gzipBytes: 1, wranglerGzipKiB: 1 }).filter((v) => v.met)).toHaveLength(1);
  });
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

describe("compareWithFloor", () => {
  it("builds the floor as proxy + d1 + ratelimit − 2 × noop + a 50th of a queue send, and the rest is the gateway's", () => {
    const gateway = [
      scenario("openai", false, side({ rps: 600, cpu: 1500, seq: 3, ttfb: 3 }), direct),
      scenario("openai-stream", true, side({ rps: 400, cpu: 2400, seq: 4, ttfb: 3 }), direct),
    ];
    const [plain, stream] = compareWithFloor(probes, gateway);
    // 250 + 350 + 300 − 100 + (250 − 50) / 50 = 804; the stream, on the JS relay: 1050 + 554 = 1604.
    expect(plain).toEqual({
      scenario: "openai",
      label: "openai",
      proxy: "proxy",
      floorMicros: 804,
      gatewayMicros: 1500,
      ownMicros: 696,
      queueMicros: 200,
    });
    expect(stream).toMatchObject({
      proxy: "relay",
      floorMicros: 1604,
      gatewayMicros: 2400,
      ownMicros: 796,
    });
  });

  it("leaves the D1 read out when the gateway caches it (AUTH_CACHE_SECONDS)", () => {
    const gateway = [scenario("openai", false, side({ rps: 600, cpu: 1000, seq: 3, ttfb: 3 }), direct)];
    // 250 + 300 − 50 + 200 / 50 = 504.
    expect(compareWithFloor(probes, gateway, false)[0]).toMatchObject({ floorMicros: 504, ownMicros: 496 });
  });

  it("is NaN where a probe or a scenario is missing", () => {
    const [plain, stream] = compareWithFloor(
      probes.filter((p) => p.id !== "d1"),
      [scenario("openai", false, passing[0]!.gateway, direct)],
    );
    expect(plain?.floorMicros).toBeNaN();
    expect(plain?.ownMicros).toBeNaN();
    expect(stream?.gatewayMicros).toBeNaN();
    expect(stream?.label).toBe("openai-stream");
  });
});

describe("sequentialFloor", () => {
  it("adds the proxy's latency over direct to a D1 read's and a rate-limit call's over the noop", () => {
    const timed = (id: string, seq: number) => ({
      ...probe(id, 0),
      sequential: side({ rps: 0, cpu: 0, seq, ttfb: seq }).sequential,
    });
    const gateway = [scenario("openai", false, side({ rps: 1, cpu: 1, seq: 3.2, ttfb: 3 }), direct)];
    const floor = sequentialFloor(
      [timed("noop", 0.3), timed("proxy", 0.9), timed("d1", 0.8), timed("ratelimit", 1.1)],
      gateway,
    );
    // proxy 0.9 − direct 0.2 = 0.7; d1 0.5; ratelimit 0.8: 2.0 ms, against the gateway's 3.0.
    expect(floor?.d1Ms).toBeCloseTo(0.5);
    expect(floor?.ratelimitMs).toBeCloseTo(0.8);
    expect(floor?.floorMs).toBeCloseTo(2.0);
    expect(floor?.gatewayMs).toBeCloseTo(3.0);
    expect(sequentialFloor([timed("noop", 0.3)], gateway)).toBeUndefined();
    // With AUTH_CACHE_SECONDS on, repeated calls read no D1: 0.7 + 0.8.
    expect(
      sequentialFloor(
        [timed("noop", 0.3), timed("proxy", 0.9), timed("d1", 0.8), timed("ratelimit", 1.1)],
        gateway,
        false,
      )?.floorMs,
    ).toBeCloseTo(1.5);
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
      "| openai | 4000 | 10000 | 0.40 | 2.00 / 3.00 / 3.00 | 2.00 / 3.00 / 3.00 | +0.25 | – | 140 |",
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
    expect(md).toContain("| stream TTFB added p50 | ≤ 1 ms | 0.95 ms | yes | +28 ms |");
    expect(md).toContain("85 µs worker CPU/request");
    expect(md).toContain("2 × Test CPU");
    expect(md).toContain("Gateway: AUTH_CACHE_SECONDS=0 (off, the default).");
    expect(md).not.toContain("Runtime floor");
  });

  it("prints the runtime floor: the probes, the formula, and the gateway against the floor", () => {
    const results = benchResults({
      runtimeFloor: {
        phaseSeconds: 3,
        warmupSeconds: 0.5,
        probes,
        // openai: 140 µs against a floor of 804; the stream: 390 against 1604.
        comparisons: compareWithFloor(probes, passing),
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
    expect(md).toContain("Runtime floor (probe worker in the same workerd");
    expect(md).toContain("| noop | GET /noop | 5000 | – | 2.00 | – | – | 50 |");
    expect(md).toContain("| queue | GET /queue | 5000 | – | 2.00 | – | – | 250 |");
    // 5000 rps against direct's 10000; +0.30 ms one at a time, +0.25 ms to the first byte.
    expect(md).toContain("| proxy-stream | GET /proxy-stream | 5000 | 0.50 | 2.00 | +0.30 | +0.25 | 400 |");
    expect(md).toContain("costs 85 µs next to the noop's 50 µs");
    expect(md).toContain(
      "= proxy + d1 + ratelimit − 2 × noop + (queue − noop) ÷ 50 (worker CPU µs/request):",
    );
    expect(md).toContain("| openai | 804 | 140 | -664 |");
    expect(md).toContain("| openai-stream | 1604 | 390 | -1214 |");
    expect(md).toContain("A stream piped natively (proxy, stream) costs 400 µs");
    expect(md).toContain("(relay, stream), costs 1050 µs");
    expect(md).toContain("Probes: 32 connections, ~3 s measured after ~0.5 s warm-up each.");
    // The section sits between the targets and the machine.
    expect(md.indexOf("| bundle, minified, gzip")).toBeLessThan(md.indexOf("Runtime floor"));
    expect(md.indexOf("Runtime floor")).toBeLessThan(md.indexOf("Machine:"));
  });
});
