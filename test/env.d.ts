import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** Base URL of the mock vendors (test/mocks/upstream-server.ts). */
      MOCK_UPSTREAM_URL: string;
    }
  }
}
