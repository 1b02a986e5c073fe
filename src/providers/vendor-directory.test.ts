import { describe, expect, it } from "vitest";
import type { VendorKeyRow, VendorRow } from "../db/schema";
import { findBuiltin } from "./builtins";
import { hasApiKey, mergeVendor, type Vendor } from "./vendor-directory";

const created = new Date("2026-11-26T10:00:00.000Z");
const row = (over: Partial<VendorRow>): VendorRow => ({
  slug: "groq",
  kind: "openai-compatible",
  baseUrl: "https://api.groq.com/openai/v1",
  apiKeyEncrypted: null,
  apiKeyDisabledUntil: null,
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
      keys: [
        {
          id: "environment",
          weight: 1,
          encrypted: null,
          plain: "sk-env",
          last4: null,
          disabledUntil: null,
          createdAt: null,
        },
      ],
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

describe("the vendor's keys", () => {
  const key = (id: string, vendor = "groq"): VendorKeyRow => ({
    id,
    vendor,
    apiKeyEncrypted: `v1.${id}.x`,
    weight: 2,
    last4: "abcd",
    disabledUntil: null,
    createdAt: created,
  });

  it("puts the primary key (stored, else the environment's) first, then its own further keys", () => {
    const keys = mergeVendor(undefined, row({ apiKeyEncrypted: "v1.a.b", apiKeyDisabledUntil: created }), [
      key("vk_2"),
      key("vk_1"),
      key("vk_3", "other"),
    ])?.keys;
    expect(keys?.map((k) => [k.id, k.weight, k.encrypted])).toEqual([
      ["primary", 1, "v1.a.b"],
      ["vk_1", 2, "v1.vk_1.x"],
      ["vk_2", 2, "v1.vk_2.x"],
    ]);
    expect(keys?.[0]?.disabledUntil).toBe(created.getTime());
    const stored = mergeVendor(openai, row({ slug: "openai", kind: "openai", apiKeyEncrypted: "v1.a.b" }));
    expect(stored?.keys.map((k) => k.id)).toEqual(["primary"]);
  });

  it("has a key when it has any of them", () => {
    expect(hasApiKey(mergeVendor(undefined, row({})) as Vendor)).toBe(false);
    expect(hasApiKey(mergeVendor(undefined, row({ apiKeyEncrypted: "v1.a.b" })) as Vendor)).toBe(true);
    expect(hasApiKey(mergeVendor(openai, undefined) as Vendor)).toBe(true);
    expect(hasApiKey(mergeVendor(undefined, row({}), [key("vk_1")]) as Vendor)).toBe(true);
  });
});
