import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";

// The workers tests run on the zod-to-openapi the deploy bundle gets (vitest.config.ts aliases it
// like wrangler.toml does): routes validate, and nothing is kept for a document.
describe("zod-to-openapi in the workers tests", () => {
  it("is src/vendor/zod-to-openapi: .openapi() is the schema itself, and the registry stays empty", async () => {
    const schema = z.object({ n: z.number() });
    expect(schema.openapi("Thing", { example: { n: 1 } })).toBe(schema);
    const app = new OpenAPIHono();
    app.openapi(
      createRoute({
        method: "post",
        path: "/things",
        request: { body: { content: { "application/json": { schema } }, required: true } },
        responses: { 200: { description: "ok" } },
      }),
      (c) => c.json(c.req.valid("json"), 200),
    );
    expect(app.openAPIRegistry.definitions).toEqual([]);
    const ok = await app.request("/things", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"n": 1}',
    });
    expect(await ok.json()).toEqual({ n: 1 });
    const refused = await app.request("/things", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"n": "1"}',
    });
    expect(refused.status).toBe(400);
    expect(() => app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "1" } })).toThrow(
      /prebuilt/,
    );
  });
});
