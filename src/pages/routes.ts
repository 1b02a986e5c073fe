import type { Context } from "hono";
import type { AppEnv } from "../env";
import { GatewayError, notFound } from "../errors/gateway-error";
import { createRouter } from "../openapi/router";
import { CONSOLE_CSP, DOCS_CSP, pageHeaders } from "./security-headers";

/**
 * The web pages: the console (a single-page app: every /console path is its page, the app routes
 * on the client) and the API reference, built by Vite from web/ into assets/ui/ and read through
 * the ASSETS binding (the Worker runs first on every request, so these headers are always set).
 * Not in the OpenAPI document: they are pages, not API.
 */
export const PAGE_PATHS = ["/", "/docs", "/console", "/console/*", "/ui/*"] as const;

export const pageRoutes = createRouter()
  .get("/", (c) => c.redirect("/console", 302))
  .get("/docs", (c) => page(c, "/ui/docs/", DOCS_CSP))
  .get("/console", (c) => page(c, "/ui/console/", CONSOLE_CSP))
  .get("/console/*", (c) => page(c, "/ui/console/", CONSOLE_CSP))
  .get("/ui/*", (c) => asset(c));

async function page(c: Context<AppEnv>, path: string, csp: string) {
  const res = await c.env.ASSETS.fetch(new URL(path, c.req.url));
  if (!res.ok) throw notBuilt(path);
  return c.body(res.body as ReadableStream, 200, {
    ...pageHeaders(csp),
    "content-type": "text/html; charset=utf-8",
  });
}

/**
 * Scripts, styles and Scalar's build. Hashed names (`/ui/assets/`) and the versioned Scalar file
 * never change content, so browsers keep them for a year; anything else is revalidated. Pages are
 * never served from here.
 */
const IMMUTABLE = /^\/ui\/(assets\/|docs\/scalar-[\d.]+\.js$)/;

async function asset(c: Context<AppEnv>) {
  const url = new URL(c.req.url);
  if (url.pathname.endsWith(".html") || url.pathname.endsWith("/")) throw notFound("route");
  const res = await c.env.ASSETS.fetch(new URL(url.pathname, url));
  if (res.status === 404) throw notFound("route");
  if (!res.ok) throw new Error(`assets ${url.pathname}: ${res.status}`);
  return c.body(res.body as ReadableStream, 200, {
    "content-type": res.headers.get("content-type") ?? "application/octet-stream",
    "x-content-type-options": "nosniff",
    "cache-control": IMMUTABLE.test(url.pathname) ? "public, max-age=31536000, immutable" : "no-cache",
  });
}

/** The assets were not built (`npm run build:web`): a 404 that says so, not a blank page. */
const notBuilt = (path: string) =>
  new GatewayError(
    404,
    "not_found_error",
    "page_not_built",
    `The page is not built (assets${path} is missing): run \`npm run build:web\`.`,
  );
