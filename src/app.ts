import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { requestId } from "hono/request-id";
import { forgetHotPaths } from "./auth/hot-path-cache";
import { authenticate } from "./auth/middleware";
import type { AppEnv } from "./env";
import { GatewayError, notFound } from "./errors/gateway-error";
import { errorResponse } from "./errors/to-response";
import { keyRateLimit } from "./gateway/rate-limit";
import { requestLog } from "./observability/request-log";
import { registerDocument } from "./openapi/document-route";
import { DEFAULT_BODY_LIMIT, routeNeeds } from "./openapi/route-needs";
import { createRouter } from "./openapi/router";
import { pageRoutes } from "./pages/routes";
import { routers } from "./routes";
import { methodsFor } from "./routes/allowed-methods";

export function createApp() {
  const app = createRouter();

  // First, so it sees the final status of everything below, errors included.
  app.use(requestLog);
  app.use(
    requestId({
      // Echo a caller's id when it is sane, else mint one; it is logged and returned on errors.
      limitLength: 128,
      generator: () => `req_${crypto.randomUUID().replaceAll("-", "")}`,
    }),
  );
  app.use(corsFromEnv());
  // What each route needs of the middleware below is declared with the route (route-needs.ts).
  const tooLarge = () => {
    throw new GatewayError(413, "invalid_request_error", "body_too_large", "The request body is too large.");
  };
  const limits = new Map<number, ReturnType<typeof bodyLimit>>();
  const limitOf = (maxSize: number) => {
    let limit = limits.get(maxSize);
    if (!limit) {
      limit = bodyLimit({ maxSize, onError: tooLarge });
      limits.set(maxSize, limit);
    }
    return limit;
  };
  // One middleware for every /v1 route, in this order: the body limit; around everything below, a
  // write to keys, users, model configs or vendors empties this isolate's auth cache once it is
  // done, whatever its outcome; then auth (generated-image links are capabilities, a random
  // 128-bit id for an hour, like OpenAI's signed URLs: no key); then the key's rate limit, right
  // after auth, on the key row it read, so a refused request costs no further work. One layer,
  // not four: each is another async frame on every request.
  app.use("/v1/*", (c, next) => {
    const route = routeNeeds(c);
    return limitOf(route.bodyLimit ?? DEFAULT_BODY_LIMIT)(c, async () => {
      try {
        if (route.public) await next();
        else
          await authenticate(c, async () => {
            await keyRateLimit(c, next);
          });
      } finally {
        if (route.invalidatesAuthCache) forgetHotPaths();
      }
    });
  });

  for (const router of routers) app.route("/", router);
  registerDocument(app);
  app.route("/", pageRoutes);

  app.notFound((c) => {
    const allowed = methodsFor(app.routes, c.req.path);
    if (allowed.length > 0) {
      return errorResponse(
        c,
        new GatewayError(
          405,
          "invalid_request_error",
          "method_not_allowed",
          `${c.req.method} is not allowed here.`,
          {
            headers: { allow: allowed.join(", ") },
          },
        ),
      );
    }
    return errorResponse(c, notFound("route"));
  });
  app.onError((err, c) => {
    const envelope = routeNeeds(c).errorEnvelope;
    return envelope ? envelope(c, err) : errorResponse(c, err);
  });
  return app;
}

/** CORS only for the origins listed in CORS_ORIGINS; none by default. */
function corsFromEnv() {
  let configured: string | undefined;
  let handler: ReturnType<typeof cors> | undefined;
  return createMiddleware<AppEnv>((c, next) => {
    const origins = c.env.CORS_ORIGINS?.trim();
    if (!origins) return next();
    if (origins !== configured) {
      const list = origins
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean);
      handler = cors({
        origin: list.includes("*") ? "*" : list,
        allowHeaders: ["authorization", "x-api-key", "content-type", "x-request-id", "cache-control"],
        exposeHeaders: [
          "x-request-id",
          "x-cache",
          "retry-after",
          "ratelimit-limit",
          "ratelimit-remaining",
          "ratelimit-reset",
          "ratelimit-policy",
        ],
        maxAge: 600,
      });
      configured = origins;
    }
    return (handler as ReturnType<typeof cors>)(c, next);
  });
}
