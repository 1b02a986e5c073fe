import type { OptionalConfig } from "../env";
import type { VendorKind } from "./kinds";

// The adapters import the kind from here, with the built-ins it describes.
export type { VendorKind } from "./kinds";

/** Where a kind's API lives when neither the config nor the vendor row names a base URL. */
export const DEFAULT_BASE_URLS: Record<VendorKind, string | null> = {
  openai: "https://api.openai.com/v1",
  anthropic: "https://api.anthropic.com",
  gemini: "https://generativelanguage.googleapis.com",
  "openai-compatible": null, // must be given per vendor
  mock: null, // offline, answers in-process
};

export interface BuiltinVendor {
  slug: string;
  kind: VendorKind;
  baseUrl: string | null;
  /** The secret from the environment, if set. */
  envApiKey: string | undefined;
}

/**
 * The vendors that exist without any setup, from PRODUCT.md's configuration. A D1 row with the
 * same slug overrides them (base URL, stored key, enabled).
 */
export function builtinVendors(env: OptionalConfig): BuiltinVendor[] {
  const list: BuiltinVendor[] = [
    {
      slug: "openai",
      kind: "openai",
      baseUrl: env.OPENAI_BASE_URL || DEFAULT_BASE_URLS.openai,
      envApiKey: env.OPENAI_API_KEY,
    },
    {
      slug: "anthropic",
      kind: "anthropic",
      baseUrl: env.ANTHROPIC_BASE_URL || DEFAULT_BASE_URLS.anthropic,
      envApiKey: env.ANTHROPIC_API_KEY,
    },
    {
      slug: "gemini",
      kind: "gemini",
      baseUrl: env.GEMINI_BASE_URL || DEFAULT_BASE_URLS.gemini,
      envApiKey: env.GEMINI_API_KEY,
    },
  ];
  if (env.ENABLE_MOCK_VENDOR === "true")
    list.push({ slug: "mock", kind: "mock", baseUrl: null, envApiKey: undefined });
  return list;
}

export function findBuiltin(env: OptionalConfig, slug: string): BuiltinVendor | undefined {
  return builtinVendors(env).find((v) => v.slug === slug);
}
