import type { Principal } from "./auth/principal";

/**
 * Optional configuration (PRODUCT.md "Configuration"). Typed here by hand rather than generated,
 * because none of it is required and `wrangler types` would otherwise type whatever a machine's
 * .dev.vars holds.
 */
export interface OptionalConfig {
  ADMIN_API_KEY?: string;
  ENCRYPTION_KEY?: string;
  OPENAI_API_KEY?: string;
  ANTHROPIC_API_KEY?: string;
  GEMINI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  ANTHROPIC_BASE_URL?: string;
  GEMINI_BASE_URL?: string;
  ENABLE_MOCK_VENDOR?: string;
  CORS_ORIGINS?: string;
  /** Default upstream timeout in milliseconds (a request's `x-timeout-ms` header overrides it). */
  UPSTREAM_TIMEOUT_MS?: string;
}

declare global {
  // Both the global Env and cloudflare:workers' Cloudflare.Env carry the optional config.
  interface Env extends OptionalConfig {}
  namespace Cloudflare {
    interface Env extends OptionalConfig {}
  }
}

export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    principal: Principal;
  };
};
