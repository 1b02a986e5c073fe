import { describe, expect, it } from "vitest";
import type { ModelConfigRow } from "../db/schema";
import { chooseModel, turnSettings } from "./settings";

const config = (over: Partial<ModelConfigRow> = {}): ModelConfigRow => ({
  alias: "fast",
  vendor: "mock",
  upstreamModel: "echo",
  targets: [],
  capabilities: { vision: true, tools: true, image_generation: false, streaming: true },
  contextWindow: 8000,
  maxOutputTokens: 2000,
  pricing: null,
  defaults: { temperature: 0.9, max_tokens: 700 },
  fallbacks: [],
  cacheTtlSeconds: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...over,
});

describe("chooseModel", () => {
  it("takes the request's, else the conversation's, else the persona's", () => {
    expect(chooseModel("r/x", { model: "c/x" }, { model: "p/x" })).toBe("r/x");
    expect(chooseModel(undefined, { model: "c/x" }, { model: "p/x" })).toBe("c/x");
    expect(chooseModel(undefined, { model: null }, { model: "p/x" })).toBe("p/x");
  });

  it("refuses with model_required when none names one", () => {
    expect(() => chooseModel(undefined, { model: null }, null)).toThrow(
      expect.objectContaining({ status: 400, code: "model_required", param: "model" }),
    );
  });
});

describe("turnSettings", () => {
  const persona = { temperature: 0.2, maxTokens: 300 };

  it("takes the request's parameters, else the persona's, else the config's defaults", () => {
    expect(turnSettings({ stream: false, temperature: 1, max_tokens: 50 }, persona, config(), false)).toEqual(
      {
        temperature: 1,
        maxTokens: 50,
        contextWindow: 8000,
        reserveTokens: 50,
        vision: true,
      },
    );
    expect(turnSettings({ stream: false }, persona, config(), false)).toMatchObject({
      temperature: 0.2,
      maxTokens: 300,
    });
    expect(
      turnSettings({ stream: false }, { temperature: null, maxTokens: null }, config(), false),
    ).toMatchObject({ temperature: 0.9, maxTokens: 700, reserveTokens: 700 });
  });

  it("assumes 128k tokens and a 4096-token answer for a bare vendor/model", () => {
    expect(turnSettings({ stream: true }, null, null, true)).toEqual({
      contextWindow: 128_000,
      reserveTokens: 4096,
      vision: true,
    });
  });

  it("keeps no more room than the model config lets it write", () => {
    const small = config({ defaults: {}, maxOutputTokens: 1000, contextWindow: null });
    expect(turnSettings({ stream: false }, null, small, false)).toEqual({
      contextWindow: 128_000,
      reserveTokens: 1000,
      vision: true,
    });
  });

  it("refuses images, streams and long answers the config rules out", () => {
    const caps = { vision: false, tools: true, image_generation: false, streaming: false };
    const limited = config({ capabilities: caps });
    expect(() => turnSettings({ stream: false }, null, limited, true)).toThrow(
      expect.objectContaining({ code: "unsupported_capability", param: "content" }),
    );
    expect(() => turnSettings({ stream: true }, null, limited, false)).toThrow(
      expect.objectContaining({ code: "unsupported_capability", param: "stream" }),
    );
    expect(() => turnSettings({ stream: false, max_tokens: 2001 }, null, config(), false)).toThrow(
      expect.objectContaining({ code: "max_tokens_too_large", param: "max_tokens" }),
    );
    expect(turnSettings({ stream: false }, null, limited, false).vision).toBe(false);
  });
});
