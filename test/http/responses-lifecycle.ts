import { expect } from "vitest";
import { sseData } from "../helpers";

type Wire = {
  type: string;
  sequence_number: number;
  output_index?: number;
  item_id?: string;
  item?: { id: string; type: string; name?: string; status?: string };
  response?: { status: string; output: { id: string; type: string }[] };
};

const TERMINAL = new Set(["response.completed", "response.incomplete", "response.failed"]);

/**
 * Checks an OpenAI Responses stream as a strict client would: `sequence_number` strictly
 * increasing; `response.created` first; every output item added before its deltas and done after
 * them, one at a time, `output_index` from 0 without gaps, item ids unique; exactly one terminal
 * event, last, whose response lists every item that was done. Returns the events.
 */
export function expectResponsesLifecycle(sse: string): Wire[] {
  const events = sseData(sse).map((d) => JSON.parse(d) as Wire);
  expect(events[0]?.type).toBe("response.created");
  for (let i = 1; i < events.length; i++) {
    expect(events[i]?.sequence_number, "sequence_number increases").toBeGreaterThan(
      events[i - 1]?.sequence_number ?? -1,
    );
  }
  const terminal = events.filter((e) => TERMINAL.has(e.type));
  expect(terminal, "exactly one terminal event").toHaveLength(1);
  expect(TERMINAL.has(events.at(-1)?.type ?? ""), "the terminal event is last").toBe(true);
  let open: { index: number; id: string } | null = null;
  let next = 0;
  const ids = new Set<string>();
  const done: string[] = [];
  for (const e of events.slice(1, -1)) {
    if (e.type === "response.in_progress" || e.type === "error") continue;
    if (e.type === "response.output_item.added") {
      expect(open, "one item open at a time").toBeNull();
      expect(e.output_index, "contiguous output indices").toBe(next);
      expect(ids.has(e.item?.id ?? ""), "unique item ids").toBe(false);
      ids.add(e.item?.id ?? "");
      open = { index: next, id: e.item?.id ?? "" };
      next++;
    } else if (e.type === "response.output_item.done") {
      expect(e.output_index).toBe(open?.index);
      expect(e.item?.id).toBe(open?.id);
      done.push(open?.id ?? "");
      open = null;
    } else {
      expect(open, `${e.type} inside an open item`).not.toBeNull();
      expect(e.output_index).toBe(open?.index);
      if (e.item_id !== undefined) expect(e.item_id).toBe(open?.id);
    }
  }
  const last = events.at(-1) as Wire;
  if (last.type !== "response.failed") {
    expect(open, "every item closed").toBeNull();
    expect(last.response?.output.map((o) => o.id)).toEqual(done);
  }
  return events;
}
