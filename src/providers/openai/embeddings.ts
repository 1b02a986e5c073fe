import { z } from "zod";
import { apportionTokens, estimateEmbeddingTokens } from "../../chat/tokens";
import type { EmbeddingRequest, EmbeddingResponse } from "../../chat/types";
import { float32FromBase64 } from "../../util/encoding";
import { malformed, postUpstream, readJson } from "../http";
import type { UpstreamContext } from "../types";
import { openaiErrorMessage } from "./errors";

/**
 * How the vendor is asked to send vectors. `base64` is OpenAI's exact float32 bytes in a quarter
 * of the JSON and no number parsing; `float` is what every compatible host understands (not all
 * implement base64). Either answer is read, so a host that ignores the ask still works.
 */
export type EmbeddingWireFormat = "base64" | "float";

/** Compatible hosts (Ollama, vLLM) may leave out usage: the counts are then estimated. */
const EmbeddingsSchema = z.object({
  data: z.array(z.object({ index: z.int().min(0), embedding: z.union([z.array(z.number()), z.string()]) })),
  model: z.string().nullish(),
  usage: z.object({ prompt_tokens: z.int().min(0) }).nullish(),
});

/**
 * POST {base}/embeddings with the client's body as it is (its other fields included), the model,
 * the inputs and the wire format swapped in. The answer's `data` is put back in input order by
 * `index`, whatever order the vendor sent it in.
 * @see https://platform.openai.com/docs/api-reference/embeddings/create
 */
export async function openaiEmbed(
  req: EmbeddingRequest,
  ctx: UpstreamContext,
  authHeaders: Record<string, string>,
  format: EmbeddingWireFormat,
): Promise<EmbeddingResponse> {
  const body: Record<string, unknown> = {
    ...req.extra,
    model: req.model,
    input: req.inputs,
    encoding_format: format,
  };
  if (req.dimensions !== undefined) body.dimensions = req.dimensions;
  if (req.user !== undefined) body.user = req.user;
  const vendor = ctx.vendor.slug;
  const res = await postUpstream({
    url: `${ctx.vendor.baseUrl}/embeddings`,
    headers: authHeaders,
    body: JSON.stringify(body),
    signal: ctx.signal,
    vendor,
    errorMessage: openaiErrorMessage,
  });
  const parsed = EmbeddingsSchema.safeParse(await readJson(vendor, res, ctx.signal));
  if (!parsed.success) throw malformed(vendor);
  const { data, model, usage } = parsed.data;
  const vectors: Float32Array[] = new Array(req.inputs.length);
  for (const item of data) {
    const vector =
      typeof item.embedding === "string"
        ? float32FromBase64(item.embedding)
        : Float32Array.from(item.embedding);
    if (!vector || vector.length === 0) throw malformed(vendor, "an embedding it could not read");
    if (item.index >= vectors.length || vectors[item.index]) throw mismatch(vendor);
    vectors[item.index] = vector;
  }
  if (data.length !== req.inputs.length) throw mismatch(vendor);
  const estimates = req.inputs.map(estimateEmbeddingTokens);
  return {
    model: model ?? req.model,
    vectors,
    tokens: usage ? apportionTokens(usage.prompt_tokens, estimates) : estimates,
    estimated: !usage,
  };
}

const mismatch = (vendor: string) => malformed(vendor, "embeddings that do not match the inputs");
