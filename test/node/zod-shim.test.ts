import { describe, expect, it } from "vitest";
import * as zod from "zod";
// @ts-expect-error: plain JS module without types (it re-exports zod's own).
import * as shim from "../../src/vendor/zod/index.js";

// The deploy bundle's "zod" (wrangler.toml [alias]) must stay zod minus its locales: this fails
// when a zod upgrade adds or renames an export that src/vendor/zod does not re-export.
describe("src/vendor/zod", () => {
  it("exports everything zod exports but `locales`", () => {
    const expected = Object.keys(zod)
      .filter((k) => k !== "locales")
      .sort();
    expect(Object.keys(shim).sort()).toEqual(expected);
    expect(Object.keys(shim.z).sort()).toEqual(
      Object.keys(zod.z)
        .filter((k) => k !== "locales")
        .sort(),
    );
    expect(Object.keys(shim.core)).not.toContain("locales");
    expect(Object.keys(shim.core).sort()).toEqual(
      Object.keys(zod.core)
        .filter((k) => k !== "locales")
        .sort(),
    );
  });

  it("is the same zod, not a copy (one ZodType class, English messages)", () => {
    expect(shim.ZodType).toBe(zod.ZodType);
    const result = shim.z.string().email().safeParse("nope");
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("Invalid email address");
  });
});
