import { z } from "zod";
import { malformed, postUpstream, readJson } from "../http";
import type { UpstreamContext } from "../types";
import { openaiErrorMessage } from "./errors";
import { authHeaders } from "./index";

/** A model a host says it serves; `created` is its Unix seconds where it gives them. */
export interface ServedModel {
  id: string;
  created?: number;
}

/** The most ids kept of one host's list (OpenRouter lists a few hundred). */
const MAX_MODELS = 1000;

/**
 * OpenAI's list shape, which compatible hosts (Groq, Mistral, Ollama, vLLM, OpenRouter) answer
 * too; fields the gateway does not read are ignored, ids it cannot send (empty, huge) dropped.
 * @see https://platform.openai.com/docs/api-reference/models/list
 */
const ModelListSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      created: z.number().int().nonnegative().optional().catch(undefined),
    }),
  ),
});

/** `GET {base}/models`: the ids an OpenAI-wire host serves. */
export async function listOpenAIModels(ctx: UpstreamContext): Promise<ServedModel[]> {
  const res = await postUpstream({
    method: "GET",
    url: `${ctx.vendor.baseUrl}/models`,
    headers: authHeaders(ctx),
    signal: ctx.signal,
    vendor: ctx.vendor.slug,
    errorMessage: openaiErrorMessage,
  });
  const parsed = ModelListSchema.safeParse(await readJson(ctx.vendor.slug, res, ctx.signal));
  if (!parsed.success) throw malformed(ctx.vendor.slug, "a model list it could not read");
  return parsed.data.data
    .filter((m) => m.id.length > 0 && m.id.length <= 256)
    .slice(0, MAX_MODELS)
    .map((m) => (m.created === undefined ? { id: m.id } : { id: m.id, created: m.created }));
}
