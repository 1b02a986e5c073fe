import type { StreamEvent } from "./types";

/** Events already in hand as a stream, pull-based with no timers: each read hands out the next. */
export function streamOf(events: readonly StreamEvent[]): ReadableStream<StreamEvent> {
  let i = 0;
  return new ReadableStream<StreamEvent>({
    pull(controller) {
      const next = events[i++];
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
}
