import { apiKeyRoutes } from "./api-keys";
import { healthRoutes } from "./health";
import { userRoutes } from "./users";

/** Every router, mounted at "/" by src/app.ts (paths are absolute in each createRoute). */
export const routers = [healthRoutes, userRoutes, apiKeyRoutes];
