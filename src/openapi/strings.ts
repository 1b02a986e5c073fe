import { z } from "@hono/zod-openapi";

/**
 * Strings a client names things by: ids, model strings, aliases, vendor slugs. They end up in
 * response headers (`x-switchboard-model`), cache and rate-limit keys and log lines, where a
 * control character is a 500 (`Invalid header value`) or a forged line, so they are refused at
 * validation with a 400 naming the field. C0 (U+0000–U+001F, tab and newline included), DEL and
 * C1 (U+007F–U+009F): no id or model name of any vendor uses one.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

export const CONTROL_CHARACTER_MESSAGE = "must not contain control characters (U+0000–U+001F, U+007F–U+009F)";

export const hasNoControlCharacters = (s: string): boolean => !CONTROL_CHARACTER.test(s);

/**
 * A string without control characters, checked before any `.trim()` chained after it (so a
 * trailing newline is refused, not silently cut). Chain bounds and docs as with `z.string()`.
 */
export const identifier = () => z.string().refine(hasNoControlCharacters, CONTROL_CHARACTER_MESSAGE);

/** A `model` a client sends to a resource or a chat turn: `vendor/model` or a model-config alias. */
export const ModelStringSchema = identifier()
  .trim()
  .min(1)
  .max(200)
  .openapi({ example: "openai/gpt-4o-mini", description: "`vendor/model` or a model-config alias." });
