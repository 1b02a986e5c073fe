import type { StreamOutcome } from "../../chat/to-openai";
import { errorBody } from "../../errors/to-response";
import { asStreamError, streamCutOff, streamErrorEvent } from "../http";
import { relayBody } from "../relay";
import { encodeSse } from "../sse";
import { openaiErrorMessage } from "./errors";
import { mapOpenAIFinishReason } from "./finish-reason";
import { convertOpenAIUsage } from "./usage";
import { OpenAIChunkSchema } from "./wire";

/**
 * An OpenAI-wire upstream stream relayed to an OpenAI-format client. Upstream bytes are forwarded
 * as they are, cut only at event boundaries, and decoded only to be looked at: usage is read on the
 * way; the one thing rewritten is the usage-only chunk (dropped when the client did not ask for it,
 * since the gateway always asks upstream) and an upstream error event (replaced by ours). A stream
 * that ends without a finish reason gets our error event, so a cut-off answer never looks whole.
 */
export function passthroughOpenAIStream(
  vendor: string,
  body: ReadableStream<Uint8Array>,
  opts: { includeUsage: boolean; requestId: string; onEnd?: (outcome: StreamOutcome) => void },
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const outcome: StreamOutcome = {};
  let pending: Uint8Array | null = null;
  let sawDone = false;
  const errorEvent = (err: unknown) => encodeSse(JSON.stringify(errorBody(err, opts.requestId)));

  /** Looks at complete events; returns replacement text when one must change, else null. */
  function inspect(text: string): { text: string | null; fatal?: unknown } {
    if (text.includes('"finish_reason":"')) {
      const m = /"finish_reason":"([a-z_]+)"/.exec(text);
      outcome.finishReason = mapOpenAIFinishReason(m?.[1]);
    }
    if (text.includes("data: [DONE]")) sawDone = true;
    const hasUsage = text.includes('"usage":{');
    const hasError = text.includes('data: {"error"');
    if (!hasUsage && !hasError) return { text: null };
    let changed = false;
    let fatal: unknown;
    const kept: string[] = [];
    for (const event of text.split(/\r?\n\r?\n/)) {
      if (event === "" || fatal) continue;
      const data = event.startsWith("data: ") ? event.slice(6) : null;
      if (data?.startsWith('{"error"')) {
        let message: string | undefined;
        try {
          message = openaiErrorMessage(JSON.parse(data));
        } catch {
          message = undefined;
        }
        fatal = streamErrorEvent(vendor, message);
        changed = true;
        continue;
      }
      if (data?.includes('"usage":{')) {
        const parsed = OpenAIChunkSchema.safeParse(safeJson(data));
        if (parsed.success && parsed.data.usage) {
          outcome.usage = convertOpenAIUsage(parsed.data.usage);
          if (!opts.includeUsage && parsed.data.choices.length === 0) {
            changed = true;
            continue;
          }
        }
      }
      kept.push(event);
    }
    if (!changed) return { text: null };
    return { text: kept.map((e) => `${e}\n\n`).join(""), fatal };
  }

  async function produce(write: (chunk: Uint8Array) => Promise<void>): Promise<void> {
    const finishWith = async (error: unknown) => {
      outcome.error = error;
      await write(errorEvent(error));
    };
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        if (pending && decoder.decode(pending).trim() !== "") {
          const { text } = inspect(`${decoder.decode(pending)}\n\n`);
          await write(text === null ? pending : encoder.encode(text));
        }
        if (!outcome.finishReason) await finishWith(streamCutOff(vendor));
        // Some compatible hosts omit the sentinel; clients wait for it.
        else if (!sawDone) await write(encodeSse("[DONE]"));
        return;
      }
      const bytes: Uint8Array = pending ? concat(pending, value) : value;
      const cut = lastEventEnd(bytes);
      if (cut < 0) {
        pending = bytes;
        continue;
      }
      const complete = cut === bytes.length ? bytes : bytes.subarray(0, cut);
      pending = cut === bytes.length ? null : bytes.slice(cut);
      // Complete events end in a newline, and no UTF-8 sequence contains one: decoding is safe.
      const { text, fatal } = inspect(decoder.decode(complete));
      outcome.firstByteAt ??= Date.now();
      if (text === null) await write(complete);
      else if (text !== "") await write(encoder.encode(text));
      if (fatal) {
        await finishWith(fatal);
        await reader.cancel().catch(() => {});
        return;
      }
    }
  }

  return relayBody({
    produce,
    failed(err) {
      outcome.error = asStreamError(err);
      return errorEvent(outcome.error);
    },
    reader,
    outcome,
    onEnd: opts.onEnd,
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Index just past the last blank line (`\n\n` or `\r\n\r\n`), or -1 when no event is complete. */
function lastEventEnd(bytes: Uint8Array): number {
  for (let i = bytes.length - 1; i >= 1; i--) {
    if (bytes[i] !== 10) continue;
    if (bytes[i - 1] === 10) return i + 1;
    if (bytes[i - 1] === 13 && i >= 3 && bytes[i - 2] === 10 && bytes[i - 3] === 13) return i + 1;
  }
  return -1;
}
