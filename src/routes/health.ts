import { createRoute, z } from "@hono/zod-openapi";
import { API_VERSION } from "../openapi/docs";
import { createRouter } from "../openapi/router";
import { jsonResponse } from "../openapi/schemas";

const HealthSchema = z
  .object({ status: z.literal("ok"), version: z.string().openapi({ example: API_VERSION }) })
  .openapi("Health");

export const healthRoutes = createRouter().openapi(
  createRoute({
    method: "get",
    path: "/health",
    tags: ["System"],
    summary: "Liveness check (no auth, no storage access)",
    responses: { 200: jsonResponse(HealthSchema, "The worker is up.") },
  }),
  (c) => c.json({ status: "ok" as const, version: API_VERSION }, 200),
);
