import { describe, expect, it } from "vitest";
import { eventEnds } from "./event-ends";
import { bytes, seeded } from "./stream-test-helpers";

const ends = (text: string, final = false) => eventEnds(bytes(text), final);

describe("eventEnds", () => {
  it.each([
    ["nothing", "", []],
    ["a line with no end", "data: x", []],
    ["a line end but no blank line", "data: x\n", []],
    ["one \\n event", "data: x\n\n", [9]],
    ["one \\r\\n event", "data: x\r\n\r\n", [11]],
    ["one \\r event followed by more", "data: x\r\rdata", [9]],
    ["\\r\\n then a bare \\r", "data: x\r\n\rd", [10]],
    ["\\n then \\r\\n", "data: x\n\r\nd", [10]],
    ["two events", "a\n\nb\r\n\r\n", [3, 8]],
    ["a leading blank line, then an event", "\na\n\n", [1, 4]],
    ["blank lines in a row, one event each", "a\n\n\n\n", [3, 4, 5]],
    ["a multi-line event", "event: e\ndata: 1\ndata: 2\n\n", [26]],
    ["a comment event", ": keep-alive\n\n", [14]],
  ] as const)("%s", (_, text, want) => {
    expect(ends(text)).toEqual(want);
    expect(ends(text, true)).toEqual(want);
  });

  it("waits on a last \\r that may be half of a \\r\\n, unless the stream has ended", () => {
    expect(ends("data: x\r\r")).toEqual([]);
    expect(ends("data: x\r\r", true)).toEqual([9]);
    expect(ends("data: x\r\n\r")).toEqual([]);
    expect(ends("data: x\r\n\r", true)).toEqual([10]);
    // Once the \n comes, the pair is one line end, so the event ends after it.
    expect(ends("data: x\r\r\n")).toEqual([10]);
    expect(ends("a\n\nb\r")).toEqual([3]);
  });

  it("never ends inside a multi-byte UTF-8 character (10 and 13 never occur in one)", () => {
    const text = "data: 😀\u2028日本\u0085\n\ndata: é\r\r";
    const raw = bytes(text);
    const found = eventEnds(raw, true);
    expect(found).toEqual([raw.indexOf(10) + 2, raw.length]);
    for (const at of found)
      expect(
        new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(raw.slice(0, at)),
      ).toBeTruthy();
  });

  it("finds in any prefix exactly the ends the whole stream has there, for 200 random streams", () => {
    const r = seeded(5);
    const pieces = ["data: a", "\n", "\r", "\r\n", ": c", "é", "😀", "event: x"];
    for (let n = 0; n < 200; n++) {
      const raw = bytes(Array.from({ length: 1 + r.int(30) }, () => r.pick(pieces)).join(""));
      const whole = eventEnds(raw, true);
      const cut = r.int(raw.length + 1);
      // A prefix shows exactly the whole stream's ends before the cut (and one at the cut after a
      // \n, which no later byte can change): the relay may forward them at once.
      const want = whole.filter((at) => at < cut || (at === cut && raw[cut - 1] === 10));
      expect(
        eventEnds(raw.subarray(0, cut), false),
        `${JSON.stringify(new TextDecoder().decode(raw))} @${cut}`,
      ).toEqual(want);
    }
  });
});
