import { describe, expect, it } from "vitest";
import {
  type BenchResults,
  judgeTargets,
  renderMarkdown,
  type ScenarioResult,
  type SideResult,
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

describe("wranglerGzipKiB", () => {
  it("reads the gzip size wrangler prints", () => {
    expect(wranglerGzipKiB("Total Upload: 769.28 KiB / gzip: 192.67 KiB")).toBe(192.67);
    expect(wranglerGzipKiB(null)).toBeNull();
    expect(wranglerGzipKiB("Total Upload: 1 MiB")).toBeNull();
  });
});

describe("renderMarkdown", () => {
  it("prints a row per scenario with ratios, the targets and the machine", () => {
    const results: BenchResults = {
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
      scenarios: [
        ...passing,
        { ...scenario("cache-hit", false, passing[0]!.gateway, direct), directOf: "openai" },
      ],
      targets: judgeTargets(passing, { gzipBytes: 150_000, wranglerGzipKiB: null }),
    };
    const md = renderMarkdown(results);
    expect(md).toContain(
      "| openai | 4000 | 10000 | 0.40 | 2.00 / 3.00 / 3.00 | 2.00 / 3.00 / 3.00 | +0.25 | – | 140 |",
    );
    expect(md).toContain("| openai-stream | 6000 | 10000 | 0.60 |");
    expect(md).toContain("| +0.95 | 390 |");
    expect(md).toContain("| cache-hit | 4000 | 10000† |");
    expect(md).toContain("| stream TTFB added p50 | ≤ 1 ms | 0.95 ms | yes | +28 ms |");
    expect(md).toContain("85 µs worker CPU/request");
    expect(md).toContain("2 × Test CPU");
  });
});
