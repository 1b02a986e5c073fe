import { describe, expect, it } from "vitest";
import { invalidatesHotPaths } from "../auth/hot-path-cache";
import { type RouteNeeds, routeNeeds } from "../openapi/route-needs";
import { createRouter } from "../openapi/router";
import { routers } from ".";

/** Every route of every router, with the needs it declares (read as the app's middleware reads them). */
async function declaredNeeds() {
  const app = createRouter();
  let seen: RouteNeeds = {};
  app.use(async (c) => {
    seen = routeNeeds(c);
    return c.body(null, 204);
  });
  for (const router of routers) app.route("/", router);
  const found: { method: string; path: string; needs: RouteNeeds }[] = [];
  for (const { method, path } of app.routes) {
    if (method === "ALL") continue;
    const concrete = path.replace(/:[^/]+/g, "x");
    await app.request(concrete, { method });
    found.push({ method, path: concrete, needs: seen });
  }
  return found;
}

describe("routers' declared needs", () => {
  it("mark exactly the writes the hot-path cache forgets on (src/auth/hot-path-cache.ts)", async () => {
    const routes = await declaredNeeds();
    expect(routes.length).toBeGreaterThan(30);
    for (const r of routes) {
      expect(Boolean(r.needs.invalidatesAuthCache), `${r.method} ${r.path}`).toBe(
        invalidatesHotPaths(r.method, r.path),
      );
    }
  });
});
