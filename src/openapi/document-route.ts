import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env";

export const API_VERSION = "0.1.0";

/** Origins this isolate has answered: a deployment has one or a few (workers.dev, its domains). */
const MAX_ORIGINS = 4;

/**
 * The document is built in Node from these routes (src/openapi/document.ts) and kept in
 * assets/openapi.json, fetched once per isolate; the one thing that depends on the request is
 * `servers`, the origin it came to, so the serialized document is kept per origin and a repeat
 * request costs no work.
 */
let document: Promise<Record<string, unknown>> | undefined;
const serialized = new Map<string, string>();

async function openApiJson(c: Context<AppEnv>) {
  const origin = new URL(c.req.url).origin;
  let body = serialized.get(origin);
  if (body === undefined) {
    document ??= c.env.ASSETS.fetch(new URL("/openapi.json", c.req.url)).then((res) => {
      if (!res.ok) throw new Error(`assets/openapi.json: ${res.status}`);
      return res.json<Record<string, unknown>>();
    });
    // A failed read is not kept, so the next request tries again.
    const doc = await document.catch((err) => {
      document = undefined;
      throw err;
    });
    // Spread over the document, `servers` keeps its place in it (after `info`).
    body = JSON.stringify({ ...doc, servers: [{ url: origin }] });
    if (serialized.size >= MAX_ORIGINS) serialized.clear();
    serialized.set(origin, body);
  }
  return c.body(body, 200, { "content-type": "application/json" });
}

/** The document, public; its reference page is /docs (src/pages/). */
export function registerDocument(app: OpenAPIHono<AppEnv>) {
  app.get("/openapi.json", openApiJson);
}
