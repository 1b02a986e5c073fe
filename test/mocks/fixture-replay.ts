import { existsSync, readFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { scenarioOf, sendJson } from "./scenario.ts";

/**
 * The `fixture-<name>[~<bytes>]` scenario: the mock answers with a recorded body from
 * test/fixtures/<vendor>/ (see its README.md) instead of building one. The mocks run in Node, so
 * they read the files from disk; worker tests get the same bytes bundled by Vite
 * (test/fixtures/index.ts).
 */

/** A folder of test/fixtures/: a vendor's wire format (`openai-responses`: OpenAI's Responses API). */
type Vendor = "openai" | "anthropic" | "gemini" | "openai-responses";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

const CONTENT_TYPES: Record<string, string> = {
  ".sse": "text/event-stream",
  ".json": "application/json",
};

/**
 * `fixture-spaced~7` → `{ name: "spaced", bytes: 7 }`. Without a numeric suffix the body goes out
 * in one write; a tag after it (`fixture-spaced~7~ab12`, from helpers.ts `scenario`) only makes the
 * name unique.
 */
export function fixtureScenario(model: string | undefined): { name: string; bytes: number } | null {
  const m = /^fixture-([a-z0-9-]+)$/.exec(scenarioOf(model));
  if (!m?.[1]) return null;
  const suffix = (model ?? "").split("~")[1] ?? "";
  return { name: m[1], bytes: /^\d+$/.test(suffix) && Number(suffix) > 0 ? Number(suffix) : Infinity };
}

/**
 * Answers a fixture model and returns true, or returns false for any other model. A stream request
 * gets `<name>.sse`, or else `<name>.json` (a host that ignores `stream: true`); any other request
 * gets `<name>.json`. A missing file is a 404 in the vendor's error shape.
 */
export async function replayFixture(
  res: ServerResponse,
  vendor: Vendor,
  model: string | undefined,
  stream: boolean,
  errorBody: (status: number, message: string) => unknown,
): Promise<boolean> {
  const scenario = fixtureScenario(model);
  if (!scenario) return false;
  const file = (e: string) => join(FIXTURES, vendor, `${scenario.name}${e}`);
  const ext = (stream ? [".sse", ".json"] : [".json"]).find((e) => existsSync(file(e)));
  if (!ext) {
    sendJson(res, 404, errorBody(404, `mock: no fixture ${vendor}/${scenario.name} for this request`));
    return true;
  }
  const body = readFileSync(file(ext));
  res.writeHead(200, { "content-type": CONTENT_TYPES[ext] ?? "application/octet-stream" });
  // One write per piece, each on its own event-loop turn, so the gateway's reads see the pieces
  // (a piece may end inside a line or inside a UTF-8 character).
  for (let at = 0; at < body.length; at += scenario.bytes) {
    if (res.destroyed) return true;
    res.write(body.subarray(at, at + scenario.bytes));
    if (at + scenario.bytes < body.length) await new Promise((r) => setImmediate(r));
  }
  res.end();
  return true;
}
