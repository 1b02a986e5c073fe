/**
 * The provider-neutral chat model. Client formats (OpenAI today, Anthropic's Messages API later)
 * convert into it, vendors convert out of it; no format converts straight into another.
 */

export type ImageSource =
  /**
   * `param` is where the client put the URL (`messages.0.content.1.image_url.url`,
   * `input.0.content.1.image_url`), for a 400 naming it when the gateway must fetch the image
   * (src/gateway/inline-images.ts) and cannot.
   */
  { kind: "url"; url: string; param?: string } | { kind: "base64"; mediaType: string; data: string };

/** A document's bytes, or a URL where the vendor (or nobody: see each adapter) fetches them. */
export type FileSource = { kind: "url"; url: string } | { kind: "base64"; data: string };

export type ContentPart =
  | { type: "text"; text: string }
  | { type: "image"; source: ImageSource; detail?: "auto" | "low" | "high" }
  /**
   * A document the model reads whole (today only PDFs, `application/pdf`). Each adapter sends it
   * as its vendor takes files, or refuses it with a 400 naming the part.
   */
  | { type: "file"; mediaType: string; source: FileSource; filename?: string };

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text, exactly as the model produced it (it may not parse; that is the client's call). */
  arguments: string;
}

export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: ContentPart[] }
  | {
      role: "assistant";
      content: string | null;
      toolCalls?: ToolCall[];
      /**
       * What the model reasoned before this turn, kept only when the client's history shows the
       * same vendor and model produced it (src/dialects/anthropic/thinking-signature.ts): adapters
       * whose vendor takes reasoning back (DeepSeek in tool loops) send it, the others drop it.
       */
      reasoning?: string;
      /**
       * The vendor's own seal over `reasoning` (Anthropic's thinking-block `signature`), opaque,
       * kept only where the same vendor and model made it: Anthropic takes thinking back only
       * with it, and requires it on the turn a tool loop continues. Never the gateway's own
       * signature of the Anthropic dialect (thinking-signature.ts), which no vendor can check.
       */
      reasoningSignature?: string;
    }
  | { role: "tool"; toolCallId: string; content: string };

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters?: Record<string, unknown>;
  strict?: boolean;
}

export type ToolChoice = "auto" | "none" | "required" | { name: string };

export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | {
      type: "json_schema";
      name: string;
      schema?: Record<string, unknown>;
      strict?: boolean;
      description?: string;
    };

/**
 * A reasoning level, as OpenAI names them (`reasoning_effort`, Responses' `reasoning.effort`).
 * "none" is not one: it is reasoning off (`enabled: false`); OpenAI's and Anthropic's "max"
 * reads as "xhigh", the most any translated vendor takes.
 */
export type ReasoningEffort = "minimal" | "low" | "medium" | "high" | "xhigh";

/**
 * How much the model may reason before it answers (Anthropic's `thinking`, OpenAI's
 * `reasoning_effort`). A client gives a budget or a level (or both); each adapter takes the one
 * its vendor speaks and derives it from the other when that is all there is (src/chat/reasoning.ts),
 * or drops the setting where the vendor or model has none. Absent, the vendor's default applies.
 */
export interface Reasoning {
  /** false: answer without reasoning, or with as little as the model allows. */
  enabled: boolean;
  /** The tokens it may spend reasoning; absent (and no effort), the model decides (adaptive). */
  budgetTokens?: number;
  /** How hard it may think; absent (and no budget), the model decides. */
  effort?: ReasoningEffort;
  /**
   * Whether the client wants the reasoning's text (summaries) back. Absent, each adapter's
   * default: Gemini asks for its thought summaries whenever reasoning is on; false, it asks
   * for none. Vendors that always return it (Anthropic, compatible hosts) are not told.
   */
  summaries?: boolean;
}

export interface ChatRequest {
  /** The vendor's own model name. */
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  topP?: number;
  /** Sample only from the k likeliest tokens (Anthropic, Gemini); OpenAI-wire vendors have none. */
  topK?: number;
  maxTokens?: number;
  stop?: string[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  /** End-user id, for vendors' abuse monitoring. */
  user?: string;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  reasoning?: Reasoning;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the vendor's prompt cache, where it reports them. */
  cachedTokens?: number;
  /**
   * Input tokens written to the vendor's prompt cache (Anthropic), part of `inputTokens` and
   * priced above plain input: entries that live 5 minutes, and those that live an hour.
   */
  cacheWriteTokens?: number;
  cacheWrite1hTokens?: number;
  /**
   * Output tokens the model spent reasoning, part of `outputTokens`, where the vendor counts them
   * apart (OpenAI's `reasoning_tokens`, Gemini's `thoughtsTokenCount`, Anthropic's
   * `thinking_tokens`); absent where it does not.
   */
  reasoningTokens?: number;
  /**
   * Input tokens of items answered from the gateway's own per-item cache (embeddings), part of
   * `inputTokens`: no vendor was paid for them, so they cost nothing and count against no budget.
   */
  gatewayCachedTokens?: number;
  /** The counts are the gateway's estimate (src/chat/tokens.ts): the vendor reported none. */
  estimated?: boolean;
}

export interface ChatResponse {
  /** The vendor's id for the completion, when it gives one. */
  id?: string;
  /** The model that answered, as the vendor names it. */
  model: string;
  content: string | null;
  toolCalls: ToolCall[];
  /** The model's reasoning (summaries), where the vendor shows it; absent when there was none. */
  reasoning?: string;
  /** The vendor's seal over it, where it gives one (see ChatMessage). */
  reasoningSignature?: string;
  finishReason: FinishReason;
  usage: Usage;
}

/** What a streaming call yields, in order: deltas, then (once each) usage and the finish reason. */
export type StreamEvent =
  | { type: "start"; id?: string; model: string }
  | { type: "text"; text: string }
  /**
   * The model's reasoning (Gemini's thought summaries, compatible hosts' `reasoning_content`,
   * Anthropic's thinking). `signature` is the vendor's seal over the reasoning so far (Anthropic
   * sends it once, after the text, with an empty `text`).
   */
  | { type: "reasoning"; text: string; signature?: string }
  | { type: "tool_call"; index: number; id?: string; name?: string; argumentsDelta?: string }
  | { type: "usage"; usage: Usage }
  | { type: "finish"; finishReason: FinishReason };

export interface ImageRequest {
  model: string;
  prompt: string;
  n: number;
  size?: string;
  quality?: string;
  style?: string;
  background?: string;
  outputFormat?: string;
  user?: string;
}

export interface GeneratedImage {
  /** Base64 image bytes, or a URL the vendor hosts. */
  b64?: string;
  url?: string;
  mediaType: string;
  revisedPrompt?: string;
}

export interface ImageResponse {
  model: string;
  images: GeneratedImage[];
  usage?: Usage;
}

/**
 * What an embedding is for, where a vendor tunes its vectors to it (Gemini's `taskType`); vendors
 * without the notion ignore it.
 */
export const EMBEDDING_INPUT_TYPES = [
  "query",
  "document",
  "semantic_similarity",
  "classification",
  "clustering",
  "code_retrieval_query",
  "question_answering",
  "fact_verification",
] as const;
export type EmbeddingInputType = (typeof EMBEDDING_INPUT_TYPES)[number];

/** One item to embed: a text, or (OpenAI-wire vendors only) the token ids of one. */
export type EmbeddingInput = string | number[];

export interface EmbeddingRequest {
  model: string;
  /** Distinct items, each sent once. */
  inputs: EmbeddingInput[];
  dimensions?: number;
  inputType?: EmbeddingInputType;
  user?: string;
  /** The client's other body fields, for vendors that take the body as it is (OpenAI's wire). */
  extra?: Record<string, unknown>;
}

export interface EmbeddingResponse {
  /** The model that answered, as the vendor names it. */
  model: string;
  /** One float32 vector per input, in input order, whatever order the vendor answered in. */
  vectors: Float32Array[];
  /**
   * Input tokens per input, in input order. A vendor that counts only the whole batch has its
   * count shared out (src/chat/tokens.ts `apportionTokens`), so per-item cache hits keep a share.
   */
  tokens: number[];
  /** The counts are the gateway's estimate: the vendor reported none. */
  estimated: boolean;
}
