import { describe, expect, it } from "vitest";
import { budgetOf, EFFORT_BUDGETS, EFFORTS, effortOf, reasoningOfEffort } from "./reasoning";

describe("effortOf and budgetOf", () => {
  it("gives the level asked, else the one the budget falls in, else none", () => {
    expect(effortOf({ enabled: true, effort: "minimal", budgetTokens: 30_000 })).toBe("minimal");
    expect(effortOf({ enabled: true, budgetTokens: 4096 })).toBe("low");
    expect(effortOf({ enabled: true, budgetTokens: 4097 })).toBe("medium");
    expect(effortOf({ enabled: true, budgetTokens: 16_385 })).toBe("high");
    expect(effortOf({ enabled: true })).toBeUndefined();
  });

  it("gives the budget asked, else the level's, else none", () => {
    expect(budgetOf({ enabled: true, effort: "high", budgetTokens: 3000 })).toBe(3000);
    expect(budgetOf({ enabled: true, effort: "low" })).toBe(2048);
    expect(budgetOf({ enabled: true })).toBeUndefined();
  });

  it("puts each level's budget where effortOf reads the same level back (xhigh reads high)", () => {
    for (const effort of EFFORTS) {
      const back = effortOf({ enabled: true, budgetTokens: EFFORT_BUDGETS[effort] });
      expect(back, effort).toBe(effort === "minimal" ? "low" : effort === "xhigh" ? "high" : effort);
    }
  });
});

describe("reasoningOfEffort", () => {
  it("reads none as off and max as xhigh", () => {
    expect(reasoningOfEffort("none")).toEqual({ enabled: false });
    expect(reasoningOfEffort("max")).toEqual({ enabled: true, effort: "xhigh" });
    expect(reasoningOfEffort("medium")).toEqual({ enabled: true, effort: "medium" });
  });
});
