import { parseImageUrl } from "../chat/image-url";
import type { ChatMessage, ContentPart } from "../chat/types";
import type { MessageRow, StoredContentPart } from "../db/schema";
import { invalidRequest } from "../errors/gateway-error";

/**
 * Message content in its two forms: stored (OpenAI content parts, the shape the messages API
 * returns) and sent (the neutral model's parts, which every adapter converts from).
 */

/** What a client may send: plain text, or OpenAI content parts. */
export type NewContent = string | StoredContentPart[];

export interface UserContent {
  stored: StoredContentPart[];
  parts: ContentPart[];
  hasImages: boolean;
}

/**
 * What one stored message may weigh: D1 refuses a row over 2,000,000 bytes, so a larger message
 * (big data-URL images, mostly) is refused up front rather than failing to store after the call.
 * @see https://developers.cloudflare.com/d1/platform/limits/
 */
export const MAX_STORED_CONTENT_BYTES = 1_900_000;

/** A new message's content; image URLs are checked here (https or base64 data URLs only). */
export function readUserContent(content: NewContent): UserContent {
  const stored: StoredContentPart[] =
    typeof content === "string" ? [{ type: "text", text: content }] : content;
  if (new TextEncoder().encode(JSON.stringify(stored)).byteLength > MAX_STORED_CONTENT_BYTES) {
    throw invalidRequest(
      "content_too_large",
      `A message is stored with its conversation, so it can be at most ${MAX_STORED_CONTENT_BYTES} bytes; link large images by https URL.`,
      "content",
      413,
    );
  }
  const parts = stored.map((p, i): ContentPart => {
    if (p.type === "text") return { type: "text", text: p.text };
    const source = parseImageUrl(p.image_url.url, `content.${i}.image_url.url`);
    return p.image_url.detail
      ? { type: "image", source, detail: p.image_url.detail }
      : { type: "image", source };
  });
  return { stored, parts, hasImages: parts.some((p) => p.type === "image") };
}

const textOf = (content: StoredContentPart[]): string =>
  content.map((p) => (p.type === "text" ? p.text : "")).join("");

/** Stands in for a stored image when the model cannot see images, so the turn keeps its place. */
export const IMAGE_PLACEHOLDER = "[image]";

function storedImage(p: Extract<StoredContentPart, { type: "image_url" }>, vision: boolean): ContentPart {
  if (vision) {
    try {
      const source = parseImageUrl(p.image_url.url, "history");
      return p.image_url.detail
        ? { type: "image", source, detail: p.image_url.detail }
        : { type: "image", source };
    } catch {
      // Stored before today's rules (or written around the API): replayed as a mention, not a failure.
    }
  }
  return { type: "text", text: IMAGE_PLACEHOLDER };
}

/**
 * A stored message as the neutral model sees it. Stored tool results carry no tool-call id (the
 * table has no column for one), and every vendor refuses a `tool` message that answers no call,
 * so they are replayed as user text: the model still reads the result, and the conversation
 * stays sendable.
 */
export function storedToChatMessage(
  m: Pick<MessageRow, "role" | "content">,
  opts: { vision: boolean },
): ChatMessage {
  switch (m.role) {
    case "user":
      return {
        role: "user",
        content: m.content.map((p) => (p.type === "text" ? p : storedImage(p, opts.vision))),
      };
    case "assistant":
      return { role: "assistant", content: textOf(m.content) };
    case "system":
      return { role: "system", content: textOf(m.content) };
    case "tool":
      return { role: "user", content: [{ type: "text", text: `Tool result: ${textOf(m.content)}` }] };
  }
}

const TITLE_CHARS = 80;

/** A title from a message's text: whitespace collapsed, at most 80 characters; undefined if none. */
export function titleFrom(content: StoredContentPart[]): string | undefined {
  const text = content
    .map((p) => (p.type === "text" ? p.text : ""))
    .join(" ")
    .replace(/\s+/g, " ")
    .trim();
  if (!text) return undefined;
  // By code point, so an emoji is never cut in half.
  return Array.from(text).slice(0, TITLE_CHARS).join("").trimEnd();
}
