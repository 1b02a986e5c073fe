import { describe, expect, it } from "vitest";
import { unitHash, weightedOrder } from "./weighted-order";

const targets = [
  { id: "a", weight: 3 },
  { id: "b", weight: 1 },
];
const order = (items: typeof targets, session: string | null, random?: () => number) =>
  weightedOrder(
    items,
    (t) => t.id,
    (t) => t.weight,
    session,
    random,
  ).map((t) => t.id);

describe("weightedOrder", () => {
  it("draws the first by weight when there is no session", () => {
    // 4000 draws at 3:1; a share's standard deviation is sqrt(0.75 * 0.25 / 4000) ≈ 0.7 points,
    // so ±4 points is more than 5 of them.
    let a = 0;
    for (let i = 0; i < 4000; i++) if (order(targets, null)[0] === "a") a += 1;
    expect(Math.abs(a / 4000 - 0.75)).toBeLessThan(0.04);
  });

  it("lists every candidate once, the others after the first", () => {
    const three = [...targets, { id: "c", weight: 2 }];
    for (let i = 0; i < 50; i++) expect(order(three, null).sort()).toEqual(["a", "b", "c"]);
  });

  it("keeps a session on its candidate, and spreads sessions by weight", () => {
    expect(order(targets, "s-1")).toEqual(order(targets, "s-1"));
    let a = 0;
    for (let i = 0; i < 4000; i++) if (order(targets, `session-${i}`)[0] === "a") a += 1;
    expect(Math.abs(a / 4000 - 0.75)).toBeLessThan(0.04);
  });

  it("moves only the removed candidate's sessions", () => {
    const three = [...targets, { id: "c", weight: 1 }];
    for (let i = 0; i < 500; i++) {
      const session = `session-${i}`;
      const before = order(three, session)[0];
      const after = order(targets, session)[0];
      if (before !== "c") expect(after).toBe(before);
    }
  });

  it("uses the random source it is given", () => {
    const values = [0.9, 0.1];
    const fixed = () => values.shift() ?? 0.5;
    // a: -ln(0.1)/3 ≈ 0.77; b: -ln(0.9)/1 ≈ 0.11 → b first.
    expect(order(targets, null, fixed)).toEqual(["b", "a"]);
  });
});

describe("unitHash", () => {
  it("is stable and inside (0, 1)", () => {
    expect(unitHash("x")).toBe(unitHash("x"));
    expect(unitHash("x")).not.toBe(unitHash("y"));
    for (const s of ["", "a", "session\nopenai/gpt"]) {
      expect(unitHash(s)).toBeGreaterThan(0);
      expect(unitHash(s)).toBeLessThan(1);
    }
  });
});
