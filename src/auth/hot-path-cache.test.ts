import { afterEach, describe, expect, it } from "vitest";
import type { HotPathRows } from "../db/queries/hot-path";
import {
  authCacheSeconds,
  cachedHotPath,
  cacheHotPath,
  forgetHotPaths,
  hotPathGeneration,
  refreshFailed,
} from "./hot-path-cache";

const rows = (id: string) => ({ key: { id } }) as unknown as HotPathRows;
const T0 = 1_000_000;

describe("the hot-path cache", () => {
  afterEach(() => forgetHotPaths());

  it("keeps a read for its bound, per key hash and model, and asks once for a refresh past half of it", () => {
    cacheHotPath("h1", "openai/gpt-4o-mini", rows("a"), hotPathGeneration(), T0);
    expect(cachedHotPath("h1", "openai/gpt-4o-mini", 10, T0 + 4_999)).toEqual({
      rows: rows("a"),
      refresh: false,
    });
    expect(cachedHotPath("h1", "fast", 10, T0)).toBeUndefined();
    expect(cachedHotPath("h2", "openai/gpt-4o-mini", 10, T0)).toBeUndefined();
    // Past half the bound: still served, and one caller (only one) is told to read it again.
    expect(cachedHotPath("h1", "openai/gpt-4o-mini", 10, T0 + 5_000)).toEqual({
      rows: rows("a"),
      refresh: true,
    });
    expect(cachedHotPath("h1", "openai/gpt-4o-mini", 10, T0 + 6_000)?.refresh).toBe(false);
    // A refresh that failed may be tried again by the next call.
    refreshFailed("h1", "openai/gpt-4o-mini");
    expect(cachedHotPath("h1", "openai/gpt-4o-mini", 10, T0 + 6_000)?.refresh).toBe(true);
    // At the bound it is gone, not only skipped.
    expect(cachedHotPath("h1", "openai/gpt-4o-mini", 10, T0 + 10_000)).toBeUndefined();
    expect(cachedHotPath("h1", "openai/gpt-4o-mini", 10, T0)).toBeUndefined();
  });

  it("replaces an entry by its refresh, and forgets it when the refresh found no key", () => {
    cacheHotPath("h1", "m", rows("old"), hotPathGeneration(), T0);
    cacheHotPath("h1", "m", rows("new"), hotPathGeneration(), T0 + 6_000);
    expect(cachedHotPath("h1", "m", 10, T0 + 9_000)).toEqual({ rows: rows("new"), refresh: false });
    cacheHotPath("h1", "m", undefined, hotPathGeneration(), T0 + 9_000);
    expect(cachedHotPath("h1", "m", 10, T0 + 9_000)).toBeUndefined();
  });

  it("does not keep a read that began before a write", () => {
    const before = hotPathGeneration();
    forgetHotPaths();
    cacheHotPath("h1", "m", rows("stale"), before, T0);
    expect(cachedHotPath("h1", "m", 10, T0)).toBeUndefined();
  });

  it("drops the oldest read when full", () => {
    const generation = hotPathGeneration();
    for (let i = 0; i <= 1024; i++) cacheHotPath(`h${i}`, "m", rows(String(i)), generation, T0);
    expect(cachedHotPath("h0", "m", 10, T0)).toBeUndefined();
    expect(cachedHotPath("h1", "m", 10, T0)?.rows).toEqual(rows("1"));
    expect(cachedHotPath("h1024", "m", 10, T0)?.rows).toEqual(rows("1024"));
  });

  it("is on for 5 s by default; AUTH_CACHE_SECONDS=0 turns it off, and it holds at most 300 s", () => {
    expect([undefined, "", " ", "-5", "2.5", "soon"].map(authCacheSeconds)).toEqual([5, 5, 5, 5, 5, 5]);
    expect(authCacheSeconds("0")).toBe(0);
    expect(authCacheSeconds("30")).toBe(30);
    expect(authCacheSeconds("3600")).toBe(300);
  });
});
