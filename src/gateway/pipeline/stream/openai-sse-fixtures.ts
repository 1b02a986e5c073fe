import type { StreamEvent } from "../../../chat/types";
import { passthroughOpenAIStream } from "./openai-passthrough";
import { endWatch, type Rand, readBody, type SourceEnd, source } from "./stream-test-helpers";

/**
 * OpenAI-wire SSE bodies as the hosts behind the passthrough write them, for its tests: each
 * frame knows whether the relay forwards it, so the expected output is the vendor's own bytes
 * minus the dropped frames. And the ways a network cuts a body into reads.
 */

export type Eol = "\n" | "\r\n" | "\r";

export interface Shape {
  eol: Eol;
  /** compact JSON, JSON with spaces after `:` and `,`, or one JSON spread over several data lines. */
  json: "compact" | "spaced" | "multiline";
  /** `data: x` or `data:x`. */
  dataSpace: boolean;
  /** A usage-only chunk last (with `choices: []` or no `choices` at all), usage on every chunk, none. */
  usage: "final" | "final-no-choices" | "every" | "none";
  done: boolean;
  /** Keep-alive comments, an unknown named event, a retry-only event, a stray blank line, id lines. */
  noise: boolean;
}

export interface Frame {
  text: string;
  /** "usage" frames are forwarded only to clients that asked for usage. */
  fate: "forward" | "drop" | "usage";
}

export const ID = "chatcmpl-up1";
export const MODEL = "gpt-up";
/** The answer's pieces: multi-byte UTF-8 (a 4-byte emoji, a modifier), quotes, escapes. */
export const PIECES = ["Grüße", ", 世界 ", "😀👍🏽", ' "quoted" \\ back', "\nnew line", " done."];
export const ANSWER = PIECES.join("");
export const FINAL_USAGE = {
  prompt_tokens: 12,
  completion_tokens: 34,
  prompt_tokens_details: { cached_tokens: 5 },
};

export function dataLines(value: unknown, shape: Pick<Shape, "json" | "dataSpace">): string[] {
  const prefix = shape.dataSpace ? "data: " : "data:";
  const json =
    shape.json === "compact"
      ? [JSON.stringify(value)]
      : shape.json === "spaced"
        ? // Pretty-printed JSON never holds a raw newline inside a string, so its lines rejoin safely.
          [
            JSON.stringify(value, null, 1)
              .split("\n")
              .map((l) => l.trim())
              .join(" "),
          ]
        : JSON.stringify(value, null, 2).split("\n");
  return json.map((l) => prefix + l);
}

export const frame = (lines: string[], eol: Eol) => lines.join(eol) + eol + eol;

export function chunkObject(delta: object, finish: string | null, usage?: unknown): Record<string, unknown> {
  return {
    id: ID,
    object: "chat.completion.chunk",
    created: 1_760_000_000,
    model: MODEL,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(usage !== undefined ? { usage } : {}),
  };
}

/** A whole answer in `shape`, with the outcome it should leave. */
export function vendorBody(shape: Shape, finish = "stop") {
  const frames: Frame[] = [];
  const add = (text: string, fate: Frame["fate"] = "forward") => frames.push({ text, fate });
  const data = (value: unknown, extra: string[] = []) =>
    frame([...extra, ...dataLines(value, shape)], shape.eol);
  const deltas: object[] = [{ role: "assistant", content: "" }, ...PIECES.map((content) => ({ content }))];
  const usageOf = (i: number) =>
    shape.usage === "every"
      ? { prompt_tokens: 12, completion_tokens: i, total_tokens: 12 + i }
      : shape.usage === "none"
        ? undefined
        : null; // OpenAI's `"usage": null` on every chunk once usage is asked for
  if (shape.noise) add(frame([": keep-alive"], shape.eol));
  deltas.forEach((delta, i) => {
    add(
      data(chunkObject(delta, null, usageOf(i)), shape.noise && i === 2 ? ["id: 7", ": in-event note"] : []),
    );
    if (shape.noise && i === 3) {
      add(frame(["event: ping", "data: {}"], shape.eol), "drop");
      add(frame(["retry: 3000"], shape.eol), "drop");
      add(shape.eol, "drop");
      add(frame([": keep-alive"], shape.eol));
    }
  });
  const last = shape.usage === "every" ? { ...FINAL_USAGE, total_tokens: 46 } : usageOf(deltas.length);
  add(data(chunkObject({}, finish, last)));
  if (shape.usage === "final" || shape.usage === "final-no-choices") {
    const { choices: _, ...head } = chunkObject({}, null);
    const usage = { ...head, ...(shape.usage === "final" ? { choices: [] } : {}), usage: FINAL_USAGE };
    add(data(usage), "usage");
  }
  if (shape.done) add(frame([shape.dataSpace ? "data: [DONE]" : "data:[DONE]"], shape.eol));
  return {
    frames,
    usage: shape.usage === "none" ? undefined : { inputTokens: 12, outputTokens: 34, cachedTokens: 5 },
  };
}

export const forwarded = (frames: Frame[], includeUsage: boolean) =>
  frames
    .filter((f) => f.fate === "forward" || (f.fate === "usage" && includeUsage))
    .map((f) => f.text)
    .join("");

/** Every combination for one line end, `data:` with and without its space in turn. */
export function shapeAt(eol: Eol, n: number): Shape {
  const shape = allShapes(eol)[n];
  if (!shape) throw new Error(`no shape ${n}`);
  return shape;
}

export function allShapes(eol: Eol): Shape[] {
  const shapes: Shape[] = [];
  for (const json of ["compact", "spaced", "multiline"] as const)
    for (const usage of ["final", "final-no-choices", "every", "none"] as const)
      for (const done of [true, false])
        for (const noise of [true, false]) {
          shapes.push({ eol, json, usage, done, noise, dataSpace: shapes.length % 3 !== 0 });
        }
  return shapes;
}

/**
 * The ways a body arrives: whole, byte by byte, in fixed and seeded random sizes, and cut in two
 * at the places a relay gets wrong: inside a multi-byte UTF-8 character and between `\r` and `\n`.
 */
export function chunkings(body: Uint8Array, r: Rand, opts: { everyByte: boolean }): Uint8Array[][] {
  const cut = (sizes: () => number) => {
    const out: Uint8Array[] = [];
    for (let at = 0; at < body.length; ) {
      const n = Math.max(1, sizes());
      out.push(body.slice(at, at + n));
      at += n;
    }
    return out;
  };
  const ways = [[body], cut(() => 3), cut(() => 17), cut(() => 1 + r.int(40)), cut(() => 1 + r.int(300))];
  if (opts.everyByte) ways.push(cut(() => 1));
  const tricky: number[] = [];
  for (let i = 1; i < body.length; i++) {
    const inUtf8 = ((body[i] as number) & 0xc0) === 0x80;
    if (inUtf8 || (body[i - 1] === 13 && body[i] === 10)) tricky.push(i);
  }
  const picks = Math.min(tricky.length, 8);
  for (let j = 0; j < picks; j++) {
    const at = tricky[Math.floor((j * tricky.length) / picks)] as number;
    ways.push([body.slice(0, at), body.slice(at)]);
  }
  return ways;
}

/** The relay over `chunks`, read whole by a client. */
export async function relay(
  chunks: Uint8Array[],
  includeUsage: boolean,
  end: SourceEnd<Uint8Array> = "close",
) {
  const watch = endWatch();
  const tapped: StreamEvent[] = [];
  const src = source(chunks, end);
  const body = passthroughOpenAIStream("acme", src.stream, {
    includeUsage,
    requestId: "req_p",
    onEnd: watch.onEnd,
    tap: (e) => tapped.push(e),
  });
  const out = await readBody(body);
  const outcome = await watch.ended;
  return { out, outcome, tapped, onEndCalls: watch.calls, cancels: src.cancels };
}
