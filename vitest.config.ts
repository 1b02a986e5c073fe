import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
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
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["src/**/*.test.ts", "test/http/**/*.test.ts"],
          globalSetup: ["./test/global-setup.ts"],
          setupFiles: ["./test/apply-migrations.ts"],
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
