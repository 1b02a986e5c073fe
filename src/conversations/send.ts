import { estimatePromptTokens, estimateTextTokens } from "../chat/tokens";
import type { ChatRequest, ChatResponse, StreamEvent, Usage } from "../chat/types";
import { amountOf } from "../gateway/budget";
import type { CallRecord } from "../gateway/call-record";
import { type Attempt, runResilient } from "../gateway/resilience/run";
import { failCall, type RecordContext, recordCall, targetCall } from "../gateway/usage";
import { CUT_OFF, recordExchange, recordUserMessage, turnBody } from "./record";
import { encodeTurnStream } from "./stream";
import type { Turn } from "./turn";

/**
 * The upstream call of a turn and what is stored after it. A vendor that fails before answering
 * leaves the user's message stored (it was sent; the client may retry) and no assistant message;
 * its GatewayError goes on to app.onError, which answers in the one error shape.
 *
 * Usage: the route starts the call's record and records the failures thrown from here; a
 * completed turn is recorded here, once its messages are stored (streams: when the stream ends).
 * Budget: the turn's reservation (made by prepareTurn) is settled with the real usage, or
 * released when the vendor answered nothing.
 */

/** The request's call record (src/gateway/usage.ts) and where to send it. */
export interface TurnTracking {
  record: CallRecord;
  ctx: RecordContext;
}

export type TurnBody = ReturnType<typeof turnBody>;

/**
 * The upstream call with retries, fallbacks and the circuit breaker (gateway/resilience); the
 * turn and its record learn which model answered. A failure releases the budget and stores the
 * user's message, then is thrown.
 */
async function callModel<T>(turn: Turn, record: CallRecord, attempt: Attempt<T>): Promise<T> {
  try {
    const outcome = await runResilient(turn.env, turn.db, turn.requested, turn.resilience, attempt);
    const { resolved } = outcome;
    targetCall(record, resolved);
    record.alias = turn.requested.config?.alias ?? null;
    record.retries = outcome.retries;
    record.fallbackUsed = outcome.fallbackUsed;
    turn.model = `${resolved.vendor.slug}/${resolved.upstreamModel}`;
    turn.price = record.price;
    return outcome.value;
  } catch (err) {
    turn.budget.release();
    await recordUserMessage(turn);
    throw err;
  }
}

export async function sendMessage(turn: Turn, tracking: TurnTracking): Promise<TurnBody> {
  const { record } = tracking;
  const started = Date.now();
  const answer: ChatResponse = await callModel(
    turn,
    record,
    async ({ provider, resolved }, { ctx, settle }) => {
      try {
        return await provider.chat({ ...turn.request, model: resolved.upstreamModel }, ctx);
      } finally {
        settle();
      }
    },
  );
  // Set before storing: if that fails, the vendor was still paid for these tokens.
  record.usage = answer.usage;
  record.latencyMs = Date.now() - record.startedAt;
  turn.budget.settle(amountOf(answer.usage, turn.price));
  const { user, assistant } = await recordExchange(turn, {
    text: answer.content ?? "",
    usage: answer.usage,
    finishReason: answer.finishReason,
    latencyMs: Date.now() - started,
  });
  recordCall(tracking.ctx, record);
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
  tracking: TurnTracking,
): Promise<ReadableStream<Uint8Array>> {
  const { record } = tracking;
  const started = Date.now();
  const events: ReadableStream<StreamEvent> = await callModel(
    turn,
    record,
    async ({ provider, resolved }, { ctx, settle }) => {
      const stream = await provider.stream({ ...turn.request, model: resolved.upstreamModel }, ctx);
      // The timeout bounds the wait for the stream to start, not its length; no retry after this.
      settle();
      return stream;
    },
  );
  return encodeTurnStream(timeFirstText(events, record), {
    ...opts,
    async onEnd(end) {
      try {
        if (end.error === "cancelled") record.errorCode = "client_cancelled";
        else if (end.error) failCall(record, end.error);
        if (end.error && end.text === "") {
          turn.budget.release();
          await recordUserMessage(turn);
          return undefined;
        }
        const usage = end.usage ?? estimateUsage(turn.request, end.text);
        turn.budget.settle(amountOf(usage, turn.price));
        record.usage = usage;
        record.latencyMs = Date.now() - record.startedAt;
        const { user, assistant } = await recordExchange(turn, {
          text: end.text,
          usage,
          finishReason: end.error ? CUT_OFF : (end.finishReason ?? "stop"),
          latencyMs: Date.now() - started,
        });
        return turnBody(user, assistant, usage);
      } catch (err) {
        // The stream ends with this error instead of `message.completed`.
        if (!end.error) failCall(record, err);
        throw err;
      } finally {
        recordCall(tracking.ctx, record);
      }
    },
  });
}

/**
 * Notes when the first text reaches the client (ttft, from the call's start): the event is
 * encoded and sent as soon as it is read.
 */
function timeFirstText(events: ReadableStream<StreamEvent>, record: CallRecord): ReadableStream<StreamEvent> {
  return events.pipeThrough(
    new TransformStream<StreamEvent, StreamEvent>({
      transform(event, controller) {
        if (event.type === "text" && record.ttftMs === null) record.ttftMs = Date.now() - record.startedAt;
        controller.enqueue(event);
      },
    }),
  );
}
