import { fileDataUrl, httpsFileUrl } from "../../chat/file-source";
import { parseImageUrl } from "../../chat/image-url";
import type { ChatMessage, ContentPart, ToolCall } from "../../chat/types";
import { invalidRequest } from "../../errors/gateway-error";
import { compactionSummary, summaryMessage } from "./compaction";
import { freeformCallArguments } from "./freeform-tools";
import { type ReasoningOrigin, readEncryptedReasoning } from "./reasoning-item";
import {
  type InputItem,
  isKnownItem,
  isKnownPart,
  type KnownContentPart,
  type KnownInputItem,
  type MessageItem,
  type ContentPart as Part,
} from "./schema";

/**
 * A Responses request's `input` as neutral messages, in order. Items become messages as Chat
 * Completions would have them: a message item is a message (`developer` is `system`), function
 * and freeform calls join the assistant message before them (or start one), and each call's
 * output is a `tool` message. Refused by name, never dropped: what only OpenAI can read
 * (`compaction` items, built-in tool calls), what needs stored responses (`item_reference`),
 * Files API images and files (`file_id`), and for now images in tool outputs. Dropped on
 * purpose: `reasoning` items but those this gateway made for the very vendor and model asked now
 * (reasoning-item.ts: their summary is the reasoning, their seal the vendor's signature, on the
 * assistant message they came before), as only the vendor and model that reasoned can read them;
 * and `output_text` annotations (links OpenAI attached to its answer; the text is kept).
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses_create-input
 */

const ONLY_OPENAI = "can only be sent to `openai` vendors";

type Item<T extends KnownInputItem["type"]> = Extract<KnownInputItem, { type: T }>;
type PartOf<T extends KnownContentPart["type"]> = Extract<KnownContentPart, { type: T }>;

function refusePart(part: Part, param: string): never {
  throw invalidRequest("unsupported_content", `\`${part.type}\` parts ${ONLY_OPENAI} for now.`, param);
}

function image(part: PartOf<"input_image">, param: string): ContentPart {
  if (part.image_url == null) {
    throw invalidRequest(
      "unsupported_image",
      `Images from OpenAI's Files API (\`file_id\`) ${ONLY_OPENAI}; send them as an \`image_url\` (https or data URL).`,
      `${param}.file_id`,
    );
  }
  const source = parseImageUrl(part.image_url, `${param}.image_url`);
  // `original` (no downscaling) has no neutral counterpart; `high` is the nearest.
  const detail = part.detail === "original" ? "high" : part.detail;
  return detail ? { type: "image", source, detail } : { type: "image", source };
}

/**
 * An `input_file` part as a neutral file part: `file_data` (a base64 data URL) or `file_url` (an
 * https URL, for vendors that fetch); each vendor takes what it can (PDFs: OpenAI, Gemini,
 * Anthropic) and refuses the rest by name. `file_id` is OpenAI's Files API, which only it reads.
 */
function inputFile(part: PartOf<"input_file">, param: string): ContentPart {
  if (part.file_id) {
    throw invalidRequest(
      "unsupported_content",
      `Files from OpenAI's Files API (\`file_id\`) ${ONLY_OPENAI}; send \`file_data\` instead.`,
      `${param}.file_id`,
    );
  }
  const filename = part.filename ? { filename: part.filename } : {};
  if (part.file_data)
    return { type: "file", ...fileDataUrl(part.file_data, `${param}.file_data`), ...filename };
  if (part.file_url) {
    return {
      type: "file",
      mediaType: "application/pdf",
      source: httpsFileUrl(part.file_url, `${param}.file_url`),
      ...filename,
    };
  }
  throw invalidRequest("invalid_content", "An `input_file` part needs `file_data` or `file_url`.", param);
}

function userContent(content: MessageItem["content"], at: string): ContentPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return content.map((part, j): ContentPart => {
    const param = `${at}.content.${j}`;
    if (!isKnownPart(part)) refusePart(part, param);
    switch (part.type) {
      case "input_text":
        return { type: "text", text: part.text };
      case "input_image":
        return image(part, param);
      case "input_file":
        return inputFile(part, param);
      default:
        throw invalidRequest(
          "invalid_content",
          `\`${part.type}\` parts belong in assistant messages.`,
          param,
        );
    }
  });
}

/** An assistant's words: its text parts in order, and what it refused, which it also said. */
function assistantText(content: MessageItem["content"], at: string): string {
  if (typeof content === "string") return content;
  return content
    .map((part, j) => {
      const param = `${at}.content.${j}`;
      if (!isKnownPart(part)) refusePart(part, param);
      switch (part.type) {
        case "output_text":
        case "input_text":
          return part.text;
        case "refusal":
          return part.refusal;
        default:
          throw invalidRequest("invalid_content", `\`${part.type}\` parts belong in user messages.`, param);
      }
    })
    .join("");
}

function systemText(content: MessageItem["content"], at: string): string {
  if (typeof content === "string") return content;
  return content
    .map((part, j) => {
      if (isKnownPart(part) && part.type === "input_text") return part.text;
      throw invalidRequest(
        "invalid_content",
        "System and developer messages take only `input_text` parts.",
        `${at}.content.${j}`,
      );
    })
    .join("");
}

/** A call's output as neutral text. Images and files in outputs have no neutral place (yet). */
function outputText(output: string | Part[], at: string): string {
  if (typeof output === "string") return output;
  return output
    .map((part, j) => {
      const param = `${at}.output.${j}`;
      if (isKnownPart(part) && part.type === "input_text") return part.text;
      if (part.type === "input_image" || part.type === "input_file") {
        throw invalidRequest(
          "unsupported_content",
          `\`${part.type}\` parts in tool outputs ${ONLY_OPENAI} for now.`,
          param,
        );
      }
      return refusePart(part, param);
    })
    .join("");
}

/** What the items so far make, and the reasoning waiting for the assistant message it came before. */
interface Built {
  out: ChatMessage[];
  target: ReasoningOrigin | undefined;
  reasoning?: { text: string; signature?: string } | undefined;
}

type Assistant = Extract<ChatMessage, { role: "assistant" }>;

/** An assistant message, carrying the reasoning that came before it. */
function pushAssistant(b: Built, m: Assistant): void {
  const r = b.reasoning;
  b.reasoning = undefined;
  b.out.push({
    ...m,
    ...(r?.text ? { reasoning: r.text } : {}),
    ...(r?.signature ? { reasoningSignature: r.signature } : {}),
  });
}

/**
 * A call joins the assistant message just before it (its words, or calls made alongside), unless
 * reasoning came between: then the model thought again, and a new assistant message starts.
 */
function pushCall(b: Built, call: ToolCall): void {
  const last = b.out.at(-1);
  if (last?.role === "assistant" && !b.reasoning) last.toolCalls = [...(last.toolCalls ?? []), call];
  else pushAssistant(b, { role: "assistant", content: null, toolCalls: [call] });
}

/**
 * A reasoning item the gateway made for `target`'s vendor and model: its summary waits for the
 * next assistant message. Consecutive ones join (the seal of the last one counts).
 */
function reasoningItem(b: Built, it: Item<"reasoning">): void {
  const sealed = readEncryptedReasoning(it.encrypted_content);
  if (!sealed || !b.target || sealed.vendor !== b.target.vendor || sealed.model !== b.target.model) return;
  const text = it.summary.map((p) => p.text).join("\n\n");
  if (!text && !sealed.signature) return;
  const before = b.reasoning;
  b.reasoning = {
    text: before?.text && text ? `${before.text}\n\n${text}` : before?.text || text,
    ...(sealed.signature ? { signature: sealed.signature } : {}),
  };
}

function message(b: Built, m: MessageItem, at: string): void {
  switch (m.role) {
    case "system":
    case "developer":
      // `developer` is the newer name of `system` for OpenAI's reasoning models.
      b.out.push({ role: "system", content: systemText(m.content, at) });
      return;
    case "user": {
      const content = userContent(m.content, at);
      if (content.length) b.out.push({ role: "user", content });
      return;
    }
    case "assistant": {
      const text = assistantText(m.content, at);
      // An assistant message that said nothing says nothing to another vendor either.
      if (text !== "") pushAssistant(b, { role: "assistant", content: text });
    }
  }
}

function callId(item: Item<"function_call_output">, at: string): string {
  if (item.call_id) return item.call_id;
  throw invalidRequest(
    "invalid_item",
    "A `function_call_output` needs the `call_id` of its call.",
    `${at}.call_id`,
  );
}

function refuseItem(item: InputItem, at: string): never {
  if (item.type == null) {
    if ("id" in item) throw itemReference(at);
    throw invalidRequest("invalid_item", "An input item needs a `type` (or a `role`, for a message).", at);
  }
  if (item.type === "item_reference") throw itemReference(at);
  if (item.type === "compaction") {
    throw invalidRequest(
      "unsupported_item",
      `\`compaction\` items hold context only OpenAI can read: they ${ONLY_OPENAI} for now.`,
      at,
    );
  }
  throw invalidRequest("unsupported_item", `\`${item.type}\` items ${ONLY_OPENAI}.`, at);
}

const itemReference = (at: string) =>
  invalidRequest(
    "unsupported_item",
    `\`item_reference\` items point at stored responses, which other vendors cannot see: they ${ONLY_OPENAI} for now; send the item itself.`,
    at,
  );

function item(b: Built, it: InputItem, at: string): void {
  if (!isKnownItem(it)) refuseItem(it, at);
  const out = b.out;
  switch (it.type) {
    case undefined:
    case "message":
      message(b, it, at);
      return;
    case "function_call":
      if (it.namespace) {
        throw invalidRequest(
          "unsupported_item",
          `Calls of \`namespace\` tools ${ONLY_OPENAI}.`,
          `${at}.namespace`,
        );
      }
      pushCall(b, { id: it.call_id, name: it.name, arguments: it.arguments });
      return;
    case "custom_tool_call":
      pushCall(b, { id: it.call_id, name: it.name, arguments: freeformCallArguments(it.input) });
      return;
    case "function_call_output":
      out.push({ role: "tool", toolCallId: callId(it, at), content: outputText(it.output, at) });
      return;
    case "custom_tool_call_output":
      out.push({ role: "tool", toolCallId: it.call_id, content: outputText(it.output, at) });
      return;
    case "compaction": {
      // The gateway's own compaction (POST /v1/responses/compact) is a summary any model reads.
      const summary = compactionSummary(it.encrypted_content);
      if (summary === null) refuseItem(it, at);
      out.push({ role: "system", content: summaryMessage(summary) });
      return;
    }
    case "reasoning":
      // Encrypted reasoning is only valid at the vendor and model that made it; OpenAI's summary
      // is its digest of that, not something the model said. Neither means anything elsewhere:
      // only the gateway's own items, for the vendor and model asked now, are kept.
      reasoningItem(b, it);
      return;
    default:
      refuseItem(it, at);
  }
}

/**
 * `input` as neutral messages; `at` names the field in refusals, `target` the vendor and model the
 * request goes to (without it, no reasoning item is kept).
 */
export function inputToMessages(
  input: string | InputItem[] | undefined,
  at = "input",
  target?: ReasoningOrigin,
): ChatMessage[] {
  if (input === undefined) return [];
  if (typeof input === "string") return [{ role: "user", content: [{ type: "text", text: input }] }];
  const b: Built = { out: [], target };
  for (const [i, it] of input.entries()) item(b, it, `${at}.${i}`);
  return b.out;
}
