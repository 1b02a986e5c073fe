import { z } from "@hono/zod-openapi";
import { API_VERSION } from "../openapi/document-route";
import { routes } from "../openapi/route";
import { createRouter } from "../openapi/router";
import { jsonResponse } from "../openapi/schemas";

const HealthSchema = z
  .object({ status: z.literal("ok"), version: z.string().openapi({ example: API_VERSION }) })
  .openapi("Health");

const route = routes({ tags: ["System"] });

export const healthRoutes = createRouter().openapi(
  route({
    method: "get",
    path: "/health",
    summary: "Liveness check (no auth, no storage access)",
    needs: { public: true },
    responses: { 200: jsonResponse(HealthSchema, "The worker is up.") },
  }),
  (c) => c.json({ status: "ok" as const, version: API_VERSION }, 200),
);
