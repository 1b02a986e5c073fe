/**
 * A tool call's arguments (JSON text, exactly as the vendor's model wrote it: it may be cut off
 * or malformed) as the JSON object Anthropic's `tool_use.input` must be, streamed or whole.
 *
 * What is shown is the arguments up to their last complete top-level member, which is how
 * Anthropic itself streams tool input ("one complete key and value property from input at a
 * time"), and at the end what closes that into an object. Two things follow:
 * - The Anthropic SDKs parse the `input_json_delta`s of a block when it stops and throw on
 *   anything but JSON (the whole stream fails); what is shown is always a valid prefix, and the
 *   end always makes it a whole object.
 * - A value is never shown cut: arguments broken off inside `"command": "rm -rf build/tm` lose
 *   that member instead of handing a truncated command to a client that runs it. A missing
 *   member fails the client's own check of the tool's schema, which tells the model, rather than
 *   failing the whole answer (already paid for) or guessing. Non-object arguments become `{}`.
 * The whole answer (from-neutral.ts) goes through the same scanner, so a streamed and a
 * non-streamed answer carry the same input.
 * @see https://platform.claude.com/docs/en/agents-and-tools/tool-use/implement-tool-use#streaming-tool-use
 */

export interface ToolInputStream {
  /** Adds a piece of the arguments; returns what can be shown now (possibly ""). */
  push(piece: string): string;
  /** Once every piece arrived: what completes the shown text into a whole JSON object. */
  finish(): string;
}

/** Deeper nesting is cut like malformed input: answers are serialized recursively downstream. */
const MAX_DEPTH = 64;
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const LITERALS = ["true", "false", "null"];

type State =
  | "start"
  | "key_or_close"
  | "key"
  | "colon"
  | "value"
  | "value_or_close"
  | "after"
  | "string"
  | "escape"
  | "unicode"
  | "number"
  | "literal"
  | "done"
  | "broken";

const isSpace = (c: string) => c === " " || c === "\n" || c === "\r" || c === "\t";
const isHex = (c: string) => /^[0-9a-fA-F]$/.test(c);

export function toolInputStream(): ToolInputStream {
  let text = "";
  let scanned = 0;
  let state: State = "start";
  const stack: ("{" | "[")[] = [];
  let inKey = false;
  let hexLeft = 0;
  let token = "";
  /** Where the text can end: after `{` or a whole top-level member (open), or the closing `}`. */
  let safeEnd = 0;
  let closed = false;
  let shown = 0;

  const markSafe = (end: number) => {
    if (state === "done") {
      safeEnd = end;
      closed = true;
    } else if (stack.length === 1 && (state === "after" || state === "key_or_close")) {
      safeEnd = end;
    }
  };
  const open = (c: "{" | "[") => {
    if (stack.length >= MAX_DEPTH) {
      state = "broken";
      return;
    }
    stack.push(c);
    state = c === "{" ? "key_or_close" : "value_or_close";
  };
  const close = (c: string) => {
    if (stack.at(-1) !== (c === "}" ? "{" : "[")) {
      state = "broken";
      return;
    }
    stack.pop();
    state = stack.length ? "after" : "done";
  };
  const startValue = (c: string) => {
    if (c === '"') {
      inKey = false;
      state = "string";
    } else if (c === "{" || c === "[") open(c);
    else if (c === "-" || (c >= "0" && c <= "9")) {
      token = c;
      state = "number";
    } else if (LITERALS.some((l) => l.startsWith(c))) {
      token = c;
      state = "literal";
    } else state = "broken";
  };

  /** One character in the current state; a number ends at the character after it. */
  const step = (c: string, at: number) => {
    switch (state) {
      case "start":
        if (c === "{") open(c);
        else if (!isSpace(c)) state = "broken";
        return;
      case "key_or_close":
      case "key":
        if (c === '"') {
          inKey = true;
          state = "string";
        } else if (c === "}" && state === "key_or_close") close(c);
        else if (!isSpace(c)) state = "broken";
        return;
      case "colon":
        if (c === ":") state = "value";
        else if (!isSpace(c)) state = "broken";
        return;
      case "value_or_close":
        if (c === "]") close(c);
        else if (!isSpace(c)) startValue(c);
        return;
      case "value":
        if (!isSpace(c)) startValue(c);
        return;
      case "after":
        if (c === ",") state = stack.at(-1) === "{" ? "key" : "value";
        else if (c === "}" || c === "]") close(c);
        else if (!isSpace(c)) state = "broken";
        return;
      case "string":
        if (c === '"') state = inKey ? "colon" : "after";
        else if (c === "\\") state = "escape";
        else if (c < " ") state = "broken"; // JSON strings hold no raw control characters
        return;
      case "escape":
        if (c === "u") {
          hexLeft = 4;
          state = "unicode";
        } else state = '"\\/bfnrt'.includes(c) ? "string" : "broken";
        return;
      case "unicode":
        if (!isHex(c)) state = "broken";
        else if (--hexLeft === 0) state = "string";
        return;
      case "number":
        if (/[0-9+\-.eE]/.test(c)) token += c;
        else {
          state = NUMBER.test(token) ? "after" : "broken";
          markSafe(at);
          if (state === "after") step(c, at);
        }
        return;
      case "literal":
        token += c;
        if (LITERALS.includes(token)) state = "after";
        else if (!LITERALS.some((l) => l.startsWith(token))) state = "broken";
        return;
      case "done":
        if (!isSpace(c)) state = "broken";
        return;
    }
  };

  const scan = () => {
    for (; scanned < text.length && state !== "broken"; scanned++) {
      step(text[scanned] as string, scanned);
      // `step` changed it (TypeScript keeps the loop condition's narrowing).
      if ((state as State) !== "broken") markSafe(scanned + 1);
    }
  };

  return {
    push(piece) {
      text += piece;
      scan();
      const out = text.slice(shown, safeEnd);
      shown = safeEnd;
      return out;
    },
    finish() {
      // The end of the text ends a number as any delimiter would.
      if (state === "number") {
        state = NUMBER.test(token) ? "after" : "broken";
        if (state === "after") markSafe(text.length);
      }
      if (safeEnd === 0) return "{}"; // nothing of an object was ever shown
      const out = text.slice(shown, safeEnd) + (closed ? "" : "}");
      shown = safeEnd;
      return out;
    },
  };
}

/** The arguments of a whole answer as the object the stream of the same answer shows. */
export function toolInput(args: string): Record<string, unknown> {
  const s = toolInputStream();
  const json = s.push(args) + s.finish();
  try {
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return {}; // unreachable if the scanner is right; its tests hold it to JSON.parse
  }
}
