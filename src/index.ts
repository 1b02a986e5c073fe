import { createApp } from "./app";
import { consumeUsageBatch } from "./gateway/usage-consumer";

// Durable Object classes are exported from the main module (wrangler.toml durable_objects).
export { BudgetTracker } from "./gateway/budget-tracker";

const app = createApp();

export default {
  fetch: app.fetch,
  // Usage records sent after each call (src/gateway/usage.ts), written in batches.
  queue: (batch, env) => consumeUsageBatch(batch, env),
} satisfies ExportedHandler<Env>;
