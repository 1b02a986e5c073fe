import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { boundedJson, nestsDeeperThan } from "./json";

describe("nestsDeeperThan", () => {
  it("counts objects and arrays, not scalars", () => {
    expect(nestsDeeperThan(1, 0)).toBe(false);
    expect(nestsDeeperThan(null, 0)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
    expect(nestsDeeperThan({}, 1)).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: "x" }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: "x" }] }, 2)).toBe(true);
    expect(nestsDeeperThan([[], [[[]]], []], 3)).toBe(true);
  });

  it("measures a value nested far deeper than the call stack", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(nestsDeeperThan(deep, 8)).toBe(true);
    expect(nestsDeeperThan(deep, 200_000)).toBe(false);
  });
});

describe("boundedJson", () => {
  const schema = z.object({ v: z.unknown().superRefine(boundedJson({ maxDepth: 2, maxBytes: 10 })) });

  it("names the field and says which bound", () => {
    const deep = schema.safeParse({ v: [[[]]] });
    expect(deep.error?.issues).toMatchObject([
      { path: ["v"], message: "must not nest deeper than 2 levels" },
    ]);
    const big = schema.safeParse({ v: "€€€€" });
    expect(big.error?.issues).toMatchObject([
      { path: ["v"], message: expect.stringContaining("(this is 14)") },
    ]);
    expect(schema.safeParse({ v: [[1]] }).success).toBe(true);
  });
});
