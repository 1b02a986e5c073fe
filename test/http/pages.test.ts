import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { get } from "../helpers";

/**
 * The console and docs pages as the Worker serves them from assets/ui/ (built by `npm run
 * build:web`, which `npm test` runs first). What they do in a browser: test/browser/.
 */
describe("web pages", () => {
  const strictCsp = (csp: string | null) => {
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    // No inline or string-compiled script, whatever else a page needs.
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
  };

  it("serves the console at /console and every path below it, with a strict CSP and no key", async () => {
    for (const path of ["/console", "/console/usage", "/console/users/abc"]) {
      const res = await get(path, { key: null });
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.text).toContain("<title>Switchboard console</title>");
      strictCsp(res.headers.get("content-security-policy"));
      expect(res.headers.get("content-security-policy")).not.toContain("unsafe");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    }
  });

  it("serves /docs from the self-hosted Scalar build, loading nothing from another origin", async () => {
    const res = await get("/docs", { key: null });
    expect(res.status).toBe(200);
    strictCsp(res.headers.get("content-security-policy"));
    const sources = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(sources.length).toBeGreaterThanOrEqual(2);
    for (const src of sources) expect(src, src).toMatch(/^\/ui\//);
    const scalar = sources.find((s) => /\/ui\/docs\/scalar-[\d.]+\.js$/.test(s));
    expect(scalar).toBeDefined();
    const script = await get(scalar as string, { key: null });
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    // Not versioned by name: revalidated, so a deploy's change reaches browsers at once.
    const setup = await get("/ui/docs/before-scalar.js", { key: null });
    expect(setup.status).toBe(200);
    expect(setup.headers.get("cache-control")).toBe("no-cache");
  });

  it("serves the pages' scripts and styles under /ui/ with their types, and nothing else there", async () => {
    const page = await get("/console", { key: null });
    const [script] = [...page.text.matchAll(/src="(\/ui\/assets\/[^"]+\.js)"/g)].map((m) => m[1] as string);
    const [style] = [...page.text.matchAll(/href="(\/ui\/assets\/[^"]+\.css)"/g)].map((m) => m[1] as string);
    expect((await get(script as string, { key: null })).headers.get("content-type")).toMatch(/javascript/);
    expect((await get(style as string, { key: null })).headers.get("content-type")).toMatch(/text\/css/);
    for (const path of ["/ui/console/index.html", "/ui/console/", "/ui/nothing.js"]) {
      const res = await get(path, { key: null });
      expect(res.status, path).toBe(404);
      expect(res.json.error.code).toBe("route_not_found");
    }
  });

  it("sends / to the console", async () => {
    // Not the helper: a fetch through the worker's own binding follows redirects by default.
    const res = await exports.default.fetch(new Request("http://switchboard.test/", { redirect: "manual" }));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/console");
  });
});
