import { describe, expect, it } from "vitest";
import type { Answer } from "../../bench/load.ts";
import { buildProbes, sameAnswer } from "../../bench/probes.ts";
import { buildScenarios } from "../../bench/scenarios.ts";

const scenarios = buildScenarios({
  gateway: "http://127.0.0.1:9",
  mock: "http://127.0.0.1:7",
  key: "sk-test",
  conversations: ["cnv_1"],
});
const probes = buildProbes({ probe: "http://127.0.0.1:8", userId: "usr_1" }, scenarios);
const byId = (id: string) => probes.find((p) => p.id === id)!;
const answer = (status: number, body: string): Answer => ({ status, body, headers: {} });

describe("buildProbes", () => {
  it("has every probe the floor needs, the queue last", () => {
    expect(probes.map((p) => p.id)).toEqual([
      "noop",
      "proxy",
      "proxy-stream",
      "relay",
      "d1",
      "ratelimit",
      "log",
      "queue",
    ]);
  });

  it("sends the direct OpenAI requests through the probe, to be answered exactly as directly", () => {
    for (const [id, scenario, prefix] of [
      ["proxy", "openai", "/proxy"],
      ["proxy-stream", "openai-stream", "/proxy-stream"],
      ["relay", "openai-stream", "/relay"],
    ] as const) {
      const direct = scenarios.find((s) => s.id === scenario)!.direct;
      const p = byId(id);
      expect(p.endpoint.call.url).toBe(`http://127.0.0.1:8${prefix}/openai/v1/chat/completions`);
      expect(p.endpoint.call.body).toBe(direct.call.body);
      expect(p.endpoint.call.headers).toEqual(direct.call.headers);
      expect(p.endpoint.check).toBe(direct.check);
      expect(p.sameAs).toBe(direct);
    }
  });

  it("checks the binding probes' fixed answers, in full and under load", () => {
    const d1 = byId("d1").endpoint;
    expect(d1.call).toMatchObject({ method: "GET", url: "http://127.0.0.1:8/d1" });
    expect(d1.check(answer(200, "user usr_1"))).toBeNull();
    expect(d1.check(answer(200, "no row"))).toMatch(/expected "user usr_1"/);
    expect(d1.check(answer(500, "user usr_1"))).toMatch(/status 500/);
    const none = () => undefined;
    expect(byId("ratelimit").endpoint.quick(200, "allowed", none)).toBeNull();
    expect(byId("ratelimit").endpoint.quick(429, "limited", none)).toMatch(/status 429/);
    expect(byId("queue").endpoint.quick(200, "sent", none)).toBeNull();
    expect(byId("log").endpoint.quick(200, "logged", none)).toBeNull();
    expect(byId("noop").endpoint.quick(200, "nope", none)).toMatch(/lacks/);
  });

  it("needs the OpenAI scenarios", () => {
    expect(() => buildProbes({ probe: "http://127.0.0.1:8", userId: "u" }, [])).toThrow(/no scenario openai/);
  });
});

describe("sameAnswer", () => {
  it("accepts the same status and bytes, and says where they part", () => {
    expect(sameAnswer(answer(200, "abc"), answer(200, "abc"))).toBeNull();
    expect(sameAnswer(answer(502, "abc"), answer(200, "abc"))).toMatch(/status 502, direct 200/);
    expect(sameAnswer(answer(200, "abXd"), answer(200, "abcd"))).toMatch(/at character 2: "Xd" vs "cd"/);
    expect(sameAnswer(answer(200, "ab"), answer(200, "abc"))).toMatch(/at character 2: "" vs "c"/);
  });
});
