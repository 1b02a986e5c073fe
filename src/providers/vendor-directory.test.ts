import { describe, expect, it } from "vitest";
import type { VendorRow } from "../db/schema";
import { findBuiltin } from "./builtins";
import { hasApiKey, mergeVendor } from "./vendor-directory";

const created = new Date("2026-11-26T10:00:00.000Z");
const row = (over: Partial<VendorRow>): VendorRow => ({
  slug: "groq",
  kind: "openai-compatible",
  baseUrl: "https://api.groq.com/openai/v1",
  apiKeyEncrypted: null,
  enabled: true,
  createdAt: created,
  updatedAt: created,
  ...over,
});
const openai = findBuiltin({ OPENAI_API_KEY: "sk-env" }, "openai");

describe("mergeVendor", () => {
  it("is undefined for a slug that is neither built in nor stored", () => {
    expect(mergeVendor(undefined, undefined)).toBeUndefined();
  });

  it("takes a built-in as configured when it has no override", () => {
    expect(mergeVendor(openai, undefined)).toEqual({
      slug: "openai",
      kind: "openai",
      baseUrl: "https://api.openai.com/v1",
      enabled: true,
      builtin: true,
      apiKeyEncrypted: null,
      envApiKey: "sk-env",
      createdAt: null,
      updatedAt: null,
    });
  });

  it("lets an override row win field by field, falling back to the built-in's base URL", () => {
    const disabled = mergeVendor(
      openai,
      row({ slug: "openai", kind: "openai", baseUrl: null, enabled: false }),
    );
    expect(disabled).toMatchObject({ baseUrl: "https://api.openai.com/v1", enabled: false, builtin: true });
    const proxied = mergeVendor(openai, row({ slug: "openai", kind: "openai", apiKeyEncrypted: "v1.a.b" }));
    expect(proxied).toMatchObject({ baseUrl: "https://api.groq.com/openai/v1", apiKeyEncrypted: "v1.a.b" });
    expect(proxied?.createdAt).toEqual(created);
  });

  it("uses the kind's default base URL for an added vendor without one", () => {
    expect(mergeVendor(undefined, row({ kind: "anthropic", baseUrl: null }))?.baseUrl).toBe(
      "https://api.anthropic.com",
    );
    expect(mergeVendor(undefined, row({ baseUrl: null }))?.baseUrl).toBeNull();
  });
});

describe("hasApiKey", () => {
  it("counts a stored key or the environment's", () => {
    const bare = mergeVendor(undefined, row({})) as NonNullable<ReturnType<typeof mergeVendor>>;
    expect(hasApiKey(bare)).toBe(false);
    expect(hasApiKey({ ...bare, apiKeyEncrypted: "v1.a.b" })).toBe(true);
    expect(hasApiKey({ ...bare, envApiKey: "sk-env" })).toBe(true);
  });
});
