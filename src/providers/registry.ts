import { anthropicProvider } from "./anthropic";
import { geminiProvider } from "./gemini";
import type { VendorKind } from "./kinds";
import { mockProvider } from "./mock";
import { openaiProvider } from "./openai";
import { openaiCompatibleProvider } from "./openai-compatible";
import type { Provider } from "./types";

/**
 * Vendor kind → adapter. A new vendor kind is a folder under src/providers/, its name in
 * kinds.ts and one line here; every kind must have one, so a kind without an adapter is a type error.
 */
const PROVIDERS: Record<VendorKind, Provider> = {
  openai: openaiProvider,
  gemini: geminiProvider,
  anthropic: anthropicProvider,
  "openai-compatible": openaiCompatibleProvider,
  mock: mockProvider,
};

export const providerFor = (kind: VendorKind): Provider => PROVIDERS[kind];
