import { log } from "./usage-consumer";
import { replayDeadLetters } from "./usage-dead-letters";
import { rollUpUsage } from "./usage-rollup";

/**
 * One run of the Cron Trigger: parked usage first (its records may be old enough to roll up in
 * the same run), then the roll-up. Each step's failure is logged and left for the next run; it
 * never stops the other.
 */
export async function runSchedule(env: Env, now: number): Promise<void> {
  try {
    await replayDeadLetters(env);
  } catch (err) {
    log("error", "parked usage not replayed, kept for the next run", { error: String(err) });
  }
  try {
    const r = await rollUpUsage(env, now);
    log("info", "usage rolled up", {
      cutoff: new Date(r.cutoff).toISOString(),
      moved: r.moved,
      batches: r.batches,
      done: r.done,
    });
  } catch (err) {
    log("error", "usage roll-up failed, left for the next run", { error: String(err) });
  }
}
