import type {
  ChatRequest,
  ChatResponse,
  EmbeddingRequest,
  EmbeddingResponse,
  ImageRequest,
  ImageResponse,
  StreamEvent,
} from "../chat/types";
import type { VendorKind } from "./builtins";
import type { Vendor } from "./vendor-directory";

/** What an adapter needs for one upstream call. */
export interface UpstreamContext {
  vendor: Vendor;
  /** Decrypted or from the environment; undefined for keyless hosts (mock, local Ollama). */
  apiKey: string | undefined;
  /** Aborts on client disconnect and on the request timeout. */
  signal: AbortSignal;
}

/**
 * One adapter per vendor kind, all behind this interface. Adding a vendor is a folder under
 * src/providers/ and one line in registry.ts.
 */
export interface Provider {
  kind: VendorKind;
  /** Whether a call without an API key is refused before it is sent (`vendor_not_configured`). */
  requiresApiKey: boolean;
  /**
   * The vendor takes images only as inline bytes, never by URL (Gemini): the pipeline fetches
   * URL images first (src/gateway/inline-images.ts), within the attempt and its signal.
   */
  needsInlineImages?: boolean;
  chat(req: ChatRequest, ctx: UpstreamContext): Promise<ChatResponse>;
  /** Resolves once the upstream accepted the request (so errors before the first byte are thrown). */
  stream(req: ChatRequest, ctx: UpstreamContext): Promise<ReadableStream<StreamEvent>>;
  images?(req: ImageRequest, ctx: UpstreamContext): Promise<ImageResponse>;
  /** Vectors for every input, in input order; vendors without an embeddings API lack it. */
  embed?(req: EmbeddingRequest, ctx: UpstreamContext): Promise<EmbeddingResponse>;
  /** The vendor takes token ids as embedding input (OpenAI's wire); the others take text only. */
  embedsTokenIds?: boolean;
  /**
   * Vendors that speak OpenAI's Chat Completions wire format: an OpenAI-format client's body is
   * sent as it is (model swapped in), so parameters the neutral model lacks still reach them.
   */
  openaiWire?: OpenAIWire;
  /** Vendors that speak Anthropic's Messages API: an Anthropic client's body is sent as it is. */
  anthropicWire?: AnthropicWire;
  /**
   * Vendors that serve OpenAI's Responses API themselves (OpenAI only): a Responses client's body
   * is sent as it is and the answer relayed. Compatible hosts lack it (few serve `/responses`,
   * fewer store responses), so their Responses clients are translated to Chat Completions.
   */
  responsesWire?: ResponsesWire;
}

export interface OpenAIWire {
  /** POSTs an OpenAI Chat Completions body; resolves with the (2xx) upstream response. */
  send(body: Record<string, unknown>, ctx: UpstreamContext): Promise<Response>;
}

/** The headers an Anthropic client sends that travel on verbatim (no allow-list of betas). */
export interface AnthropicClientHeaders {
  version?: string | undefined;
  beta?: string | undefined;
}

export interface AnthropicWire {
  /**
   * POSTs a Messages API body (model swapped in) to `/v1/messages` or its `count_tokens`, with the
   * client's `anthropic-version` and `anthropic-beta`; resolves with the 2xx response. A vendor
   * error keeps its body (scrubbed) on the GatewayError, for the Anthropic client to read.
   */
  send(
    path: "/v1/messages" | "/v1/messages/count_tokens",
    body: Record<string, unknown>,
    ctx: UpstreamContext,
    headers: AnthropicClientHeaders,
  ): Promise<Response>;
}

export interface ResponsesRequestInit {
  method: "POST" | "GET" | "DELETE";
  /** A query string (`limit=20&order=asc`, a leading `?` is allowed), sent as it is. */
  query?: string | undefined;
}

export interface ResponsesWire {
  /**
   * Calls the vendor's Responses API at `path` below its base URL: `/responses` (create),
   * `/responses/{id}` (GET, DELETE), `/responses/{id}/input_items`, `/responses/input_tokens`,
   * `/responses/compact`. `body` (model swapped in) goes as JSON; null sends none. Resolves with
   * the 2xx response (an event stream when the body asked for one). A vendor error keeps its body
   * (scrubbed) on the GatewayError, for the Responses client to read; a path that names no
   * resource (an id with `/`, `?`, `..`) is a 404 without a call.
   */
  send(
    path: string,
    body: Record<string, unknown> | null,
    ctx: UpstreamContext,
    init: ResponsesRequestInit,
  ): Promise<Response>;
}
