/**
 * The provider-neutral chat model. Client formats (OpenAI today, Anthropic's Messages API later)
 * convert into it, vendors convert out of it; no format converts straight into another.
 */

export type ImageSource = { kind: "url"; url: string } | { kind: "base64"; mediaType: string; data: string };

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
 * How much the model may reason before it answers (Anthropic's `thinking`). Each adapter maps it
 * to its vendor's setting, or drops it where the vendor or model has none; absent, the vendor's
 * default applies.
 */
export interface Reasoning {
  /** false: answer without reasoning, or with as little as the model allows. */
  enabled: boolean;
  /** The tokens it may spend reasoning; absent, the model decides (adaptive). */
  budgetTokens?: number;
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
  finishReason: FinishReason;
  usage: Usage;
}

/** What a streaming call yields, in order: deltas, then (once each) usage and the finish reason. */
export type StreamEvent =
  | { type: "start"; id?: string; model: string }
  | { type: "text"; text: string }
  /** The model's reasoning (Gemini's thought summaries, compatible hosts' `reasoning_content`). */
  | { type: "reasoning"; text: string }
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
