import { Agent, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunkClock, measurePaced, pacedCall, pacedStream } from "../../bench/paced.ts";
import { buildProbes } from "../../bench/probes.ts";
import {
  buildScenarios,
  checkChatStream,
  type Scenario,
  STREAM_CHUNKS,
  STREAM_TEXT,
} from "../../bench/scenarios.ts";
import { PACED_FRAME_MS, WRITTEN_AT } from "../mocks/scenario.ts";
import { startUpstream } from "../mocks/upstream-server.ts";

// The paced lane (bench/paced.ts) against the real mock: `paced-16` is chunks-16's stream, one
// frame every 10 ms, each chunk stamped with its write time, and the lane times every chunk.
let server: Server;
let scenarios: Scenario[];

beforeAll(async () => {
  const started = await startUpstream();
  server = started.server;
  scenarios = buildScenarios({
    gateway: "http://127.0.0.1:9",
    mock: `http://127.0.0.1:${started.port}`,
    key: "sk-test",
    conversations: ["cnv_1"],
  });
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);
const stream = () => scenarios.find((s) => s.id === "openai-stream")!;

describe("pacedCall", () => {
  it("asks for paced-16 where the stream lane asks for chunks-16, the rest of the request unchanged", () => {
    const gateway = pacedCall(stream().gateway.call);
    expect(JSON.parse(gateway.body!)).toEqual({
      ...JSON.parse(stream().gateway.call.body!),
      model: "openai/paced-16",
    });
    expect(gateway.headers).toEqual(stream().gateway.call.headers);
    expect(JSON.parse(pacedCall(stream().direct.call).body!).model).toBe("paced-16");
    const relay = buildProbes({ probe: "http://127.0.0.1:8", userId: "usr_1" }, scenarios).find(
      (p) => p.id === "relay",
    )!;
    const through = pacedCall(relay.endpoint.call);
    expect(through.url).toBe("http://127.0.0.1:8/relay/openai/v1/chat/completions");
    expect(JSON.parse(through.body!).model).toBe("paced-16");
    expect(() => pacedCall(scenarios.find((s) => s.id === "openai")!.gateway.call)).toThrow(
      /not a chunks-16/,
    );
  });
});

describe("chunkClock", () => {
  it("times each stamped event when its last byte arrives, whatever the network's cuts", () => {
    const clock = chunkClock();
    clock.feed(`data: {"a":1,"${WRITTEN_AT}":100.5}\n\ndata: {"b":1,"${WRITTEN_AT}":1`, 101);
    clock.feed(`10.25}\n`, 110.5);
    // The second event ends with this piece's first byte: written at 110.25, whole at 111.
    clock.feed("\ndata: [DONE]\n\n", 111);
    expect(clock.delays).toEqual([0.5, 0.75]);
  });
});

describe("the paced-16 mock stream", () => {
  it("is chunks-16's stream to the stream check, one frame every 10 ms, every chunk stamped", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const run = await pacedStream(agent, pacedCall(stream().direct.call));
      expect(checkChatStream(run.answer, STREAM_TEXT, STREAM_CHUNKS)).toBeNull();
      // The role chunk, 16 deltas, the finish and the usage chunk; all but the first are timed.
      expect(run.delaysMs).toHaveLength(STREAM_CHUNKS + 2);
      const stamps = [...run.answer.body.matchAll(new RegExp(`"${WRITTEN_AT}":([0-9.]+)`, "g"))].map((m) =>
        Number(m[1]),
      );
      const gaps = stamps.slice(1).map((t, i) => t - stamps[i]!);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(PACED_FRAME_MS - 1);
      // Loopback, one process to another: well under a frame.
      for (const d of run.delaysMs) expect(d).toBeGreaterThan(-0.5);
      expect(Math.max(...run.delaysMs)).toBeLessThan(PACED_FRAME_MS);
    } finally {
      agent.destroy();
    }
  });

  it("chunks-16 stays unstamped and unpaced", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const run = await pacedStream(agent, stream().direct.call);
      expect(checkChatStream(run.answer, STREAM_TEXT, STREAM_CHUNKS)).toBeNull();
      expect(run.answer.body).not.toContain(WRITTEN_AT);
      expect(run.delaysMs).toEqual([]);
    } finally {
      agent.destroy();
    }
  });

  it("measurePaced sums every stream's chunks after the first, and refuses a stream that is not paced", async () => {
    const side = await measurePaced(pacedCall(stream().direct.call), 2);
    expect(side.streams).toBe(2);
    expect(side.chunkMs.n).toBe(2 * (STREAM_CHUNKS + 2));
    expect(side.ttfbMs.n).toBe(2);
    await expect(measurePaced(stream().direct.call, 1)).rejects.toThrow(/0 stamped chunks, expected 19/);
  });
});
