import { globSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import * as zod from "zod";
// @ts-expect-error: plain JS module without types (it re-exports zod's own).
import * as shim from "../../src/vendor/zod/index.js";

// The deploy bundle's "zod" (wrangler.toml [alias], and the workers tests' through vitest.config.ts)
// is the part of zod the code uses (src/vendor/zod/external.js says why). Types come from zod
// itself, so tsc cannot tell when code calls a zod function the shim leaves out: this does, by
// reading the code that runs on the shim (everything but these Node tests).
const ROOT = resolve(import.meta.dirname, "../..");
const files = globSync(["src/**/*.ts", "test/**/*.ts"], { cwd: ROOT }).filter(
  (f) => !f.startsWith("test/node/"),
);

/** What src/vendor/zod-to-openapi extends, through the namespace @hono/zod-openapi hands it. */
const NEEDED_BY_DEPENDENCIES = ["ZodType"];

/**
 * zod's run-time exports each file uses, by `file: name`: calls (`z.string()`), namespaces
 * (`z.coerce.number()`), instanceof checks, and named imports. `z.X<...>` and `extends z.X` are
 * types, which tsc checks against zod's own.
 */
function zodValuesUsed(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const note = (name: string, file: string) => {
    if (name in zod.z) used.set(name, [...(used.get(name) ?? []), file]);
  };
  for (const file of files) {
    const source = readFileSync(resolve(ROOT, file), "utf8");
    // `z` and the name may sit on two lines: `z\n  .email()`.
    for (const m of source.matchAll(
      /(?:\binstanceof\s+)?(?<![\w$.])z\s*\.\s*([A-Za-z_$][\w$]*)(\s*[(.])?/g,
    )) {
      if (m[0].startsWith("instanceof") || m[2]) note(m[1] as string, file);
    }
    for (const m of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*"(?:zod|@hono\/zod-openapi)"/g)) {
      for (const spec of (m[1] as string).split(",")) {
        const [name] = spec.trim().split(/\s+as\s+/);
        if (name && !name.startsWith("type ") && name !== "z") note(name, file);
      }
    }
  }
  return used;
}

describe("src/vendor/zod", () => {
  const exported = new Set(Object.keys(shim.z));

  it("exports every zod value the code uses", () => {
    const missing = [...zodValuesUsed()].filter(([name]) => !exported.has(name));
    expect(missing.map(([name, where]) => `z.${name} (${where.join(", ")})`)).toEqual([]);
  });

  it("exports nothing else, since all it exports stays in the bundle", () => {
    const used = new Set([...zodValuesUsed().keys(), ...NEEDED_BY_DEPENDENCIES]);
    expect([...exported].filter((name) => !used.has(name))).toEqual([]);
  });

  it("re-exports zod's own values, not copies: the same functions, classes and namespaces", () => {
    // Catches a re-export from the wrong module (zod's core has its own `parse`, `ZodError`...).
    for (const [k, v] of Object.entries(shim)) {
      if (k !== "z" && k !== "default") expect(v, k).toBe((zod as Record<string, unknown>)[k]);
    }
    expect(Object.keys(shim).sort()).toEqual([...exported, "default", "z"].sort());
  });

  it("is the same zod, not a copy (one ZodType class, English messages)", () => {
    expect(shim.ZodType).toBe(zod.ZodType);
    const result = shim.z.string().email().safeParse("nope");
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("Invalid email address");
  });
});
