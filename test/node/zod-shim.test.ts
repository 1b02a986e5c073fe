import { describe, expect, it } from "vitest";
import * as zod from "zod";
// @ts-expect-error: plain JS module without types (it re-exports zod's own).
import * as shim from "../../src/vendor/zod/index.js";

// The deploy bundle's "zod" (wrangler.toml [alias], and the workers tests' through vitest.config.ts)
// must stay zod minus what a Worker never uses (src/vendor/zod/external.js says why): this fails
// when a zod upgrade adds or renames an export that src/vendor/zod does not re-export.
const LEFT_OUT = new Set([
  "core",
  "locales",
  "compile",
  "compileFn",
  "withParser",
  "INVALID",
  "ZodCompileAsyncError",
  "ZodCompileUnsupportedError",
  "fromJSONSchema",
]);
const kept = (keys: string[]) => keys.filter((k) => !LEFT_OUT.has(k)).sort();

describe("src/vendor/zod", () => {
  it("exports everything zod exports but its locales, z.compile, z.fromJSONSchema and z.core", () => {
    expect(Object.keys(shim).sort()).toEqual(kept(Object.keys(zod)));
    expect(Object.keys(shim.z).sort()).toEqual(kept(Object.keys(zod.z)));
    expect(shim.z.core).toBeUndefined();
  });

  it("re-exports zod's own values, not copies: the same functions, classes and namespaces", () => {
    // Catches a re-export from the wrong module (zod's core has its own `parse`, `ZodError`...).
    const theirs = new Map<string, unknown>(Object.entries(zod));
    for (const [k, v] of Object.entries(shim)) {
      if (k !== "z" && k !== "default") expect(v, k).toBe(theirs.get(k));
    }
  });

  it("is the same zod, not a copy (one ZodType class, English messages)", () => {
    expect(shim.ZodType).toBe(zod.ZodType);
    const result = shim.z.string().email().safeParse("nope");
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("Invalid email address");
  });
});
