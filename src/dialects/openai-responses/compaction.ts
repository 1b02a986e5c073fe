import { base64url, fromBase64url } from "../../util/encoding";

/**
 * Compaction for vendors behind the neutral model (POST /v1/responses/compact). OpenAI's
 * compaction item carries context only OpenAI can decrypt; the gateway's carries a summary the
 * target model wrote of the conversation so far, readable by any vendor the chain moves to. Its
 * `encrypted_content` is `sbc1.` + base64url of `{"summary"}`: opaque to clients, as theirs is,
 * and told apart from OpenAI's by the prefix (a dot is outside OpenAI's base64 alphabet).
 * @see https://platform.openai.com/docs/api-reference/responses/compact
 */

const PREFIX = "sbc1.";

/** What the target model is asked, after the conversation, to write the summary. */
export const COMPACTION_PROMPT =
  "Summarise the conversation so far for your own later use, so that it can continue from the summary alone. " +
  "Keep every fact, decision, file name, identifier, number and open task that matters; say what was tried and " +
  "what the user still wants. Write only the summary.";

export const compactionContent = (summary: string): string =>
  PREFIX + base64url(new TextEncoder().encode(JSON.stringify({ summary })));

/** The summary a compaction item of ours holds; null for anyone else's (OpenAI's). */
export function compactionSummary(encrypted: string): string | null {
  if (!encrypted.startsWith(PREFIX)) return null;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(fromBase64url(encrypted.slice(PREFIX.length)))) as {
      summary?: unknown;
    };
    return typeof parsed.summary === "string" ? parsed.summary : null;
  } catch {
    return null;
  }
}

/** How a summary is given back to a model: ahead of the turns that follow it. */
export const summaryMessage = (summary: string): string =>
  `The conversation so far, summarised (earlier turns were compacted):\n\n${summary}`;
