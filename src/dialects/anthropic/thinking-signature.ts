import { base64url, fromBase64url } from "../../util/encoding";

/**
 * The `signature` of a thinking block the gateway made from another vendor's reasoning (Gemini's
 * thought summaries, a compatible host's `reasoning_content`). Anthropic signs its own thinking
 * blocks and clients must send them back unchanged (Claude Code does, in every later request);
 * ours names the vendor and model that reasoned, so a block sent back can be replayed to exactly
 * that vendor and model, and kept from every other: from Anthropic above all, which refuses a
 * signature it did not make.
 *
 * `sb1.` + base64url of `{"vendor":…,"model":…}`. The dot is outside Anthropic's base64 alphabet,
 * so no Anthropic signature reads as ours. It is a label, not a seal: a forged one only gets the
 * client's own text to the vendor as reasoning, which it could as well have sent as text.
 * @see https://platform.claude.com/docs/en/build-with-claude/extended-thinking#thinking-encryption
 */

export interface ThinkingOrigin {
  /** The vendor's slug. */
  vendor: string;
  /** The upstream model, as the gateway resolved it (not as the vendor reported it). */
  model: string;
}

const PREFIX = "sb1.";

export const gatewaySignature = (origin: ThinkingOrigin): string =>
  PREFIX +
  base64url(new TextEncoder().encode(JSON.stringify({ vendor: origin.vendor, model: origin.model })));

/** The origin a gateway signature names, or null for any other signature (Anthropic's, a garbled one). */
export function signatureOrigin(signature: string): ThinkingOrigin | null {
  if (!signature.startsWith(PREFIX)) return null;
  try {
    const parsed: unknown = JSON.parse(
      new TextDecoder().decode(fromBase64url(signature.slice(PREFIX.length))),
    );
    if (typeof parsed !== "object" || parsed === null) return null;
    const { vendor, model } = parsed as Record<string, unknown>;
    return typeof vendor === "string" && typeof model === "string" ? { vendor, model } : null;
  } catch {
    return null;
  }
}

/** Whether a history block is a thinking block the gateway signed (its origin may be any vendor). */
const isGatewayThinking = (block: unknown): boolean => {
  if (typeof block !== "object" || block === null) return false;
  const b = block as { type?: unknown; signature?: unknown };
  return b.type === "thinking" && typeof b.signature === "string" && b.signature.startsWith(PREFIX);
};

/**
 * The client's body for an `anthropic` vendor, without the thinking blocks the gateway signed
 * (another vendor's reasoning, from before the client switched to Claude). Any other body is
 * returned as it is, the same object, so the ordinary passthrough stays faithful; redacted and
 * Anthropic-signed blocks are never touched. An assistant turn left empty is dropped: Anthropic
 * refuses empty content, and joins the consecutive user turns that may leave.
 */
export function withoutGatewayThinking(body: Record<string, unknown>): Record<string, unknown> {
  const messages = body.messages;
  if (!Array.isArray(messages)) return body;
  const blocksOf = (m: unknown): unknown[] | undefined => {
    const content = (m as { content?: unknown } | null)?.content;
    return Array.isArray(content) ? content : undefined;
  };
  if (!messages.some((m) => blocksOf(m)?.some(isGatewayThinking))) return body;
  const kept = messages.flatMap((m: unknown) => {
    const blocks = blocksOf(m);
    if (!blocks?.some(isGatewayThinking)) return [m];
    const rest = blocks.filter((b) => !isGatewayThinking(b));
    return rest.length ? [{ ...(m as object), content: rest }] : [];
  });
  return { ...body, messages: kept };
}
