import { responsesFailure } from "../../../dialects/openai-responses/failure";
import type { GatewayError } from "../../../errors/gateway-error";
import {
  malformed,
  scrubSecrets,
  scrubVendorMessage,
  streamCutOff,
  streamErrorEvent,
} from "../../../providers/http";
import { isClientCall, mapResponsesFinish } from "../../../providers/openai/responses-finish-reason";
import { convertResponsesUsage } from "../../../providers/openai/responses-usage";
import {
  type ResponsesEvent,
  ResponsesEventSchema,
  type ResponsesResponse,
} from "../../../providers/openai/responses-wire";
import { concatBytes } from "../../../util/encoding";
import type { CallEnd } from "../types";
import { type EventSourceMessage, relaySse, safeJson, type Verdict } from "./sse-passthrough";
import { encodeSse } from "./sse-writer";

export interface ResponsesPassthroughOptions {
  requestId: string;
  onEnd?: ((outcome: CallEnd) => void) | undefined;
  /** The client's request signal: its disconnect ends the stream at once (relay.ts). */
  signal?: AbortSignal | undefined;
  /**
   * Every event the client gets, parsed, in order (a failure's message scrubbed; ours included):
   * the plan keeps the response `response.completed` carries, for `previous_response_id` and the
   * cache.
   */
  onEvent?: ((event: Record<string, unknown>) => void) | undefined;
  /**
   * The vendor's id for this response, once, as soon as an event names it (`response.created`):
   * the id the client will use to read, continue or delete it, so the plan records its owner.
   */
  onResponseId?: ((id: string) => void) | undefined;
  /**
   * Awaited before `response.completed` or `response.incomplete` goes on, with the response it
   * carries: the plan stores it, so a follow-up sent the instant the stream ends finds it.
   */
  beforeTerminal?: ((response: Record<string, unknown>) => Promise<void>) | undefined;
}

/** The events whose content the relay reads; every other one goes on unread. */
const TOLD = new Set([
  "error",
  "response.created",
  "response.queued",
  "response.in_progress",
  "response.completed",
  "response.incomplete",
  "response.failed",
  "response.output_item.added",
  "response.output_item.done",
]);

/** A failure as a Responses client reads it in `response.failed`'s `response.error`. */
interface WireFailure {
  code: string;
  message: string;
}

/**
 * OpenAI's Responses API stream relayed to a Responses client, event for event as the vendor's
 * bytes, event types this gateway does not know included (the API adds some). On the way it reads
 * the vendor's response id, usage and how the response ended from the lifecycle events
 * (`response.completed`, `response.incomplete`, `response.failed`, each carrying the whole
 * response). This wire has no `[DONE]`: a host that sends one has it dropped (the SDKs would stop
 * reading at it, before the terminal event). Only these change:
 * - the vendor's `error` event, and the `response.failed` that follows it, go on with their
 *   messages scrubbed of key-like strings; after the `error` nothing else does;
 * - a stream that ends (or breaks, or turns unreadable) before a terminal event ends with an
 *   `error` event and a `response.failed` of ours, as OpenAI fails a stream (failure.ts): the
 *   SDKs throw at the first, Codex reads the code of the second. After the vendor's own `error`
 *   only our `response.failed` is added, with the vendor's code.
 * Sequence numbers of added events go on from the vendor's last.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export function passthroughResponsesStream(
  vendor: string,
  body: ReadableStream<Uint8Array>,
  opts: ResponsesPassthroughOptions,
): ReadableStream<Uint8Array> {
  const outcome: CallEnd = {};
  let sawEvent = false;
  /** A terminal event went on (or ours did): the stream says nothing more. */
  let stopped = false;
  let lastSequence = -1;
  let responseId: string | undefined;
  /** The response as the vendor first showed it, for the failed one we may have to send. */
  let snapshot: Record<string, unknown> | undefined;
  /** Output items the vendor finished, by output index (one it was still writing is left out). */
  const finished = new Map<number, unknown>();
  let sawCall = false;
  /** The vendor's own `error` event went on: what it said, for the `response.failed` after it. */
  let vendorFailure: { error: GatewayError; wire: WireFailure } | undefined;

  const announce = (response: ResponsesResponse | undefined) => {
    if (responseId !== undefined || !response?.id) return;
    responseId = response.id;
    opts.onResponseId?.(response.id);
  };

  /** The event as it goes on: its own bytes when scrubbing changed nothing. */
  const relayed = (msg: EventSourceMessage, original: object, sent: object): Verdict => {
    opts.onEvent?.(sent as Record<string, unknown>);
    return sent === original ? "forward" : { replace: encodeSse(JSON.stringify(sent), msg.event) };
  };

  function onVendorError(msg: EventSourceMessage, json: Record<string, unknown>, event?: ResponsesEvent) {
    // OpenAI nests the details under `error`; the published schema has them at the top level.
    const details = event?.error ?? event;
    const error = streamErrorEvent(vendor, details?.message ?? undefined);
    const wire = {
      code: details?.code ?? "server_error",
      message: scrubVendorMessage(details?.message ?? undefined) ?? error.message,
    };
    error.vendorBody = JSON.stringify(wire);
    vendorFailure = { error, wire };
    outcome.error = error;
    return relayed(msg, json, scrubbedError(json));
  }

  function onFailed(msg: EventSourceMessage, json: Record<string, unknown>, response?: ResponsesResponse) {
    stopped = true;
    if (response?.usage) outcome.usage = convertResponsesUsage(response.usage);
    if (!vendorFailure) {
      const message = response?.error?.message ?? undefined;
      const error = streamErrorEvent(vendor, message);
      error.vendorBody = JSON.stringify({
        code: response?.error?.code ?? "server_error",
        message: scrubVendorMessage(message) ?? error.message,
      });
      outcome.error = error;
    }
    return relayed(msg, json, scrubbedFailed(json));
  }

  function judge(msg: EventSourceMessage): Verdict {
    if (stopped || msg.data === "[DONE]") return "drop";
    const parsed = safeJson(msg.data);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      return streamErrorEvent(vendor, "an unreadable event");
    }
    const json = parsed as Record<string, unknown>;
    sawEvent = true;
    const seq = json.sequence_number;
    if (typeof seq === "number" && seq > lastSequence) lastSequence = seq;
    const type = msg.event === "error" ? "error" : typeof json.type === "string" ? json.type : msg.event;
    // After the vendor's `error` event only its `response.failed` goes on.
    if (vendorFailure && type !== "response.failed") return vendorFailure.error;
    // Deltas, the bulk of a stream, go on unread; only the events that tell something are parsed.
    if (type === undefined || !TOLD.has(type)) {
      opts.onEvent?.(json);
      return "forward";
    }
    const checked = ResponsesEventSchema.safeParse({ ...json, type });
    const event = checked.success ? checked.data : undefined;
    if (type === "error") return onVendorError(msg, json, event);
    announce(event?.response);
    switch (type) {
      case "response.failed":
        return onFailed(msg, json, event?.response);
      case "response.completed":
      case "response.incomplete":
        stopped = true;
        if (event?.response?.usage) outcome.usage = convertResponsesUsage(event.response.usage);
        outcome.finishReason = mapResponsesFinish(type, event?.response, sawCall);
        opts.onEvent?.(json);
        if (opts.beforeTerminal && json.response && typeof json.response === "object") {
          return { after: opts.beforeTerminal(json.response as Record<string, unknown>) };
        }
        return "forward";
      case "response.output_item.added":
      case "response.output_item.done":
        if (event?.item && isClientCall(event.item.type)) sawCall = true;
        if (type === "response.output_item.done" && event?.output_index !== undefined) {
          finished.set(event.output_index, json.item);
        }
        break;
      default:
        // created, queued, in_progress: the response as it stands, for a failure of ours.
        if (event?.response) snapshot ??= json.response as Record<string, unknown>;
    }
    opts.onEvent?.(json);
    return "forward";
  }

  /** The response a failure of ours carries: the vendor's as far as it is known, failed. */
  function failedResponse(wire: WireFailure): Record<string, unknown> {
    const base = snapshot ?? {
      id: `resp_${opts.requestId.replace(/^req_/, "")}`,
      object: "response",
      created_at: Math.floor(Date.now() / 1000),
    };
    const output = [...finished.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
    return { ...base, status: "failed", error: wire, incomplete_details: null, output, usage: null };
  }

  return relaySse(
    vendor,
    body,
    {
      judge,
      commentsPass: () => !stopped,
      end() {
        if (stopped) return null;
        if (vendorFailure) return vendorFailure.error;
        return sawEvent ? streamCutOff(vendor) : malformed(vendor, "a stream that is not Server-Sent Events");
      },
      errorEvent(err: GatewayError) {
        // A connection that breaks after the terminal event: the client already has it all.
        if (stopped) return new Uint8Array(0);
        stopped = true;
        const failure = responsesFailure(err, opts.requestId);
        const events: Uint8Array[] = [];
        if (!vendorFailure) {
          const event = { ...failure.event, sequence_number: ++lastSequence };
          opts.onEvent?.(event);
          events.push(encodeSse(JSON.stringify(event), "error"));
        }
        const response = failedResponse(vendorFailure?.wire ?? failure.error);
        const failed = { type: "response.failed", sequence_number: ++lastSequence, response };
        opts.onEvent?.(failed);
        events.push(encodeSse(JSON.stringify(failed), "response.failed"));
        return concatBytes(...events);
      },
    },
    outcome,
    opts,
  );
}

/** `text` scrubbed of key-like strings (not shortened: it goes to the client); the same otherwise. */
const scrub = (text: unknown): unknown => (typeof text === "string" ? scrubSecrets(text) : text);

/**
 * The vendor's `error` event with its messages (top-level and nested) scrubbed; the very object
 * when nothing changed.
 */
function scrubbedError(json: Record<string, unknown>): Record<string, unknown> {
  let out = json;
  if (scrub(json.message) !== json.message) out = { ...out, message: scrub(json.message) };
  const error = json.error as Record<string, unknown> | null | undefined;
  if (error && typeof error === "object" && scrub(error.message) !== error.message) {
    out = { ...out, error: { ...error, message: scrub(error.message) } };
  }
  return out;
}

/** `response.failed` with `response.error.message` scrubbed; the very object when nothing changed. */
function scrubbedFailed(json: Record<string, unknown>): Record<string, unknown> {
  const response = json.response as { error?: Record<string, unknown> | null } | null | undefined;
  const error = response?.error;
  if (!error || typeof error !== "object" || scrub(error.message) === error.message) return json;
  return { ...json, response: { ...response, error: { ...error, message: scrub(error.message) } } };
}
