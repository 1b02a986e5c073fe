import { estimatePromptTokens, estimateTextTokens } from "../chat/tokens";
import type { ChatRequest, ChatResponse, StreamEvent, Usage } from "../chat/types";
import { CUT_OFF, recordExchange, recordUserMessage, turnBody } from "./record";
import { encodeTurnStream } from "./stream";
import type { Turn } from "./turn";

/**
 * The upstream call of a turn and what is stored after it. A vendor that fails before answering
 * leaves the user's message stored (it was sent; the client may retry) and no assistant message;
 * its GatewayError goes on to app.onError, which answers in the one error shape.
 */

export type TurnBody = ReturnType<typeof turnBody>;

export async function sendMessage(turn: Turn): Promise<TurnBody> {
  const { call } = turn;
  const started = Date.now();
  let answer: ChatResponse;
  try {
    answer = await call.provider.chat(turn.request, call.ctx);
  } catch (err) {
    await recordUserMessage(turn);
    throw err;
  } finally {
    call.settle();
  }
  const { user, assistant } = await recordExchange(turn, {
    text: answer.content ?? "",
    usage: answer.usage,
    finishReason: answer.finishReason,
    latencyMs: Date.now() - started,
  });
  return turnBody(user, assistant, answer.usage);
}

/** Estimated when a stream ended before the vendor reported its counts (or it never does). */
const estimateUsage = (req: ChatRequest, text: string): Usage => ({
  inputTokens: estimatePromptTokens(req.messages),
  outputTokens: estimateTextTokens(text),
});

/**
 * Starts the vendor's stream (a failure before its first byte is thrown like a non-streamed one)
 * and returns the turn's SSE body, which stores the turn when it ends.
 */
export async function streamMessage(
  turn: Turn,
  opts: { requestId: string; waitUntil(promise: Promise<unknown>): void },
): Promise<ReadableStream<Uint8Array>> {
  const { call } = turn;
  const started = Date.now();
  let events: ReadableStream<StreamEvent>;
  try {
    events = await call.provider.stream(turn.request, call.ctx);
  } catch (err) {
    await recordUserMessage(turn);
    throw err;
  } finally {
    // The timeout bounds the wait for the stream to start, not its length.
    call.settle();
  }
  return encodeTurnStream(events, {
    ...opts,
    async onEnd(end) {
      if (end.error && end.text === "") {
        await recordUserMessage(turn);
        return undefined;
      }
      const usage = end.usage ?? estimateUsage(turn.request, end.text);
      const { user, assistant } = await recordExchange(turn, {
        text: end.text,
        usage,
        finishReason: end.error ? CUT_OFF : (end.finishReason ?? "stop"),
        latencyMs: Date.now() - started,
      });
      return turnBody(user, assistant, usage);
    },
  });
}
