import { imageSourceToUrl } from "../../chat/image-url";
import type { ChatMessage, ChatRequest, ContentPart } from "../../chat/types";
import { invalidRequest } from "../../errors/gateway-error";
import { openaiReasoningEffort } from "./reasoning";

/**
 * The neutral request as an OpenAI Chat Completions body.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
export const toOpenAIMessages = (messages: ChatMessage[], opts: OpenAIBodyOptions) =>
  messages.map((m, i) => toOpenAIMessage(m, i, opts));

function toOpenAIMessage(m: ChatMessage, i: number, opts: OpenAIBodyOptions): Record<string, unknown> {
  switch (m.role) {
    case "system":
      return { role: "system", content: m.content };
    case "user":
      return {
        role: "user",
        content: m.content.map((p, j) => {
          if (p.type === "text") return { type: "text", text: p.text };
          if (p.type === "file") return filePart(p, `messages.${i}.content.${j}`, opts);
          return {
            type: "image_url",
            image_url: { url: imageSourceToUrl(p.source), ...(p.detail ? { detail: p.detail } : {}) },
          };
        }),
      };
    case "assistant":
      return {
        role: "assistant",
        content: m.content,
        ...(opts.replayReasoning && m.reasoning ? { reasoning_content: m.reasoning } : {}),
        ...(m.toolCalls?.length
          ? {
              tool_calls: m.toolCalls.map((t) => ({
                id: t.id,
                type: "function",
                function: { name: t.name, arguments: t.arguments },
              })),
            }
          : {}),
      };
    case "tool":
      return { role: "tool", tool_call_id: m.toolCallId, content: m.content };
  }
}

export interface OpenAIBodyOptions {
  /**
   * OpenAI deprecated `max_tokens` for `max_completion_tokens` (reasoning models refuse the old
   * name), but many compatible hosts (Ollama, vLLM, older proxies) only know `max_tokens`.
   */
  maxTokensField: "max_tokens" | "max_completion_tokens";
  /**
   * Whether the neutral reasoning setting becomes `reasoning_effort` (openaiReasoningEffort).
   * Compatible hosts each have their own switch (DeepSeek `thinking`, OpenRouter `reasoning`,
   * vLLM per chat template), and some refuse the field: there it is dropped.
   */
  reasoningEffort: boolean;
  /**
   * Whether an assistant turn's reasoning (the same host's, see ChatMessage) goes back as
   * `reasoning_content`: DeepSeek wants it back after tool calls (a 400 without it) and ignores it
   * elsewhere; OpenAI returns no reasoning text to send back.
   * @see https://api-docs.deepseek.com/guides/thinking_mode
   */
  replayReasoning: boolean;
  /**
   * Whether the vendor reads PDFs as `file` content parts. OpenAI does; compatible hosts do not
   * share it (each has its own file story, or none), so a PDF to them is refused by name.
   */
  pdfInput?: boolean;
  /** The vendor's slug, for refusals that name it. */
  vendor?: string;
}

/**
 * A PDF as Chat Completions' `file` part: base64 in a data URL, with a file name. Chat Completions
 * takes no file URLs (only the Responses API does), and the gateway fetches nothing for a client.
 * @see https://developers.openai.com/api/docs/guides/file-inputs
 */
function filePart(
  p: Extract<ContentPart, { type: "file" }>,
  param: string,
  opts: OpenAIBodyOptions,
): Record<string, unknown> {
  const vendor = opts.vendor ? `\`${opts.vendor}\`` : "this vendor";
  if (!opts.pdfInput) {
    throw invalidRequest(
      "unsupported_document",
      `PDF documents (\`document\` blocks) cannot be sent to ${vendor}: PDF input is not part of the Chat Completions API that OpenAI-compatible hosts share. Send the document's text instead, or use an \`openai\`, \`gemini\` or \`anthropic\` vendor.`,
      param,
    );
  }
  if (p.mediaType !== "application/pdf") {
    throw invalidRequest("unsupported_document", `${vendor} reads only PDF documents as files.`, param);
  }
  if (p.source.kind === "url") {
    throw invalidRequest(
      "unsupported_document",
      `${vendor} cannot fetch document URLs (Chat Completions takes PDFs only as data); send the PDF as base64.`,
      `${param}.source`,
    );
  }
  return {
    type: "file",
    file: {
      filename: p.filename || "document.pdf",
      file_data: `data:application/pdf;base64,${p.source.data}`,
    },
  };
}

export function toOpenAIBody(
  req: ChatRequest,
  stream: boolean,
  opts: OpenAIBodyOptions,
): Record<string, unknown> {
  const body: Record<string, unknown> = { model: req.model, messages: toOpenAIMessages(req.messages, opts) };
  if (stream) {
    body.stream = true;
    // Usage is always asked for: the gateway accounts for it even when the client did not ask.
    body.stream_options = { include_usage: true };
  }
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  // Chat Completions has no top-k sampling (OpenAI answers an unknown parameter with a 400 of its
  // own); refusing here names the field instead of spending a vendor round trip on it.
  // @see https://platform.openai.com/docs/api-reference/chat/create
  if (req.topK !== undefined) {
    throw invalidRequest(
      "unsupported_parameter",
      "OpenAI-wire vendors take no `top_k`; leave it out.",
      "top_k",
    );
  }
  if (req.maxTokens !== undefined) body[opts.maxTokensField] = req.maxTokens;
  if (req.stop?.length) body.stop = req.stop;
  if (req.tools?.length) {
    body.tools = req.tools.map((t) => ({
      type: "function",
      function: {
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        ...(t.parameters ? { parameters: t.parameters } : {}),
        ...(t.strict !== undefined ? { strict: t.strict } : {}),
      },
    }));
  }
  if (req.toolChoice) {
    body.tool_choice =
      typeof req.toolChoice === "string"
        ? req.toolChoice
        : { type: "function", function: { name: req.toolChoice.name } };
  }
  if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  if (req.responseFormat) {
    const f = req.responseFormat;
    body.response_format =
      f.type === "json_schema"
        ? {
            type: "json_schema",
            json_schema: {
              name: f.name,
              ...(f.schema ? { schema: f.schema } : {}),
              ...(f.strict !== undefined ? { strict: f.strict } : {}),
              ...(f.description ? { description: f.description } : {}),
            },
          }
        : { type: f.type };
  }
  if (req.user) body.user = req.user;
  if (req.seed !== undefined) body.seed = req.seed;
  if (req.presencePenalty !== undefined) body.presence_penalty = req.presencePenalty;
  if (req.frequencyPenalty !== undefined) body.frequency_penalty = req.frequencyPenalty;
  const effort = opts.reasoningEffort && req.reasoning && openaiReasoningEffort(req.model, req.reasoning);
  if (effort) body.reasoning_effort = effort;
  return body;
}
