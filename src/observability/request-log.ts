import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "../env";
import { toGatewayError } from "../errors/to-response";

/**
 * One JSON line per request, written once the response is ready (first in the chain, so errors
 * turned into responses by app.onError are seen with their final status). Identifiers, counts
 * and codes only: never prompts, bodies, keys or headers. Streams are logged when their headers
 * go out; their usage is recorded separately when they end.
 */
export interface RequestLogLine {
  level: "info" | "warn" | "error";
  msg: "request";
  request_id: string;
  method: string;
  /** The matched route pattern (`/v1/users/:id`), never the raw path with its ids; null if none. */
  route: string | null;
  status: number;
  latency_ms: number;
  user_id?: string;
  vendor?: string;
  model?: string;
  cache?: string;
  retries?: number;
  fallback?: string;
  error_code?: string;
}

export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  await next();
  console.log(JSON.stringify(logLine(c, Date.now() - started)));
});

export function logLine(c: Context<AppEnv>, latencyMs: number): RequestLogLine {
  const status = c.res.status;
  const line: RequestLogLine = {
    level: status >= 500 ? "error" : status >= 400 ? "warn" : "info",
    msg: "request",
    request_id: c.get("requestId"),
    method: c.req.method,
    route: routePattern(c),
    status,
    latency_ms: latencyMs,
  };
  const principal = c.get("principal");
  if (principal?.kind === "user") line.user_id = principal.user.id;
  const call = c.get("call");
  if (call?.vendor) line.vendor = call.vendor;
  if (call?.upstreamModel) line.model = call.upstreamModel;
  const cache = c.res.headers.get("x-cache") ?? (call?.cacheHit ? "HIT" : null);
  if (cache) line.cache = cache;
  if (call?.retries) line.retries = call.retries;
  if (call?.fallbackUsed) line.fallback = call.fallbackUsed;
  // c.error is what app.onError answered; a call record's code covers failures handled inside.
  const errorCode = c.error ? toGatewayError(c.error).code : call?.errorCode;
  if (errorCode) line.error_code = errorCode;
  return line;
}

/** The route that answered: the last matched one that is not a middleware (`use` is ALL). */
function routePattern(c: Context<AppEnv>): string | null {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i];
    if (route && route.method !== "ALL") return route.path;
  }
  return null;
}
