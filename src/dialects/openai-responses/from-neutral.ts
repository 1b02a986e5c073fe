import type {
  Response,
  ResponseCustomToolCall,
  ResponseError,
  ResponseFunctionToolCall,
  ResponseOutputItem,
  ResponseOutputMessage,
  ResponseOutputText,
  ResponseReasoningItem,
  ResponseUsage,
} from "openai/resources/responses/responses";
import type { ChatResponse, FinishReason, Usage } from "../../chat/types";
import { freeformCallInput } from "./freeform-tools";
import { encryptedReasoning, type ReasoningOrigin, reasoningItem } from "./reasoning-item";

/**
 * A neutral answer as an OpenAI Responses API `Response` (streams: stream-encoder.ts, which builds
 * its items, usage and envelope with the helpers below, so both say the same). Typed with the
 * SDK's own types (erased at build), so a shape error fails tsc. Where the SDK's types and the
 * wire disagree, the wire wins, and `WireResponse` says where.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 */

/**
 * OpenAI's codes for a failed response. The SDK's union lacks two the API sends and clients act
 * on: Codex stops (and does not retry) on `context_length_exceeded` and `insufficient_quota`.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
export type ResponsesErrorCode = ResponseError["code"] | "context_length_exceeded" | "insufficient_quota";

export interface WireError extends Omit<ResponseError, "code"> {
  code: ResponsesErrorCode;
}

/**
 * A Response as the API sends it: without `output_text` (the SDKs add it from `output`), with
 * `store`, which the API echoes and the SDK's type lacks, and with the wider error codes above.
 */
export type WireResponse = Omit<Response, "output_text" | "error"> & {
  error: WireError | null;
  store?: boolean;
};

/**
 * The request fields a Response echoes back, as the plan knows them from the request; what is
 * absent (or undefined) takes the API's default (DEFAULTS).
 */
export type ResponseEcho = Partial<
  Pick<
    WireResponse,
    | "background"
    | "instructions"
    | "max_output_tokens"
    | "max_tool_calls"
    | "metadata"
    | "parallel_tool_calls"
    | "previous_response_id"
    | "prompt_cache_key"
    | "reasoning"
    | "safety_identifier"
    | "service_tier"
    | "store"
    | "temperature"
    | "text"
    | "tool_choice"
    | "tools"
    | "top_logprobs"
    | "top_p"
    | "truncation"
    | "user"
  >
>;

export interface ResponseMeta {
  /** Ours (newResponseId): the vendor's id names its call, not this response. Item ids derive from it. */
  id: string;
  /** The model as the client named it. */
  model: string;
  /** Unix seconds: when the request came in. */
  createdAt: number;
  echo?: ResponseEcho | undefined;
  /**
   * Who answered, named in a reasoning item's `encrypted_content` so the client can send the
   * reasoning back to them (reasoning-item.ts). The plan names it when the client will keep the
   * items: `include: ["reasoning.encrypted_content"]`, or a stored response. Absent, reasoning
   * items carry no encrypted content.
   */
  origin?: ReasoningOrigin | undefined;
  /**
   * The request's `custom` (freeform) tools (freeform-tools.ts): a call of one is a
   * `custom_tool_call` item with the raw input, as the client declared it, not a function call.
   */
  freeform?: ReadonlySet<string> | undefined;
}

const randomHex = () => crypto.randomUUID().replaceAll("-", "");

export const newResponseId = (): string => `resp_${randomHex()}`;

/**
 * Item ids and generated call ids derive from the response id and the item's place in `output`,
 * so a streamed response and the same answer whole (a cache entry, a stored response) name their
 * items alike, and no two responses share an item id (clients send items back by id).
 */
export function itemId(
  kind: "rs" | "msg" | "fc" | "ctc" | "call",
  responseId: string,
  outputIndex: number,
): string {
  return `${kind}_${responseId.replace(/^resp_/, "")}_${outputIndex}`;
}

/**
 * The `call_id` of each function call of one response: the vendor's, unless it has none or it
 * repeats one already used (clients pair `function_call_output`s with calls by it, and the SDKs'
 * accumulators refuse a response with two alike).
 */
export function callIds(responseId: string): (vendorId: string | undefined, outputIndex: number) => string {
  const used = new Set<string>();
  return (vendorId, outputIndex) => {
    const id = vendorId && !used.has(vendorId) ? vendorId : itemId("call", responseId, outputIndex);
    used.add(id);
    return id;
  };
}

/**
 * Why an answer stopped short, as `incomplete_details.reason`; null when it did not.
 * @see https://platform.openai.com/docs/guides/conversation-state#managing-the-context-window
 */
export function incompleteReason(
  reason: FinishReason | undefined,
): "max_output_tokens" | "content_filter" | null {
  switch (reason) {
    case "length":
      return "max_output_tokens";
    case "content_filter":
      return "content_filter";
    default:
      return null;
  }
}

/**
 * Neutral usage counts cached (and cache-written) prompt tokens inside the input, and reasoning
 * tokens inside the output, as Responses does; reasoning tokens are 0 where the vendor did not
 * count them apart.
 */
export function responsesUsage(u: Usage): ResponseUsage {
  return {
    input_tokens: u.inputTokens,
    input_tokens_details: {
      cached_tokens: u.cachedTokens ?? 0,
      cache_write_tokens: (u.cacheWriteTokens ?? 0) + (u.cacheWrite1hTokens ?? 0),
    },
    output_tokens: u.outputTokens,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
    total_tokens: u.inputTokens + u.outputTokens,
  };
}

type ItemStatus = "in_progress" | "completed" | "incomplete";

export const outputText = (text: string): ResponseOutputText => ({
  type: "output_text",
  annotations: [],
  logprobs: [],
  text,
});

/** A message item; a text of null is one whose content part has not started (`content: []`). */
export const messageItem = (id: string, text: string | null, status: ItemStatus): ResponseOutputMessage => ({
  id,
  type: "message",
  status,
  content: text === null ? [] : [outputText(text)],
  role: "assistant",
});

export const functionCallItem = (
  id: string,
  callId: string,
  name: string,
  args: string,
  status: ItemStatus,
): ResponseFunctionToolCall => ({
  id,
  type: "function_call",
  status,
  arguments: args,
  call_id: callId,
  name,
});

/** What the API echoes for a request field the client left out. */
const DEFAULTS = {
  background: false,
  instructions: null,
  max_output_tokens: null,
  max_tool_calls: null,
  parallel_tool_calls: true,
  previous_response_id: null,
  reasoning: { effort: null, summary: null },
  store: true,
  // The vendor's own defaults are unknown here, and the API allows null.
  temperature: null,
  text: { format: { type: "text" } },
  tool_choice: "auto",
  tools: [],
  top_p: null,
  truncation: "disabled",
  metadata: {},
} satisfies ResponseEcho;

export interface ResponseState {
  status: "in_progress" | "completed" | "incomplete" | "failed";
  output: ResponseOutputItem[];
  usage?: ResponseUsage | undefined;
  incompleteReason?: "max_output_tokens" | "content_filter" | null;
  error?: WireError | undefined;
  /** Unix seconds; the API sets `completed_at` only on a completed response. */
  completedAt?: number | undefined;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The Response envelope around `state`, in the API's field order, the request's echo over the defaults. */
export function responseOf(meta: ResponseMeta, state: ResponseState): WireResponse {
  const reason = state.incompleteReason ?? null;
  const response: WireResponse = {
    id: meta.id,
    object: "response",
    created_at: meta.createdAt,
    status: state.status,
    completed_at: state.status === "completed" ? (state.completedAt ?? nowSeconds()) : null,
    error: state.error ?? null,
    incomplete_details: reason ? { reason } : null,
    model: meta.model,
    output: state.output,
    // Required by the SDK's type and sent as null by the API when no access program applies.
    access_programs: null,
    ...DEFAULTS,
  };
  for (const [field, value] of Object.entries(meta.echo ?? {})) {
    if (value !== undefined) Object.assign(response, { [field]: value });
  }
  if (state.usage) response.usage = state.usage;
  return response;
}

/** The items this dialect produces. */
export type OutputItem =
  | ResponseReasoningItem
  | ResponseOutputMessage
  | ResponseFunctionToolCall
  | ResponseCustomToolCall;

/** A freeform tool's call: its raw input (the translated function's `input` argument). */
export const customToolCallItem = (
  id: string,
  callId: string,
  name: string,
  input: string,
): ResponseCustomToolCall => ({ id, type: "custom_tool_call", call_id: callId, name, input });

/** A reasoning item's encrypted content: the origin, and the vendor's seal, when the plan named one. */
export const sealOf = (meta: ResponseMeta, signature: string | undefined): string | undefined =>
  meta.origin ? encryptedReasoning(meta.origin, signature) : undefined;

export function toResponse(answer: ChatResponse, meta: ResponseMeta): WireResponse {
  const output: OutputItem[] = [];
  // Reasoning first, as the model thought before it answered; a seal alone (a vendor that showed
  // no text) is worth an item only where the client can send it back.
  const seal = sealOf(meta, answer.reasoningSignature);
  if (answer.reasoning || (answer.reasoningSignature && seal)) {
    output.push(reasoningItem(itemId("rs", meta.id, 0), answer.reasoning ?? null, "completed", seal));
  }
  // An empty message item says nothing, and a client sending the output back would send it too.
  if (answer.content) {
    output.push(messageItem(itemId("msg", meta.id, output.length), answer.content, "completed"));
  }
  const callId = callIds(meta.id);
  for (const t of answer.toolCalls) {
    const at = output.length;
    output.push(
      meta.freeform?.has(t.name)
        ? customToolCallItem(
            itemId("ctc", meta.id, at),
            callId(t.id, at),
            t.name,
            freeformCallInput(t.arguments),
          )
        : functionCallItem(itemId("fc", meta.id, at), callId(t.id, at), t.name, t.arguments, "completed"),
    );
  }
  const reason = incompleteReason(answer.finishReason);
  // The item the answer stopped in is the one cut short, as the API marks it.
  const last = output.at(-1);
  // (A freeform call has no status on the wire.)
  if (reason && last && last.type !== "custom_tool_call") last.status = "incomplete";
  return responseOf(meta, {
    status: reason ? "incomplete" : "completed",
    output,
    usage: responsesUsage(answer.usage),
    incompleteReason: reason,
  });
}
