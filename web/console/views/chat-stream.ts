import { EventSourceParserStream } from "eventsource-parser/stream";
import { call } from "../api";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number | undefined;
  max_tokens?: number | undefined;
}

export interface ChatOutcome {
  text: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  finishReason: string | null;
  /** The response headers worth showing: x-cache, x-request-id and every x-switchboard-*. */
  headers: [string, string][];
  firstByteMs: number | null;
  totalMs: number;
}

const shownHeader = (name: string) =>
  name === "x-cache" || name === "x-request-id" || name.startsWith("x-switchboard-");

/**
 * One Chat Completions call as any OpenAI client makes it, streamed or not; `onText` gets the
 * answer so far as it arrives. Errors are the API's (ApiError), before or during the stream.
 */
export async function sendChat(
  key: string,
  req: ChatRequest,
  stream: boolean,
  onText: (text: string) => void,
  signal: AbortSignal,
): Promise<ChatOutcome> {
  const started = performance.now();
  const res = await call(key, "/v1/chat/completions", {
    method: "POST",
    body: stream ? { ...req, stream: true, stream_options: { include_usage: true } } : req,
    signal,
  });
  const headers = [...res.headers].filter(([name]) => shownHeader(name)).sort();
  const outcome: ChatOutcome = {
    text: "",
    usage: null,
    finishReason: null,
    headers,
    firstByteMs: null,
    totalMs: 0,
  };
  if (!stream) {
    const body = await res.json();
    outcome.text = body.choices?.[0]?.message?.content ?? "";
    outcome.finishReason = body.choices?.[0]?.finish_reason ?? null;
    outcome.usage = body.usage ?? null;
    onText(outcome.text);
  } else {
    const events = (res.body as ReadableStream<BufferSource>)
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream());
    for await (const event of events) {
      if (event.data === "[DONE]") break;
      const chunk = JSON.parse(event.data);
      if (chunk.error) throw new Error(chunk.error.message ?? "The stream failed.");
      const choice = chunk.choices?.[0];
      if (choice?.delta?.content) {
        outcome.firstByteMs ??= Math.round(performance.now() - started);
        outcome.text += choice.delta.content;
        onText(outcome.text);
      }
      if (choice?.finish_reason) outcome.finishReason = choice.finish_reason;
      if (chunk.usage) outcome.usage = chunk.usage;
    }
  }
  outcome.totalMs = Math.round(performance.now() - started);
  return outcome;
}
