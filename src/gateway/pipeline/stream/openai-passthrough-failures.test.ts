import { describe, expect, it } from "vitest";
import { chunkObject, dataLines, frame, relay } from "./openai-sse-fixtures";
import { bytes, parseSse } from "./stream-test-helpers";

/**
 * Our error event must be the last bytes, on a frame of its own (nothing before it left an event
 * open, or the client would merge the two), with no [DONE] anywhere: returns what came before.
 */
function splitError(out: string) {
  const events = parseSse(out);
  const last = events.at(-1);
  expect(last?.event).toBeUndefined();
  const ours = `data: ${last?.data}\n\n`;
  expect(out.endsWith(ours)).toBe(true);
  const { error } = JSON.parse(last?.data ?? "") as { error: Record<string, unknown> };
  expect(Object.keys(error).sort()).toEqual(["code", "message", "request_id", "type"]);
  expect(error).toMatchObject({ type: "upstream_error", request_id: "req_p" });
  expect(events.filter((e) => e.data === "[DONE]")).toEqual([]);
  expect(events.filter((e) => e.data.includes('"error"'))).toHaveLength(1);
  return { before: out.slice(0, -ours.length), error };
}

describe("passthroughOpenAIStream, cut-off streams", () => {
  it("does not pass on the [DONE] of a stream that never gave a finish reason", async () => {
    const text = frame(
      dataLines(chunkObject({ content: "half an ans" }, null), { json: "compact", dataSpace: true }),
      "\n",
    );
    const { out, outcome } = await relay([bytes(`${text}data: [DONE]\n\n`)], false);
    const { before, error } = splitError(out);
    expect(before).toBe(text);
    expect(error.code).toBe("upstream_stream_interrupted");
    expect(outcome.error).toMatchObject({ code: "upstream_stream_interrupted" });
  });
});
