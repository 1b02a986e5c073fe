import { OpenAPIHono } from "@hono/zod-openapi";
import type { ZodError } from "zod";
import type { AppEnv } from "../env";
import { invalidRequest } from "../errors/gateway-error";

const CODE_BY_TARGET: Record<string, string> = {
  json: "invalid_body",
  query: "invalid_query",
  param: "invalid_path_parameter",
  header: "invalid_header",
};

/** The first few zod issues as one readable sentence, and the first issue's path as `param`. */
export function validationError(error: ZodError, target: string) {
  const issues = error.issues.slice(0, 3).map((i) => {
    const path = i.path.join(".");
    return path ? `${path}: ${i.message}` : i.message;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : "";
  const first = error.issues[0]?.path.join(".");
  return invalidRequest(
    CODE_BY_TARGET[target] ?? "invalid_request",
    issues.join("; ") + more,
    first || undefined,
  );
}

/** Every router is built here so each one maps validation failures to the one error shape. */
export const createRouter = () =>
  new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target);
    },
  });
