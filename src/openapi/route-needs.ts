import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";

/**
 * What a route needs from the middleware in front of it, declared where the route is declared
 * (`needs({...})` in its createRoute `middleware`), so adding a route never means editing a path
 * list elsewhere. The app's middleware runs before the route's own and reads this through
 * `routeNeeds(c)`: Hono has matched every handler of the request before the first one runs.
 */
export interface RouteNeeds {
  /** Largest request body in bytes; default DEFAULT_BODY_LIMIT (JSON documents, never files). */
  bodyLimit?: number;
  /**
   * What auth reads in the key's own D1 round trip: the rows of the body's `model` ("model"), or
   * a conversation turn with its candidate models ("turn", src/db/queries/turn-prefetch.ts).
   */
  prefetch?: "model" | "turn";
  /**
   * Writes here change keys, users, model configs or vendors: the isolate's hot-path cache
   * (AUTH_CACHE_SECONDS) is emptied once the request is answered, whatever its outcome.
   */
  invalidatesAuthCache?: boolean;
  /** No API key: the path itself is the credential (generated-image links). */
  public?: boolean;
  /**
   * The error envelope of the route's client dialect, for everything it answers with an error
   * (validation, auth, limits, upstream failures); default: the gateway's own (PRODUCT.md).
   */
  errorEnvelope?: (c: Context, err: unknown) => Response;
}

/** Resource routes take JSON documents: 1 MiB is ample and bounds parsing cost. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Model routes carry images as base64 data URLs (vendors take up to ~20 MB per request). */
export const MODEL_BODY_LIMIT = 25 * 1024 * 1024;

const NEEDS = Symbol("routeNeeds");
type Marked = MiddlewareHandler & { [NEEDS]?: RouteNeeds };

/** A route middleware that does nothing but carry the route's needs. */
export function needs(declared: RouteNeeds): MiddlewareHandler {
  const marker: Marked = (_c, next) => next();
  marker[NEEDS] = declared;
  return marker;
}

const NONE: RouteNeeds = {};

/** Per request, once: several middleware ask, and matchedRoutes builds a new list each time. */
const seen = new WeakMap<Request, RouteNeeds>();

/** The needs of the route this request matched (none for an unknown path). */
export function routeNeeds(c: Context): RouteNeeds {
  const known = seen.get(c.req.raw);
  if (known) return known;
  let found = NONE;
  for (const route of matchedRoutes(c)) {
    const declared = (route.handler as Marked)[NEEDS];
    if (declared) {
      found = declared;
      break;
    }
  }
  seen.set(c.req.raw, found);
  return found;
}

/**
 * A path parameter of the matched route, read before the route runs (Hono's `c.req.param` in an
 * app-wide middleware sees only that middleware's own pattern): the segment where the declared
 * route's pattern has `:name`.
 */
export function routeParam(c: Context, name: string): string | undefined {
  for (const route of matchedRoutes(c)) {
    if (!(route.handler as Marked)[NEEDS]) continue;
    const at = route.path.split("/").indexOf(`:${name}`);
    const segment = at < 0 ? undefined : c.req.path.split("/")[at];
    if (segment === undefined) return undefined;
    try {
      return decodeURIComponent(segment);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
