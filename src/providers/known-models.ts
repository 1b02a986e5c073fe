import type { VendorKind } from "./builtins";

/**
 * A short, curated list of current models per vendor kind, for `GET /v1/models`. It is a catalogue
 * for discovery, not an allow-list: any `vendor/upstream-model` string is passed through, so a model
 * missing here still works. `openai-compatible` hosts serve whatever they serve, so none are listed.
 */
export const KNOWN_MODELS: Record<VendorKind, readonly string[]> = {
  openai: [
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4.1",
    "gpt-4.1-mini",
    "o4-mini",
    "gpt-image-1",
    "text-embedding-3-small",
    "text-embedding-3-large",
  ],
  anthropic: ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"],
  gemini: ["gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-image", "gemini-embedding-001"],
  "openai-compatible": [],
  mock: ["echo", "chat", "image", "embed"],
};
