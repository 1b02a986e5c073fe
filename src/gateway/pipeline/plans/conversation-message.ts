import { requireUser } from "../../../auth/principal";
import { estimatePromptTokens, estimateTextTokens } from "../../../chat/tokens";
import type { ChatRequest, Usage } from "../../../chat/types";
import { CUT_OFF, recordExchange, recordUserMessage, turnBody } from "../../../conversations/record";
import { prepareTurn, type SendMessageInput } from "../../../conversations/turn";
import { estimateCall } from "../../budget";
import type { CallContext } from "../run-call";
import { encodeEvents } from "../stream/encode-events";
import { SSE_HEADERS } from "../stream/sse-writer";
import { turnEventEncoder } from "../stream/turn-events";
import type { CallEnd, CallPlan } from "../types";
import { callNeutral, type NeutralAnswer } from "./neutral-call";

/** Estimated when a stream ended before the vendor reported its counts (or it never does). */
const estimateUsage = (req: ChatRequest, text: string): Usage => ({
  inputTokens: estimatePromptTokens(req.messages),
  outputTokens: estimateTextTokens(text),
});

/**
 * POST /v1/conversations/{id}/messages: one turn of a stored conversation. The prompt is built
 * from the stored history (src/conversations/turn.ts); the user's message and the reply are
 * stored together once the reply is complete (streams: whichever way they end, a cut-off reply
 * with `finish_reason: cut_off`). A vendor that fails before answering leaves the user's message
 * stored (it was sent; the client may retry) and no reply.
 */
export const conversationMessagePlan =
  (conversationId: string, input: SendMessageInput) =>
  async (cx: CallContext): Promise<CallPlan<NeutralAnswer>> => {
    const user = requireUser(cx.principal);
    const turn = await prepareTurn(cx.env, cx.db, { conversationId, userId: user.id }, input, {
      prefetched: cx.prefetchedTurn,
      allowModel: cx.assertModelAllowed,
    });
    /** When the vendor was first asked: a reply's latency runs from here to its storing. */
    let sentAt: number | undefined;
    return {
      requested: turn.requested,
      estimate: (price) =>
        estimateCall(estimatePromptTokens(turn.request.messages), turn.reserveTokens, price),
      attempt: ({ provider, resolved }, attempt) => {
        sentAt ??= Date.now();
        return callNeutral(
          provider,
          { ...turn.request, model: resolved.upstreamModel },
          input.stream,
          attempt,
          cx.env.CACHE,
        );
      },
      usageOf: (a) => (a.kind === "answer" ? a.answer.usage : undefined),
      failed: async () => void (await recordUserMessage(turn)),
      async respond(a, answered) {
        const started = sentAt ?? Date.now();
        const store = (text: string, usage: Usage, finishReason: string) =>
          recordExchange(turn, {
            model: answered.model,
            text,
            usage,
            finishReason,
            latencyMs: Date.now() - started,
          });
        if (a.kind === "answer") {
          const { answer } = a;
          const { user, assistant } = await store(answer.content ?? "", answer.usage, answer.finishReason);
          return {
            status: 201,
            body: JSON.stringify(turnBody(user, assistant, answer.usage)),
            headers: { "content-type": "application/json" },
            done: Promise.resolve({ usage: answer.usage, finishReason: answer.finishReason }),
          };
        }
        let onEnd!: (end: CallEnd) => void;
        const done = new Promise<CallEnd>((resolve) => {
          onEnd = resolve;
        });
        const encoder = turnEventEncoder(
          {
            async complete(text, outcome) {
              const usage = outcome.usage ?? estimateUsage(turn.request, text);
              outcome.usage = usage;
              const { user, assistant } = await store(text, usage, outcome.finishReason ?? "stop");
              return turnBody(user, assistant, usage);
            },
            async cutOff(text, outcome) {
              // Nothing generated: only the user's message is kept, and nothing is charged.
              if (text === "") {
                await recordUserMessage(turn);
                return;
              }
              outcome.usage ??= estimateUsage(turn.request, text);
              await store(text, outcome.usage, CUT_OFF);
            },
          },
          cx.requestId,
        );
        return {
          status: 201,
          body: encodeEvents(a.events, encoder, {
            onEnd,
            signal: cx.options.resilience.clientSignal,
            pingMs: cx.options.stream.pingMs,
          }),
          headers: { ...SSE_HEADERS },
          done,
        };
      },
    };
  };
