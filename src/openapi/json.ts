import type { z } from "@hono/zod-openapi";

/**
 * Bounds for free-form JSON a client stores (a model config's `defaults`). Unbounded, a value
 * nested 1,001 deep is stored and then breaks every read of the row (SQLite's JSON functions stop
 * at depth 1,000: `malformed JSON`), and one nested 10,000 deep overflows the stack of
 * JSON.stringify when a list is answered. Stored values are request parameters, so a few levels
 * and a few KiB are ample.
 */
export interface JsonLimits {
  /** Largest nesting: a scalar is 0, `{}` or `[]` is 1, `{"a": []}` is 2. */
  maxDepth: number;
  /** Largest size of the value as JSON, in UTF-8 bytes. */
  maxBytes: number;
}

export const STORED_JSON_LIMITS: JsonLimits = { maxDepth: 8, maxBytes: 16 * 1024 };

/**
 * Bounds for JSON Schemas a client sends on to the vendor (tool parameters, response formats).
 * Vendors allow a few dozen levels (OpenAI's structured outputs: 10 levels of objects); mappers
 * that walk the schema (Anthropic's) overflowed at 10,000, a 500. The chat body limit bounds size.
 */
export const FORWARDED_SCHEMA_LIMITS: JsonLimits = { maxDepth: 64, maxBytes: 1024 * 1024 };

/**
 * Whether a parsed JSON value nests deeper than `maxDepth`. Iterative, so a value nested deeper
 * than the call stack is measured, not overflowed on; it stops at the first branch past the limit.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [v, depth] = next;
    if (v === null || typeof v !== "object") continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

const encoder = new TextEncoder();

/**
 * A zod refinement bounding a free-form JSON value (`.superRefine(boundedJson())`): a 400 naming
 * the field when it nests too deep or is too large. Depth is checked first, so the size is only
 * measured (by serializing) once serializing is known to be safe.
 */
export const boundedJson =
  (limits: JsonLimits = STORED_JSON_LIMITS) =>
  (value: unknown, ctx: z.RefinementCtx): void => {
    if (nestsDeeperThan(value, limits.maxDepth)) {
      ctx.addIssue({ code: "custom", message: `must not nest deeper than ${limits.maxDepth} levels` });
      return;
    }
    const bytes = encoder.encode(JSON.stringify(value) ?? "").byteLength;
    if (bytes > limits.maxBytes) {
      ctx.addIssue({
        code: "custom",
        message: `must be at most ${limits.maxBytes} bytes as JSON (this is ${bytes})`,
      });
    }
  };
