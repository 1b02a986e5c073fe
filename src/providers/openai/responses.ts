import { notFound } from "../../errors/gateway-error";
import { postUpstream } from "../http";
import type { ResponsesWire, UpstreamContext } from "../types";
import { openaiErrorMessage } from "./errors";

/**
 * `/responses` and at most two segments below it (`{id}`, `{id}/input_items`, `input_tokens`,
 * `compact`). Ids come from clients: one that could reach another path (`/`, `..`, `?`, `#`,
 * `%2F`) cannot name a response, and is refused before anything is sent.
 */
const RESPONSES_PATH = /^\/responses(?:\/[A-Za-z0-9_-]+){0,2}$/;

/**
 * OpenAI's Responses API, for a Responses client's own body (the passthrough): the vendor's key
 * and error mapping as for Chat Completions, with the vendor's error body kept (scrubbed of
 * key-like strings) so the client reads OpenAI's own `code` and `param`
 * (`previous_response_not_found`, `context_length_exceeded`).
 * @see https://platform.openai.com/docs/api-reference/responses
 */
export function openaiResponsesWire(auth: (ctx: UpstreamContext) => Record<string, string>): ResponsesWire {
  return {
    send(path, body, ctx, init) {
      if (!RESPONSES_PATH.test(path)) return Promise.reject(notFound("response"));
      const query = init.query?.replace(/^\?/, "");
      return postUpstream({
        method: init.method,
        url: `${ctx.vendor.baseUrl}${path}${query ? `?${query}` : ""}`,
        headers: auth(ctx),
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: ctx.signal,
        vendor: ctx.vendor.slug,
        errorMessage: openaiErrorMessage,
        keepErrorBody: true,
      });
    },
  };
}
