import { env } from "cloudflare:workers";
import { createRoute, z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { createApp } from "../app";
import { GatewayError } from "../errors/gateway-error";
import { needs, routeNeeds, routeParam } from "./route-needs";

/** A client dialect's envelope, as a route would declare it (Anthropic's shape, for example). */
const envelope = (
  c: Parameters<NonNullable<Parameters<typeof needs>[0]["errorEnvelope"]>>[0],
  err: unknown,
) => c.json({ type: "error", error: { message: err instanceof Error ? err.message : "?" } }, 418);

describe("route needs", () => {
  it("answer a route's errors in the envelope it declares, and every other route's in ours", async () => {
    const app = createApp();
    const fail = () => {
      throw new GatewayError(400, "invalid_request_error", "nope", "Refused.");
    };
    app.openapi(
      createRoute({
        method: "get",
        path: "/dialect/{id}",
        middleware: [needs({ errorEnvelope: envelope })],
        request: { params: z.object({ id: z.string() }) },
        responses: { 200: { description: "never" } },
      }),
      fail,
    );
    app.get("/plain", fail);
    const own = await app.request("/dialect/x", {}, env);
    expect(own.status).toBe(418);
    expect(await own.json()).toEqual({ type: "error", error: { message: "Refused." } });
    const plain = await app.request("/plain", {}, env);
    expect(plain.status).toBe(400);
    expect(await plain.json()).toMatchObject({ error: { type: "invalid_request_error", code: "nope" } });
  });

  it("are read, with the route's path parameters, before the route runs", async () => {
    const app = createApp();
    let seen: unknown;
    app.use("/probe/*", async (c, next) => {
      seen = { needs: routeNeeds(c), id: routeParam(c, "id"), missing: routeParam(c, "other") };
      await next();
    });
    app.openapi(
      createRoute({
        method: "post",
        path: "/probe/{id}/things",
        middleware: [needs({ bodyLimit: 10, prefetch: "turn" })],
        request: { params: z.object({ id: z.string() }) },
        responses: { 204: { description: "done" } },
      }),
      (c) => c.body(null, 204),
    );
    const res = await app.request("/probe/cnv%20one/things", { method: "POST" }, env);
    expect(res.status).toBe(204);
    expect(seen).toEqual({ needs: { bodyLimit: 10, prefetch: "turn" }, id: "cnv one", missing: undefined });
  });
});
