import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: plain JS module without types (it stands in for zod-to-openapi's own).
import * as standIn from "../../src/vendor/zod-to-openapi/index.js";

// The Worker's zod-to-openapi (wrangler.toml [alias], and the workers tests' through
// vitest.config.ts) is a stand-in that records nothing (src/vendor/zod-to-openapi/index.js says
// why). That is sound for what @hono/zod-openapi does with it at the version read; these fail on
// an upgrade, so that its use is read again, and when it imports other names.
const pkgPath = createRequire(import.meta.url).resolve("@hono/zod-openapi/package.json");
const pkg = JSON.parse(readFileSync(pkgPath, "utf8"));
/** The module the bundle and the workers tests load (the "import" condition). */
const esm = readFileSync(join(dirname(pkgPath), pkg.exports["."].import), "utf8");

describe("src/vendor/zod-to-openapi", () => {
  it("exports exactly what @hono/zod-openapi imports of zod-to-openapi", () => {
    const imports = [...esm.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@asteasolutions\/zod-to-openapi"/g)];
    expect(imports).toHaveLength(1);
    const names = (imports[0]?.[1] ?? "").split(",").map((n) => n.trim());
    expect(Object.keys(standIn).sort()).toEqual(names.filter(Boolean).sort());
  });

  it("was checked against @hono/zod-openapi 1.6.3: OpenAPIHono feeds the registry and reads it only to build documents and to merge sub-apps' entries", () => {
    expect(pkg.version).toBe("1.6.3");
  });
});
