import { afterEach, describe, expect, it } from "vitest";
import type { HotPathRows } from "../db/queries/hot-path";
import {
  authCacheSeconds,
  cachedHotPath,
  cacheHotPath,
  forgetHotPaths,
  hotPathGeneration,
} from "./hot-path-cache";

const rows = (id: string) => ({ key: { id } }) as unknown as HotPathRows;

describe("the hot-path cache", () => {
  afterEach(() => forgetHotPaths());

  it("keeps a read for its seconds, per key hash and model", () => {
    cacheHotPath("h1", "openai/gpt-4o-mini", rows("a"), 30, hotPathGeneration());
    expect(cachedHotPath("h1", "openai/gpt-4o-mini")).toEqual(rows("a"));
    expect(cachedHotPath("h1", "fast")).toBeUndefined();
    expect(cachedHotPath("h2", "openai/gpt-4o-mini")).toBeUndefined();
    expect(cachedHotPath("h1", "openai/gpt-4o-mini", Date.now() + 31_000)).toBeUndefined();
    // An expired entry is gone, not only skipped.
    expect(cachedHotPath("h1", "openai/gpt-4o-mini")).toBeUndefined();
  });

  it("does not keep a read that began before a write", () => {
    const before = hotPathGeneration();
    forgetHotPaths();
    cacheHotPath("h1", "m", rows("stale"), 30, before);
    expect(cachedHotPath("h1", "m")).toBeUndefined();
  });

  it("drops the oldest read when full", () => {
    const generation = hotPathGeneration();
    for (let i = 0; i <= 1024; i++) cacheHotPath(`h${i}`, "m", rows(String(i)), 30, generation);
    expect(cachedHotPath("h0", "m")).toBeUndefined();
    expect(cachedHotPath("h1", "m")).toEqual(rows("1"));
    expect(cachedHotPath("h1024", "m")).toEqual(rows("1024"));
  });

  it("is off unless AUTH_CACHE_SECONDS is a whole number of seconds, at most 300", () => {
    expect([undefined, "", "0", "-5", "2.5", "soon"].map(authCacheSeconds)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(authCacheSeconds("30")).toBe(30);
    expect(authCacheSeconds("3600")).toBe(300);
  });
});
