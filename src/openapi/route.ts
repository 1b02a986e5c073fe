import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { adminOnly } from "../auth/middleware";
import { needs, type RouteNeeds } from "./route-needs";
import { type ErrorStatus, errorResponses } from "./schemas";

/** What every route of one router shares. */
export interface RouterDefaults {
  tags: string[];
  /** Error statuses every route of the router can answer, besides those errorResponses always adds. */
  errors?: ErrorStatus[];
  /** Needs of every route but GETs: e.g. writes that change what auth reads. */
  writes?: RouteNeeds;
}

/**
 * A route as a router declares it: createRoute's config without what the router fills in. Auth
 * is the document's default (src/openapi/document-route.ts); `needs: { public: true }` opts out of it.
 */
export type RouteSpec = Omit<RouteConfig, "tags" | "middleware" | "security"> & {
  /** Admins only: runs adminOnly and documents its 403. */
  admin?: boolean;
  /** What the app's middleware must know of this route (src/openapi/route-needs.ts). */
  needs?: RouteNeeds;
  /** Error statuses of this route, on top of the router's. */
  errors?: ErrorStatus[];
};

/**
 * What createRoute returns for a spec: its own config minus the helper's keys, plus tags and the
 * error responses. `middleware` stays out of the type on purpose: adminOnly and needs() add
 * nothing to the router's AppEnv, and an untyped marker there would widen `c` to `any`.
 */
type Declared<S extends RouteSpec> = Omit<S, "admin" | "needs" | "errors" | "responses"> & {
  tags: string[];
  security?: [];
  responses: S["responses"] & ReturnType<typeof errorResponses>;
  getRoutingPath(): string;
};

/**
 * A route declarer for one router: `const route = routes({ tags: ["Users"] })`, then
 * `route({ method, path, summary, admin: true, request, responses: { 200: ... } })` wherever
 * createRoute was written. The router's and the route's error statuses are merged into
 * errorResponses, so a route lists only its success responses and what is particular to it.
 */
export function routes(defaults: RouterDefaults) {
  return <P extends string, S extends RouteSpec & { path: P }>(spec: S): Declared<S> => {
    const { admin, needs: own, errors = [], responses, ...config } = spec;
    const declared: RouteNeeds = { ...(spec.method === "get" ? {} : defaults.writes), ...own };
    const middleware: MiddlewareHandler[] = [];
    if (Object.keys(declared).length > 0) middleware.push(needs(declared));
    if (admin) middleware.push(adminOnly);
    const statuses: ErrorStatus[] = [...(defaults.errors ?? []), ...errors, ...(admin ? [403 as const] : [])];
    return createRoute({
      ...config,
      tags: defaults.tags,
      ...(middleware.length > 0 ? { middleware } : {}),
      // errorResponses' set is an authenticated route's (401, the key's rate limit): a public
      // route has no key to refuse, so it lists what it answers itself.
      ...(declared.public
        ? { security: [], responses }
        : { responses: { ...responses, ...errorResponses(...statuses) } }),
    }) as unknown as Declared<S>;
  };
}
