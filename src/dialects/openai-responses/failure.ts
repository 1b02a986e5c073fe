import type { ResponseErrorEvent } from "openai/resources/responses/responses";
import type { ErrorType, GatewayError } from "../../errors/gateway-error";
import { toGatewayError } from "../../errors/to-response";
import type { ResponsesErrorCode, WireError } from "./from-neutral";

/**
 * What a Responses stream says when it fails part-way: the `error` a failed Response carries
 * (`response.failed`), and the stream's `error` event that comes before it. Clients read one or
 * the other: the OpenAI SDKs throw at the `error` event (openai-node keys on its nested `error`
 * object), Codex ignores it and reads `response.failed`'s `response.error.code`.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming/error
 * @see https://platform.openai.com/docs/api-reference/responses-streaming/response/failed
 */

/**
 * The `error` event as OpenAI sends it: the SDK's type (the published schema) has the details at
 * the top level, the API nests them under `error` as well, which the SDKs read; both are sent.
 */
export type ResponsesErrorEvent = Omit<ResponseErrorEvent, "sequence_number"> & {
  error: {
    type: ErrorType;
    code: ResponsesErrorCode;
    message: string;
    param: string | null;
    request_id: string;
  };
};

// Vendors word an overlong prompt in many ways; ours keep the vendor's message for 4xx.
const CONTEXT_OVERFLOW =
  /context[ _-]?(length|window)|maximum context|too many (input )?tokens|prompt is too long|input is too long/i;

/**
 * Our error as OpenAI's code, for what clients do next: Codex stops on `context_length_exceeded`
 * and `insufficient_quota`, waits as long as a `rate_limit_exceeded` message says ("try again in
 * 7s") and retries any other code. A budget that ran out is a quota, not a rate: waiting a few
 * seconds does not help. A request too large for the gateway or vendor cannot succeed either.
 */
export function responsesErrorCode(e: GatewayError): ResponsesErrorCode {
  if (e.code === "budget_exceeded") return "insufficient_quota";
  if (e.status === 429) return "rate_limit_exceeded";
  if (e.status === 413 || [e.code, e.message, e.vendorBody ?? ""].some((s) => CONTEXT_OVERFLOW.test(s))) {
    return "context_length_exceeded";
  }
  return e.status < 500 ? "invalid_prompt" : "server_error";
}

/** A rate limit's message names the wait the way OpenAI's do, which Codex reads for its backoff. */
function failureMessage(e: GatewayError): string {
  if (e.status !== 429) return e.message;
  const wait = Object.entries(e.headers ?? {}).find(([name]) => name.toLowerCase() === "retry-after")?.[1];
  return wait && /^\d+$/.test(wait.trim()) ? `${e.message} Please try again in ${wait.trim()}s.` : e.message;
}

export function responsesFailure(
  err: unknown,
  requestId: string,
): { error: WireError; event: ResponsesErrorEvent } {
  const e = toGatewayError(err);
  const code = responsesErrorCode(e);
  const message = failureMessage(e);
  const param = e.param ?? null;
  return {
    error: { code, message },
    event: {
      type: "error",
      code,
      message,
      param,
      error: { type: e.type, code, message, param, request_id: requestId },
    },
  };
}
