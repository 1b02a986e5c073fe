import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import * as zod from "zod";

// The workers tests run on the zod the deploy bundle gets (vitest.config.ts aliases it like
// wrangler.toml does), so code calling a left-out export fails in tests too.
describe("zod in the workers tests", () => {
  it("is src/vendor/zod, for our imports and @hono/zod-openapi's alike", () => {
    for (const ns of [zod, z]) {
      expect("locales" in ns).toBe(false);
      expect("core" in ns).toBe(false);
      expect(typeof ns.object).toBe("function");
    }
    expect(z.string().openapi).toBeTypeOf("function");
  });
});
