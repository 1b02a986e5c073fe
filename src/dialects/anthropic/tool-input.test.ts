import { partialParse } from "@anthropic-ai/sdk/_vendor/partial-json-parser/parser";
import { describe, expect, it } from "vitest";
import { seeded } from "../../gateway/pipeline/stream/stream-test-helpers";
import { toolInput, toolInputStream } from "./tool-input";

/** What a client is shown for `pieces`: each push's output, then the finish. */
function shown(pieces: string[]): string[] {
  const s = toolInputStream();
  return [...pieces.map((p) => s.push(p)), s.finish()];
}

const nested = (depth: number): string => (depth === 0 ? "1" : `[${nested(depth - 1)}]`);

describe("toolInputStream", () => {
  it("shows one whole top-level member at a time, as Anthropic streams tool input", () => {
    expect(shown(['{"city": "Zü', 'rich", "n": 1', ', "tags": ["a", "b', '"]', "}"])).toEqual([
      "{",
      '"city": "Zürich"',
      ', "n": 1',
      ', "tags": ["a", "b"]',
      "}",
      "",
    ]);
  });

  it("passes valid arguments on byte for byte, whitespace included", () => {
    const args = ' {\n  "a" : [1, -2.5e+3, true, null, {"b": "\\u00e9\\n\\"q\\""}] ,\n"c":{}\n} \n';
    expect(shown([args]).join("")).toBe(args);
    expect(shown(args.split("")).join("")).toBe(args);
  });

  it("ends a number at the end of the text", () => {
    expect(shown(['{"a": 12'])).toEqual(["{", '"a": 12}']);
  });

  it("drops a member cut off mid-value instead of showing it truncated", () => {
    expect(shown(['{"path": "a.txt", "command": "rm -rf build/tm'])).toEqual(['{"path": "a.txt"', "}"]);
    expect(toolInput('{"command": "rm -rf /tmp/bui')).toEqual({});
    expect(toolInput('{"a": 1, "b": [1, 2')).toEqual({ a: 1 });
    expect(toolInput('{"a": 1, "b": {"c": "d"')).toEqual({ a: 1 });
    expect(toolInput('{"a": tr')).toEqual({});
    expect(toolInput('{"a": 1,')).toEqual({ a: 1 });
  });

  it("keeps what was whole before malformed text, and {} for what is no object", () => {
    expect(toolInput('{"a": 1, "b": tru e}')).toEqual({ a: 1 });
    expect(toolInput('{"a": "line\nbreak"}')).toEqual({});
    expect(toolInput('{"a": 1} trailing')).toEqual({ a: 1 });
    expect(toolInput('{"a": 01}')).toEqual({});
    expect(toolInput('{"a": "\\x"}')).toEqual({});
    expect(toolInput('{"a": 1,}')).toEqual({ a: 1 });
    for (const args of ["", "  ", "[1]", "null", "42", '"s"', "not json", "}"]) {
      expect([args, toolInput(args)]).toEqual([args, {}]);
    }
  });

  it(`cuts nesting deeper than its bound like malformed text`, () => {
    expect(toolInput(`{"ok": 1, "deep": ${nested(64)}}`)).toEqual({ ok: 1 });
    expect(toolInput(`{"ok": 1, "deep": ${nested(62)}}`)).toMatchObject({ ok: 1, deep: expect.any(Array) });
  });
});

// Fragments that make valid, cut-off and malformed JSON when strung together at random.
const FRAGMENTS = [
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  " ",
  "\n",
  '"a"',
  '"ü😀"',
  '"x',
  "\\",
  '\\"',
  "\\u00",
  "e9",
  "1",
  "-",
  "0.5",
  "e",
  "true",
  "nul",
  "l",
  '"k": ',
  '"k": 1',
  '{"k": "v"}',
  "\t",
  "\u0001",
];

describe("toolInputStream against JSON.parse and the Anthropic SDK (property)", () => {
  it("always shows a prefix the SDK parses and ends in the object JSON.parse would give", () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const r = seeded(seed);
      let args = r.chance(0.5) ? "{" : "";
      for (let n = r.int(12); n > 0; n--) args += r.pick(FRAGMENTS);
      if (r.chance(0.3)) args += "}";
      // Split at random offsets, as a vendor's deltas would be.
      const pieces: string[] = [];
      for (let at = 0; at < args.length; ) {
        const len = 1 + r.int(6);
        pieces.push(args.slice(at, at + len));
        at += len;
      }
      const out = shown(pieces);
      const context = `seed ${seed}: ${JSON.stringify(args)} → ${JSON.stringify(out)}`;
      let sofar = "";
      for (const piece of out.slice(0, -1)) {
        sofar += piece;
        if (sofar) expect(() => partialParse(sofar), context).not.toThrow();
      }
      const whole = JSON.parse(sofar + out.at(-1)) as unknown;
      expect(whole, context).toEqual(toolInput(args));
      expect(typeof whole === "object" && whole !== null && !Array.isArray(whole), context).toBe(true);
      let parsed: unknown;
      try {
        parsed = JSON.parse(args);
      } catch {
        parsed = undefined;
      }
      // Valid object arguments go through untouched.
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
        expect(out.join(""), context).toBe(args);
      }
    }
  });
});
