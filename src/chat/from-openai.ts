import { parseImageUrl } from "./image-url";
import type { ChatCompletionRequest, OpenAIMessage } from "./openai-schema";
import { isClientEffort, reasoningOfEffort } from "./reasoning";
import type { ChatMessage, ChatRequest, ContentPart, Reasoning, ResponseFormat, ToolChoice } from "./types";

type TextContent = string | { type: "text"; text: string }[];

const joinText = (c: TextContent | null | undefined): string =>
  c == null ? "" : typeof c === "string" ? c : c.map((p) => p.text).join("");

function userContent(
  content: Extract<OpenAIMessage, { role: "user" }>["content"],
  at: string,
): ContentPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return content.map((part, j): ContentPart => {
    if (part.type === "text") return { type: "text", text: part.text };
    const source = parseImageUrl(part.image_url.url, `${at}.content.${j}.image_url.url`);
    return part.image_url.detail
      ? { type: "image", source, detail: part.image_url.detail }
      : { type: "image", source };
  });
}

export function messageFromOpenAI(m: OpenAIMessage, i: number): ChatMessage {
  const at = `messages.${i}`;
  switch (m.role) {
    case "system":
    case "developer":
      // `developer` is the newer name of `system` for OpenAI's reasoning models.
      return { role: "system", content: joinText(m.content) };
    case "user":
      return { role: "user", content: userContent(m.content, at) };
    case "assistant": {
      const toolCalls = m.tool_calls?.map((t) => ({
        id: t.id,
        name: t.function.name,
        arguments: t.function.arguments,
      }));
      const text = joinText(m.content);
      return {
        role: "assistant",
        content: text === "" && toolCalls?.length ? null : text,
        ...(toolCalls?.length ? { toolCalls } : {}),
      };
    }
    case "tool":
      return { role: "tool", toolCallId: m.tool_call_id, content: joinText(m.content) };
  }
}

function toolChoice(c: ChatCompletionRequest["tool_choice"]): ToolChoice | undefined {
  if (c === undefined) return undefined;
  return typeof c === "string" ? c : { name: c.function.name };
}

function responseFormat(f: ChatCompletionRequest["response_format"]): ResponseFormat | undefined {
  if (!f) return undefined;
  if (f.type !== "json_schema") return { type: f.type };
  const s = f.json_schema;
  return {
    type: "json_schema",
    name: s.name,
    ...(s.schema ? { schema: s.schema } : {}),
    ...(s.strict != null ? { strict: s.strict } : {}),
    ...(s.description ? { description: s.description } : {}),
  };
}

/**
 * `reasoning_effort` as the neutral setting (each adapter takes it to its vendor's, see
 * src/chat/reasoning.ts); an OpenAI-wire vendor gets the client's body instead, field as sent. A
 * level OpenAI does not name (Groq's `default`, a newer one) still asks for reasoning: at the
 * model's default level.
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-reasoning_effort
 */
const reasoning = (effort: string): Reasoning =>
  isClientEffort(effort) ? reasoningOfEffort(effort) : { enabled: true };

/** A validated OpenAI request as the neutral request, for `upstreamModel` at the chosen vendor. */
export function chatRequestFromOpenAI(body: ChatCompletionRequest, upstreamModel: string): ChatRequest {
  const req: ChatRequest = { model: upstreamModel, messages: body.messages.map(messageFromOpenAI) };
  if (body.temperature != null) req.temperature = body.temperature;
  if (body.top_p != null) req.topP = body.top_p;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) req.maxTokens = maxTokens;
  if (body.stop != null) req.stop = typeof body.stop === "string" ? [body.stop] : body.stop;
  if (body.tools?.length) {
    req.tools = body.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      ...(t.function.parameters ? { parameters: t.function.parameters } : {}),
      ...(t.function.strict != null ? { strict: t.function.strict } : {}),
    }));
  }
  const choice = toolChoice(body.tool_choice);
  if (choice) req.toolChoice = choice;
  if (body.parallel_tool_calls !== undefined) req.parallelToolCalls = body.parallel_tool_calls;
  const format = responseFormat(body.response_format);
  if (format) req.responseFormat = format;
  if (body.user) req.user = body.user;
  if (body.seed != null) req.seed = body.seed;
  if (body.presence_penalty != null) req.presencePenalty = body.presence_penalty;
  if (body.frequency_penalty != null) req.frequencyPenalty = body.frequency_penalty;
  if (body.reasoning_effort != null) req.reasoning = reasoning(body.reasoning_effort);
  return req;
}
