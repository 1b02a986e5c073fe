import { describe, expect, it } from "vitest";
import * as zod from "zod";
// @ts-expect-error: plain JS module without types (it re-exports zod's own).
import * as shim from "../../src/vendor/zod/index.js";

// The deploy bundle's "zod" (wrangler.toml [alias]) must stay zod minus what a Worker never uses
// (src/vendor/zod/external.js says why): this fails when a zod upgrade adds or renames an export
// that src/vendor/zod does not re-export.
const LEFT_OUT = new Set([
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
  it("exports everything zod exports but its locales, z.compile and z.fromJSONSchema", () => {
    expect(Object.keys(shim).sort()).toEqual(kept(Object.keys(zod)));
    expect(Object.keys(shim.z).sort()).toEqual(kept(Object.keys(zod.z)));
    expect(Object.keys(shim.core)).not.toContain("locales");
    expect(Object.keys(shim.core).sort()).toEqual(kept(Object.keys(zod.core)));
  });

  it("is the same zod, not a copy (one ZodType class, English messages)", () => {
    expect(shim.ZodType).toBe(zod.ZodType);
    const result = shim.z.string().email().safeParse("nope");
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("Invalid email address");
  });
});
