import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../../../chat/types";
import { encodeEvents } from "./encode-events";
import { openaiChunkEncoder } from "./openai-chunks";
import { endWatch, parseSse, readBody, source } from "./stream-test-helpers";

const META = { id: "chatcmpl-gw1", created: 1_760_000_000, model: "acme/m-1" };

describe("encodeEvents", () => {
  it("records the finish reason the client was shown when a vendor repeats it differently", async () => {
    const watch = endWatch();
    const events: StreamEvent[] = [
      { type: "text", text: "Hi" },
      { type: "finish", finishReason: "length" },
      { type: "finish", finishReason: "stop" },
    ];
    const body = encodeEvents(
      source(events, "close").stream,
      openaiChunkEncoder(META, { includeUsage: false, requestId: "req_g" }),
      { onEnd: watch.onEnd },
    );
    const shown = parseSse(await readBody(body))
      .filter((e) => e.data !== "[DONE]")
      .map((e) => JSON.parse(e.data).choices[0].finish_reason)
      .filter(Boolean);
    expect(shown).toEqual(["length"]);
    expect((await watch.ended).finishReason).toBe("length");
  });
});
