/**
 * Every vendor kind: the one list the D1 schema (column enum and check), the vendors route's
 * validation and the adapter registry derive from. No imports, so src/db/schema.ts can use it
 * without pulling in the adapters. A new kind here fails typecheck until registry.ts (and every
 * other `Record<VendorKind, ...>`) has it, and changes the check constraint: drizzle-kit then
 * generates the migration.
 */
export const VENDOR_KINDS = ["openai", "anthropic", "gemini", "openai-compatible", "mock"] as const;

export type VendorKind = (typeof VENDOR_KINDS)[number];
