import type { IncomingMessage, ServerResponse } from "node:http";
import { commonScenario, requestLog, scenarioOf, sendJson } from "./scenario.ts";

/**
 * OpenAI-compatible hosts' `GET {base}/models` (OpenAI's list shape, as Groq, Ollama and vLLM
 * answer it), at `/listing/<scenario>[~tag]/v1/models`, so each vendor a test adds has its own
 * base URL. Logged under `<scenario>[~tag]`. Besides the common scenarios (`fail-500`,
 * `malformed`, `hang`, `reset`): `garbage` answers JSON that is no model list; anything else lists
 * LISTED_MODELS.
 * @see https://platform.openai.com/docs/api-reference/models/list
 */

export const LISTED_MODELS = [
  { id: "llama-3.3-70b-versatile", object: "model", created: 1733447754, owned_by: "Meta" },
  // Ollama and vLLM give no `created`, or one that is not a number.
  { id: "qwen2.5:7b", object: "model", owned_by: "library" },
];

export function handleModelList(req: IncomingMessage, res: ServerResponse, path: string): void {
  const name = decodeURIComponent(path.split("/")[2] ?? "");
  requestLog.push({ path, at: Date.now(), model: name, headers: req.headers, body: null, aborted: false });
  const scenario = scenarioOf(name);
  const errorBody = (_status: number, message: string) => ({ error: { message, type: "server_error" } });
  if (commonScenario(scenario, res, errorBody)) return;
  if (scenario === "garbage") sendJson(res, 200, { models: ["llama"] });
  else sendJson(res, 200, { object: "list", data: LISTED_MODELS });
}
