import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Storage is fresh per test file; apply the real migrations (the same files wrangler applies).
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
