import { createApp } from "./app";
import { runSchedule } from "./gateway/schedule";
import { consumeUsageBatch } from "./gateway/usage-consumer";
import { parkDeadLetters } from "./gateway/usage-dead-letters";

// Durable Object classes are exported from the main module (wrangler.toml durable_objects).
export { BudgetTracker } from "./gateway/budget-tracker";

const app = createApp();
/** wrangler.toml's dead_letter_queue of the usage queue. */
const DEAD_LETTER_QUEUE = "switchboard-usage-dlq";

export default {
  fetch: app.fetch,
  // Usage records sent after each call (src/gateway/usage.ts), written in batches; batches that
  // failed every retry come back from the dead-letter queue to be parked for the schedule.
  queue: (batch, env) =>
    batch.queue === DEAD_LETTER_QUEUE ? parkDeadLetters(batch, env) : consumeUsageBatch(batch, env),
  // The Cron Trigger (wrangler.toml): replays parked usage, then rolls old usage into daily sums.
  scheduled: (controller, env, ctx) => ctx.waitUntil(runSchedule(env, controller.scheduledTime)),
} satisfies ExportedHandler<Env>;
