import { anthropicProvider } from "./anthropic";
import type { VendorKind } from "./builtins";
import { geminiProvider } from "./gemini";
import { mockProvider } from "./mock";
import { openaiProvider } from "./openai";
import { openaiCompatibleProvider } from "./openai-compatible";
import type { Provider } from "./types";

/** Vendor kind → adapter. A new vendor kind is a folder under src/providers/ and one line here. */
const PROVIDERS: Partial<Record<VendorKind, Provider>> = {
  openai: openaiProvider,
  gemini: geminiProvider,
  anthropic: anthropicProvider,
  "openai-compatible": openaiCompatibleProvider,
  mock: mockProvider,
};

export const providerFor = (kind: VendorKind): Provider | undefined => PROVIDERS[kind];
