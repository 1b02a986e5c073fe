import { resolve } from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // The Worker bundle drops the routes' prose (wrangler.toml [define]); tests build the document.
  define: { DOCS: "true" },
  test: {
    // The one-line-per-request JSON log is for production; in test output it is noise.
    onConsoleLog: (log) => !/^\{"level":"\w+","msg":"request"/.test(log),
    projects: [
      {
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations("./migrations"),
                ADMIN_API_KEY: "test-admin-key",
                ENCRYPTION_KEY: "test-encryption-key",
                ENABLE_MOCK_VENDOR: "true",
                // Built-in vendors point at the mock upstreams (test/mocks); their keys are set
                // per test through PATCH /v1/vendors, which also exercises stored-key decryption.
                OPENAI_BASE_URL: `http://127.0.0.1:${inject("upstreamPort")}/openai/v1`,
                ANTHROPIC_BASE_URL: `http://127.0.0.1:${inject("upstreamPort")}/anthropic`,
                GEMINI_BASE_URL: `http://127.0.0.1:${inject("upstreamPort")}/gemini`,
                MOCK_UPSTREAM_URL: `http://127.0.0.1:${inject("upstreamPort")}`,
                // Failure tests expect one attempt; retry tests ask for more with x-max-retries.
                UPSTREAM_MAX_RETRIES: "0",
                RETRY_BASE_DELAY_MS: "1",
                CIRCUIT_COOLDOWN_MS: "400",
                // Usage records are still packed per isolate, in windows short enough to poll for.
                USAGE_FLUSH_MS: "10",
              },
              // Replaces wrangler.toml's consumer settings (merged per queue name, so all are
              // restated): batches flush after 50 ms instead of 5 s, so tests poll D1 briefly.
              queueConsumers: {
                "switchboard-usage": {
                  maxBatchSize: 100,
                  maxBatchTimeout: 0.05,
                  maxRetries: 10,
                  deadLetterQueue: "switchboard-usage-dlq",
                },
              },
            },
          })),
        ],
        // The zod and zod-to-openapi the deploy bundle gets (wrangler.toml [alias]; src/vendor
        // says what each leaves out), so a call to a left-out export fails here rather than only
        // once deployed. Exactly "zod": the AI SDK's "zod/v4" imports keep zod's own entry points.
        resolve: {
          alias: [
            {
              find: /^zod$/,
              replacement: resolve(import.meta.dirname, "src/vendor/zod/index.js"),
            },
            {
              find: /^@asteasolutions\/zod-to-openapi$/,
              replacement: resolve(import.meta.dirname, "src/vendor/zod-to-openapi/index.js"),
            },
          ],
        },
        test: {
          name: "workers",
          include: ["src/**/*.test.ts", "test/http/**/*.test.ts"],
          globalSetup: ["./test/global-setup.ts"],
          setupFiles: ["./test/apply-migrations.ts"],
        },
      },
      {
        test: {
          // The console and docs in Debian's chromium, against `wrangler dev` (test/browser/).
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          hookTimeout: 90_000,
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "node",
          include: ["test/node/**/*.test.ts"],
          environment: "node",
          hookTimeout: 60_000,
          testTimeout: 30_000,
        },
      },
    ],
  },
});
