// Runs before `npm run dev`: seeds .dev.vars from the example on first start, applies the D1
// migrations to the local database (idempotent: wrangler skips migrations already applied) and
// builds the console and docs pages into assets/ui/ (web/, under a second).
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example (admin key: local-admin-key).");
}
execFileSync("wrangler", ["d1", "migrations", "apply", "DB", "--local"], {
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
});
execFileSync("vite", ["build", "--config", "web/vite.config.ts"], {
  stdio: ["ignore", "inherit", "inherit"],
});
