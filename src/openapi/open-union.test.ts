import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { openUnion } from "./open-union";

const Known = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text"), text: z.string() }),
  z.looseObject({
    type: z.literal("count"),
    n: z
      .number()
      .int()
      .refine((n) => n > 0, "must be positive"),
  }),
]);
const Block = openUnion(Known, z.looseObject({ type: z.string() }), (b) =>
  ["text", "count"].includes(b.type),
);

const issues = (value: unknown) =>
  Block.safeParse(value).error?.issues.map((i) => [i.path.join("."), i.message]);

describe("openUnion", () => {
  it("takes known members and any other object as they are", () => {
    for (const v of [
      { type: "text", text: "a" },
      { type: "count", n: 2, extra: true },
      { type: "audio", data: 1 },
    ]) {
      expect(Block.parse(v)).toEqual(v);
    }
  });

  it("refuses a malformed known member naming its own field, refinements too", () => {
    expect(issues({ type: "text" })).toEqual([
      ["text", "Invalid input: expected string, received undefined"],
    ]);
    expect(issues({ type: "count", n: 0 })).toEqual([["n", "must be positive"]]);
  });

  it("refuses what fits neither, at the union itself (a missing discriminator claims no option)", () => {
    expect(issues({ text: "no type" })).toEqual([["", "Invalid input"]]);
  });
});
