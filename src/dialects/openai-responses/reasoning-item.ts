import type { ResponseReasoningItem } from "openai/resources/responses/responses";
import { base64url, fromBase64url } from "../../util/encoding";

/**
 * A vendor's reasoning as a Responses `reasoning` item, and back. The summary holds the reasoning's
 * text as the vendor gave it (one `summary_text` part); `encrypted_content`, which clients keep
 * and send back with the item (Codex does, with `store: false`), holds where it came from and the
 * vendor's own seal over it (Anthropic's thinking signature), so the item goes back to exactly the
 * vendor and model that reasoned, as OpenAI's encrypted reasoning does, and to no other.
 *
 * `sbr1.` + base64url of `{"vendor":…,"model":…,"signature"?:…}`. OpenAI's encrypted content is
 * base64url without dots, so none reads as ours. Like the Anthropic dialect's thinking signature
 * (src/dialects/anthropic/thinking-signature.ts) it is a label, not a seal: a forged one only gets
 * the client's own text to the vendor as reasoning, and a forged vendor signature is refused by
 * the vendor that checks it.
 * @see https://platform.openai.com/docs/guides/reasoning
 */

export interface ReasoningOrigin {
  /** The vendor's slug. */
  vendor: string;
  /** The upstream model, as the gateway resolved it. */
  model: string;
}

export interface SealedReasoning extends ReasoningOrigin {
  /** The vendor's signature over the reasoning, when it gave one. */
  signature?: string;
}

const PREFIX = "sbr1.";

export function encryptedReasoning(origin: ReasoningOrigin, signature: string | undefined): string {
  const sealed: SealedReasoning = {
    vendor: origin.vendor,
    model: origin.model,
    ...(signature ? { signature } : {}),
  };
  return PREFIX + base64url(new TextEncoder().encode(JSON.stringify(sealed)));
}

/** What an item's `encrypted_content` says, or null when it is not ours (OpenAI's, garbled). */
export function readEncryptedReasoning(encrypted: string | null | undefined): SealedReasoning | null {
  if (!encrypted?.startsWith(PREFIX)) return null;
  try {
    const parsed: unknown = JSON.parse(
      new TextDecoder().decode(fromBase64url(encrypted.slice(PREFIX.length))),
    );
    if (typeof parsed !== "object" || parsed === null) return null;
    const { vendor, model, signature } = parsed as Record<string, unknown>;
    if (typeof vendor !== "string" || typeof model !== "string") return null;
    if (signature !== undefined && typeof signature !== "string") return null;
    return { vendor, model, ...(signature ? { signature } : {}) };
  } catch {
    return null;
  }
}

/**
 * A reasoning item; a text of null (or "") has no summary part yet. `encrypted` is left out when
 * the plan named no origin (the client then cannot send the reasoning back).
 */
export function reasoningItem(
  id: string,
  text: string | null,
  status: "in_progress" | "completed" | "incomplete",
  encrypted?: string,
): ResponseReasoningItem {
  return {
    id,
    type: "reasoning",
    summary: text ? [{ type: "summary_text", text }] : [],
    ...(encrypted ? { encrypted_content: encrypted } : {}),
    status,
  };
}
