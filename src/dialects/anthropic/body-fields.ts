import type { ResponseFormat } from "../../chat/types";
import { invalidRequest } from "../../errors/gateway-error";

/**
 * The top-level fields of a Messages request, for vendors behind the neutral model. Every field
 * is translated, accepted with a reason, dropped with the beta it belongs to, or refused by name:
 * none is ignored unseen (the schema is loose, so an unknown field would otherwise vanish).
 */

/** Read by to-neutral.ts. */
const TRANSLATED = new Set([
  "model",
  "messages",
  "system",
  "tools",
  "tool_choice",
  "max_tokens",
  "stop_sequences",
  "stream",
  "temperature",
  "top_p",
  "top_k",
  "metadata", // `user_id` as the end-user id; other keys are the client's own labels
  "thinking",
  "output_config",
]);

/**
 * Anthropic's own switches that have no counterpart elsewhere and whose absence changes nothing
 * the client gets from another vendor: accepted and left out.
 * @see https://platform.claude.com/docs/en/api/messages
 */
const ACCEPTED = new Set([
  "service_tier", // which Anthropic capacity serves the call
  "speed", // Anthropic's fast mode, a capacity choice too
  "cache_control", // where Anthropic puts a cache breakpoint; other vendors cache on their own
  "diagnostics", // asks Anthropic to explain prompt-cache misses in its answer
]);

/**
 * Body fields Anthropic takes only with a beta turned on in `anthropic-beta`: those in the SDK's
 * beta `MessageCreateParams` and not in its GA ones (@anthropic-ai/sdk 1.14). A beta is matched
 * by its name without the date, so a newer release of one beta (`mcp-client-2025-11-20`) turns on
 * the same field. Header-only betas (`interleaved-thinking-…`, `fine-grained-tool-streaming-…`)
 * need nothing here: the header never goes to another vendor anyway.
 * @see https://platform.claude.com/docs/en/api/beta-headers
 */
export const BETA_FIELDS: Readonly<Record<string, string>> = {
  context_management: "context-management-2025-06-27",
  mcp_servers: "mcp-client-2025-04-04",
  compaction: "compact-2026-01-12",
  fallbacks: "server-side-fallback-2026-06-01",
  fallback_credit_token: "fallback-credit-2026-07-01",
  thread: "message-threads-2026-08-12",
  // Older spelling of `output_config.format`; translated, not dropped (see responseFormatOf).
  output_format: "structured-outputs-2025-11-13",
};

const family = (beta: string) => beta.replace(/-\d{4}-\d{2}-\d{2}$/, "");

const ONLY_ANTHROPIC = "can only be sent to `anthropic` vendors";

/**
 * Refuses, naming it, a top-level field translation would lose: a beta field without its beta
 * (Anthropic refuses it too), or one with no counterpart at all. A beta field with its beta is
 * dropped together with the beta (the beta's feature runs only at Anthropic), but for
 * `output_format`, which responseFormatOf translates.
 */
export function checkBodyFields(body: Record<string, unknown>, betaHeader: string | undefined): void {
  const betas = new Set(
    (betaHeader ?? "")
      .split(",")
      .map((b) => b.trim())
      .filter((b) => b !== "")
      .map(family),
  );
  for (const [field, value] of Object.entries(body)) {
    // `null` is how Anthropic's SDKs say "none" for these fields.
    if (value == null || TRANSLATED.has(field) || ACCEPTED.has(field)) continue;
    const beta = Object.hasOwn(BETA_FIELDS, field) ? BETA_FIELDS[field] : undefined;
    if (beta === undefined) {
      throw invalidRequest(
        "unsupported_parameter",
        `\`${field}\` has no counterpart at vendors the gateway translates for: it ${ONLY_ANTHROPIC}.`,
        field,
      );
    }
    if (!betas.has(family(beta))) {
      throw invalidRequest(
        "missing_beta",
        `\`${field}\` needs the beta \`${beta}\` in the \`anthropic-beta\` header; without it Anthropic refuses the field too.`,
        field,
      );
    }
  }
}

/**
 * Structured output (`output_config.format`, or the beta's older `output_format`) as the neutral
 * JSON-schema response format. Strict, as Anthropic's is: the answer follows the schema.
 * @see https://platform.claude.com/docs/en/build-with-claude/structured-outputs
 */
export function responseFormatOf(body: Record<string, unknown>): ResponseFormat | undefined {
  const config = body.output_config;
  const nested = isObject(config) && config.format != null;
  const format = nested ? config.format : body.output_format;
  if (format == null) return undefined;
  const param = nested ? "output_config.format" : "output_format";
  if (!isObject(format) || format.type !== "json_schema" || !isObject(format.schema)) {
    throw invalidRequest(
      "invalid_output_format",
      'An output format must be `{"type": "json_schema", "schema": {...}}`.',
      param,
    );
  }
  return { type: "json_schema", name: "output", schema: format.schema, strict: true };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
