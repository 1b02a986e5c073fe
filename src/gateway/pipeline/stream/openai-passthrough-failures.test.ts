import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../errors/gateway-error";
import {
  allShapes,
  chunkings,
  chunkObject,
  dataLines,
  type Eol,
  forwarded,
  frame,
  relay,
  shapeAt,
  vendorBody,
} from "./openai-sse-fixtures";
import { bytes, parseSse, seeded, withContext } from "./stream-test-helpers";

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

const EOLS: Eol[] = ["\n", "\r\n", "\r"];
const KEY_MESSAGE = "Incorrect API key provided: sk-proj-abcDEF1234567890xyz. See your dashboard.";

describe("passthroughOpenAIStream, vendor error events", () => {
  const errorFrames = (eol: Eol) => [
    frame(
      dataLines(
        { error: { message: KEY_MESSAGE, type: "invalid_request_error" } },
        { json: "compact", dataSpace: true },
      ),
      eol,
    ),
    frame(["event: error", `data: ${JSON.stringify({ error: { message: KEY_MESSAGE } })}`], eol),
    frame([`data:${JSON.stringify({ error: KEY_MESSAGE })}`], eol),
  ];

  it("replaces the vendor's error with ours, scrubbed, after what came before it, and stops", async () => {
    const r = seeded(7);
    for (const eol of EOLS) {
      for (const [i, errorFrame] of errorFrames(eol).entries()) {
        const { frames } = vendorBody({ ...shapeAt(eol, i * 5), done: true });
        // The error comes after the third frame; what the vendor sends after it is never relayed.
        const head = frames.slice(0, 3);
        const body = bytes(
          head.map((f) => f.text).join("") +
            errorFrame +
            frames
              .slice(3)
              .map((f) => f.text)
              .join(""),
        );
        for (const chunks of chunkings(body, r, { everyByte: i === 0 })) {
          const { out, outcome, onEndCalls, cancels } = await relay(chunks, true);
          try {
            const { before, error } = splitError(out);
            expect(before).toBe(forwarded(head, true));
            expect(error.code).toBe("upstream_stream_error");
            expect(error.message).toBe(
              "The vendor `acme` reported an error mid-stream: Incorrect API key provided: [redacted]. See your dashboard.",
            );
            expect(out).not.toContain("sk-proj");
            expect(outcome.error).toMatchObject({ code: "upstream_stream_error" });
            expect(onEndCalls).toHaveLength(1);
            expect(cancels.length).toBeLessThanOrEqual(1);
          } catch (err) {
            throw withContext(
              err,
              `eol ${JSON.stringify(eol)} frame ${i} cuts ${chunks.map((c) => c.length)}`,
            );
          }
        }
      }
    }
  });
});

describe("passthroughOpenAIStream, cut-off streams", () => {
  it("ends a body cut anywhere before its finish with our error, after the whole events", async () => {
    const r = seeded(99);
    let cases = 0;
    for (const eol of EOLS) {
      for (const shape of allShapes(eol).filter((_, n) => n % 4 === 0)) {
        const { frames } = vendorBody(shape);
        const text = frames.map((f) => f.text).join("");
        const finishAt = frameStart(frames, "stop");
        expect(finishAt).toBeGreaterThan(0);
        for (let j = 0; j < 12; j++) {
          cases++;
          const raw = bytes(text);
          const cutAt = 1 + r.int(bytes(text.slice(0, finishAt)).length);
          const cut = raw.slice(0, cutAt);
          const chunks = chunkings(cut, r, { everyByte: false })[3] ?? [cut];
          const { out, outcome } = await relay(chunks, true);
          try {
            const { before, error } = splitError(out);
            // Every whole event before the cut as it came; the cut one only if it could be read.
            const whole = wholeFrames(frames, cutAt);
            const partial = new TextDecoder().decode(cut).slice(whole.map((f) => f.text).join("").length);
            const fwd = forwarded(whole, true);
            const extended =
              before.startsWith(fwd + partial) && /^[\r\n]*$/.test(before.slice(fwd.length + partial.length));
            expect(before === fwd || extended).toBe(true);
            expect([
              "upstream_stream_interrupted",
              "upstream_stream_error",
              "upstream_malformed_response",
            ]).toContain(error.code);
            expect(outcome.error).toMatchObject({ code: error.code });
          } catch (err) {
            throw withContext(err, `${JSON.stringify(shape)} cut at ${cutAt}`);
          }
        }
      }
    }
    expect(cases).toBeGreaterThan(200);
  });

  it("ends a vendor that breaks off (a failed read) with our error, after what it relayed", async () => {
    for (const eol of ["\n", "\r\n"] as const) {
      for (const failure of [
        new Error("ECONNRESET"),
        new GatewayError(504, "timeout_error", "upstream_timeout", "Too slow."),
      ]) {
        const { frames } = vendorBody(shapeAt(eol, 1));
        const head = frames.slice(0, 4);
        const { out, outcome } = await relay(
          head.map((f) => bytes(f.text)),
          true,
          { error: failure },
        );
        const events = parseSse(out);
        const error = JSON.parse(events.at(-1)?.data ?? "").error;
        expect(out).toBe(`${forwarded(head, true)}data: ${events.at(-1)?.data}\n\n`);
        if (failure instanceof GatewayError) {
          expect(error).toEqual({
            type: "timeout_error",
            code: "upstream_timeout",
            message: "Too slow.",
            request_id: "req_p",
          });
          expect(outcome.error).toBe(failure);
        } else {
          expect(error.code).toBe("upstream_stream_interrupted");
          expect(outcome.error).toMatchObject({ code: "upstream_stream_interrupted", cause: failure });
        }
      }
    }
  });

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

describe("passthroughOpenAIStream, bodies that are not SSE", () => {
  const completion = {
    id: "chatcmpl-1",
    object: "chat.completion",
    choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
  };
  const bodies: [string, string][] = [
    ["a JSON completion", JSON.stringify(completion)],
    ["a pretty JSON completion", `${JSON.stringify(completion, null, 2)}\n`],
    ["broken JSON", "{not json"],
    ["an HTML error page", "<html>\r\n<body>502 Bad Gateway</body>\r\n</html>\r\n"],
    ["nothing at all", ""],
  ];

  it.each(bodies)("answers %s with our error alone", async (_, text) => {
    for (const chunks of chunkings(bytes(text), seeded(3), { everyByte: true })) {
      const { out, outcome, onEndCalls } = await relay(text ? chunks : [], false);
      const { before, error } = splitError(out);
      expect(before).toBe("");
      expect(error).toMatchObject({
        code: "upstream_malformed_response",
        message: "The vendor `acme` sent a stream that is not Server-Sent Events.",
      });
      expect(outcome.error).toMatchObject({ code: "upstream_malformed_response" });
      expect(onEndCalls).toHaveLength(1);
    }
  });

  it("answers a data event that is not JSON with our error", async () => {
    const { out } = await relay([bytes("data: {not json}\n\n")], false);
    expect(splitError(out)).toEqual({
      before: "",
      error: expect.objectContaining({ code: "upstream_stream_error" }),
    });
  });
});

/** Where the frame holding a finish reason starts, in characters. */
function frameStart(frames: { text: string }[], reason: string): number {
  let at = 0;
  for (const f of frames) {
    if (f.text.includes(`"finish_reason":"${reason}"`) || f.text.includes(`"finish_reason": "${reason}"`))
      return at;
    at += f.text.length;
  }
  return -1;
}

/** The frames that lie wholly within the first `byteLength` bytes. */
function wholeFrames<F extends { text: string }>(frames: F[], byteLength: number): F[] {
  const out: F[] = [];
  let at = 0;
  for (const f of frames) {
    at += bytes(f.text).length;
    if (at > byteLength) break;
    out.push(f);
  }
  return out;
}
