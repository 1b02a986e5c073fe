import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import type { Principal } from "../auth/principal";
import type { UserRow } from "../db/schema";
import { errorResponse } from "../errors/to-response";
import { NO_LIMITS } from "../gateway/budget-window";
import { routes } from "./route";
import { type RouteNeeds, routeNeeds } from "./route-needs";
import { createRouter } from "./router";
import { jsonResponse } from "./schemas";

const route = routes({ tags: ["Things"], errors: [404], writes: { invalidatesAuthCache: true } });
const Ok = z.object({ ok: z.boolean() });
const ok = { 200: jsonResponse(Ok, "Done.") };

const list = route({ method: "get", path: "/things", summary: "List", responses: ok });
const remove = route({
  method: "delete",
  path: "/things/{id}",
  summary: "Delete",
  admin: true,
  request: { params: z.object({ id: z.string() }) },
  responses: ok,
});
const open = route({ method: "get", path: "/open", summary: "Open", needs: { public: true }, responses: ok });
const big = route({
  method: "post",
  path: "/things",
  summary: "Create",
  needs: { bodyLimit: 10 },
  errors: [409],
  responses: ok,
});

describe("routes()", () => {
  it("fills in the router's tags and merges its error statuses with the route's", () => {
    expect(list.tags).toEqual(["Things"]);
    expect(Object.keys(list.responses)).toEqual(["200", "400", "401", "404", "413", "415", "429", "500"]);
    expect(Object.keys(big.responses)).toContain("409");
    expect(Object.keys(remove.responses)).toContain("403");
    expect(Object.keys(list.responses)).not.toContain("403");
  });

  it("leaves auth to the document's default, and opts public routes out of it and its 401", () => {
    expect("security" in list).toBe(false);
    expect(open.security).toEqual([]);
    expect(Object.keys(open.responses)).toEqual(["200"]);
  });

  it("keeps the path usable for routing", () => {
    expect(remove.getRoutingPath()).toBe("/things/:id");
  });

  const user = (role: "user" | "admin"): Principal => ({
    kind: "user",
    user: { id: "usr_1", role } as UserRow,
    keyId: "key_1",
    rateLimitPerMinute: null,
    scope: { models: null, metadata: null, budgets: NO_LIMITS },
  });

  /** The app's middleware sees each route's needs; adminOnly runs on admin routes. */
  function app(principal: Principal) {
    const seen: RouteNeeds[] = [];
    const router = createRouter();
    router.use(async (c, next) => {
      seen.push(routeNeeds(c));
      c.set("principal", principal);
      await next();
    });
    router.onError((err, c) => errorResponse(c, err));
    const done = () => ({ ok: true });
    router
      .openapi(list, (c) => c.json(done(), 200))
      .openapi(remove, (c) => c.json({ ok: c.req.valid("param").id === "1" }, 200))
      .openapi(big, (c) => c.json(done(), 200))
      .openapi(open, (c) => c.json(done(), 200));
    return { router, seen };
  }

  it("declares needs where the route is declared: writes get the router's, plus their own", async () => {
    const { router, seen } = app(user("admin"));
    for (const [method, path] of [
      ["GET", "/things"],
      ["DELETE", "/things/1"],
      ["POST", "/things"],
      ["GET", "/open"],
    ] as const) {
      const res = await router.request(path, { method });
      expect(res.status, `${method} ${path}`).toBe(200);
    }
    expect(seen).toEqual([
      {},
      { invalidatesAuthCache: true },
      { invalidatesAuthCache: true, bodyLimit: 10 },
      { public: true },
    ]);
  });

  it("runs adminOnly on admin routes only", async () => {
    const { router } = app(user("user"));
    expect((await router.request("/things/1", { method: "DELETE" })).status).toBe(403);
    expect((await router.request("/things")).status).toBe(200);
  });
});
