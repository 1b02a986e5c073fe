import { describe, expect, it } from "vitest";
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

/**
 * What must empty the hot-path cache (src/auth/hot-path-cache.ts): every write that changes keys,
 * users (their budgets and keys included), model configs or vendors.
 */
const changesAuthRows = (method: string, path: string) =>
  method !== "GET" && /^\/v1\/(users|model-configs|vendors)(\/|$)/.test(path);

describe("routers' declared needs", () => {
  it("mark exactly the writes that change what auth reads", async () => {
    const routes = await declaredNeeds();
    expect(routes.length).toBeGreaterThan(30);
    for (const r of routes) {
      expect(Boolean(r.needs.invalidatesAuthCache), `${r.method} ${r.path}`).toBe(
        changesAuthRows(r.method, r.path),
      );
    }
  });

  it("empty the hot-path cache on writes to keys, users, model configs and vendors, not on reads or calls", async () => {
    const marked = new Map(
      (await declaredNeeds()).map((r) => [`${r.method} ${r.path}`, Boolean(r.needs.invalidatesAuthCache)]),
    );
    expect(marked.get("DELETE /v1/users/x/api-keys/x")).toBe(true);
    expect(marked.get("PATCH /v1/users/x")).toBe(true);
    expect(marked.get("POST /v1/model-configs")).toBe(true);
    expect(marked.get("PATCH /v1/vendors/x")).toBe(true);
    expect(marked.get("GET /v1/users/x")).toBe(false);
    expect(marked.get("POST /v1/chat/completions")).toBe(false);
  });
});
