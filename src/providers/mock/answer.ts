import { estimatePromptTokens, estimateTextTokens } from "../../chat/tokens";
import type { ChatRequest, ChatResponse, ToolCall } from "../../chat/types";
import { base64ByteLength } from "../../util/encoding";
import { fnv1a } from "./png";

/**
 * The offline mock vendor's answers, deterministic for a given request:
 * - `echo`: the last user message's text;
 * - a PDF in the last user message: said first, with its size (`[PDF "a.pdf", 1234 bytes]`), so
 *   offline tests and demos see that it arrived;
 * - any other model: a few sentences chosen by a hash of the conversation;
 * - with tools and `tool_choice` "required" or a named tool: a call of that tool;
 * - after a tool result: a sentence quoting it;
 * - JSON modes: the text wrapped as `{"answer": ...}`;
 * - with reasoning on: a thought first, naming the level and the budget it was given (or
 *   "adaptive") and how many of the history's turns carried reasoning back (so tests can see
 *   which setting reached the vendor, and thinking kept or dropped).
 * `max_tokens` truncates (finish `length`), `stop` cuts at the first stop sequence.
 */

const SENTENCES = [
  "Switchboard is answering from its offline mock vendor.",
  "No provider account is needed to try conversations, streaming and usage.",
  "Every answer is deterministic, so tests and demos repeat exactly.",
  "Point a model config at a real vendor when you are ready.",
  "Streaming splits this text into several chunks.",
  "Token counts are estimated at about four characters each.",
];

function lastUserText(req: ChatRequest): string {
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const m = req.messages[i];
    if (m?.role === "user") return m.content.map((p) => (p.type === "text" ? p.text : "")).join("");
  }
  return "";
}

/** The last user message's documents, as the mock names them. */
function documents(req: ChatRequest): string[] {
  const last = req.messages.findLast((m) => m.role === "user");
  if (last?.role !== "user") return [];
  return last.content.flatMap((p) => {
    if (p.type !== "file") return [];
    const name = p.filename ? ` "${p.filename}"` : "";
    return p.source.kind === "base64"
      ? [`[PDF${name}, ${base64ByteLength(p.source.data)} bytes]`]
      : [`[PDF${name} at ${p.source.url}, not fetched]`];
  });
}

function toolCall(req: ChatRequest): ToolCall | null {
  const tools = req.tools ?? [];
  const last = req.messages[req.messages.length - 1];
  if (!tools.length || last?.role !== "user") return null;
  const choice = req.toolChoice;
  const name = typeof choice === "object" ? choice.name : choice === "required" ? tools[0]?.name : undefined;
  if (!name) return null;
  return {
    id: `call_mock_${fnv1a(name + lastUserText(req)).toString(36)}`,
    name,
    arguments: JSON.stringify({ input: lastUserText(req) }),
  };
}

function text(req: ChatRequest): string {
  const last = req.messages[req.messages.length - 1];
  if (last?.role === "tool") return `The tool returned: ${last.content}`;
  const docs = documents(req);
  if (req.model === "echo") return [...docs, lastUserText(req)].filter((t) => t !== "").join(" ");
  const seed = fnv1a(JSON.stringify(req.messages));
  const count = 3 + (seed % 3);
  const said = Array.from({ length: count }, (_, i) => SENTENCES[(seed + i) % SENTENCES.length]);
  return [...docs, ...said].join(" ");
}

function reasoning(req: ChatRequest): string | undefined {
  if (!req.reasoning?.enabled) return undefined;
  const { budgetTokens, effort } = req.reasoning;
  const setting = [
    ...(effort ? [`effort ${effort}`] : []),
    ...(budgetTokens !== undefined ? [`budget ${budgetTokens}`] : []),
  ];
  const recalled = req.messages.filter((m) => m.role === "assistant" && m.reasoning).length;
  return (
    `Thinking about "${lastUserText(req)}" ` +
    `(${setting.length ? setting.join(", ") : "adaptive"}, ${recalled} earlier thought(s) recalled).`
  );
}

export function mockAnswer(req: ChatRequest): ChatResponse {
  const thought = reasoning(req);
  const usage = (out: string) => ({
    inputTokens: estimatePromptTokens(req.messages),
    outputTokens: estimateTextTokens(out) + (thought ? estimateTextTokens(thought) : 0),
  });
  const withThought = thought ? { reasoning: thought } : {};
  const call = toolCall(req);
  if (call) {
    return {
      model: req.model,
      content: null,
      toolCalls: [call],
      ...withThought,
      finishReason: "tool_calls",
      usage: usage(call.arguments),
    };
  }
  let content = text(req);
  if (req.responseFormat && req.responseFormat.type !== "text") content = JSON.stringify({ answer: content });
  let finishReason: ChatResponse["finishReason"] = "stop";
  for (const stop of req.stop ?? []) {
    const at = stop ? content.indexOf(stop) : -1;
    if (at >= 0) content = content.slice(0, at);
  }
  if (req.maxTokens !== undefined && estimateTextTokens(content) > req.maxTokens) {
    content = content.slice(0, req.maxTokens * 4);
    finishReason = "length";
  }
  return { model: req.model, content, toolCalls: [], ...withThought, finishReason, usage: usage(content) };
}

/** Splits text into word-aligned pieces of roughly `size` characters, for streaming. */
export function splitForStream(text: string, size = 24): string[] {
  const pieces: string[] = [];
  let current = "";
  for (const word of text.split(/(?<=\s)/)) {
    current += word;
    if (current.length >= size) {
      pieces.push(current);
      current = "";
    }
  }
  if (current) pieces.push(current);
  return pieces;
}
