import { base64ByteLength } from "../util/encoding";
import type { ChatMessage, ContentPart } from "./types";

/**
 * A cheap token estimate (about four characters a token for English text, a flat cost per image
 * and per message, PDFs by size). Good enough to trim history to a context window; never used for billing,
 * which takes the vendor's own counts.
 */
const CHARS_PER_TOKEN = 4;
const PER_MESSAGE = 4;
const PER_IMAGE = 765; // OpenAI's cost of a 1024px high-detail image; a safe middle for others
/**
 * PDFs cost their text plus an image per page (Anthropic says 1,500 to 3,000 tokens a page);
 * with no page count at hand, about a token per 20 bytes, and one page for a URL never fetched.
 * @see https://platform.claude.com/docs/en/build-with-claude/pdf-support#estimate-your-costs
 */
const BYTES_PER_DOCUMENT_TOKEN = 20;
const PER_DOCUMENT_PAGE = 1500;

function partTokens(p: ContentPart): number {
  if (p.type === "text") return estimateTextTokens(p.text);
  if (p.type === "image") return PER_IMAGE;
  if (p.source.kind === "url") return PER_DOCUMENT_PAGE;
  return Math.max(PER_DOCUMENT_PAGE, Math.ceil(base64ByteLength(p.source.data) / BYTES_PER_DOCUMENT_TOKEN));
}

export const estimateTextTokens = (text: string): number => Math.ceil(text.length / CHARS_PER_TOKEN);

/** An embedding input's tokens: token ids are counted exactly, texts estimated. */
export const estimateEmbeddingTokens = (input: string | readonly number[]): number =>
  typeof input === "string" ? estimateTextTokens(input) : input.length;

export function estimateMessageTokens(m: ChatMessage): number {
  switch (m.role) {
    case "user":
      return PER_MESSAGE + m.content.reduce((n, p) => n + partTokens(p), 0);
    case "assistant":
      return (
        PER_MESSAGE +
        estimateTextTokens(m.content ?? "") +
        (m.toolCalls ?? []).reduce((n, t) => n + estimateTextTokens(t.name + t.arguments), 0)
      );
    default:
      return PER_MESSAGE + estimateTextTokens(m.content);
  }
}

export const estimatePromptTokens = (messages: ChatMessage[]): number =>
  messages.reduce((n, m) => n + estimateMessageTokens(m), 0);

/**
 * A vendor's token count for a whole batch, shared out over its items in proportion to their
 * estimated sizes (`weights`), in whole tokens that add up to `total` exactly (largest remainder).
 */
export function apportionTokens(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((n, w) => n + w, 0);
  if (weights.length === 0) return [];
  const exact = weights.map((w) => (sum > 0 ? (total * w) / sum : total / weights.length));
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((n, s) => n + s, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    shares[i] = (shares[i] as number) + 1;
    left -= 1;
  }
  return shares;
}
