import { z } from "zod";
import { estimateTextTokens } from "../../chat/tokens";
import type { EmbeddingInputType, EmbeddingRequest, EmbeddingResponse } from "../../chat/types";
import { invalidRequest } from "../../errors/gateway-error";
import { malformed, readJson } from "../http";
import type { UpstreamContext } from "../types";

export type GeminiEmbedSend = (
  model: string,
  method: "batchEmbedContents",
  body: Record<string, unknown>,
  ctx: UpstreamContext,
) => Promise<Response>;

/** @see https://ai.google.dev/api/embeddings#tasktype */
const TASK_TYPES: Record<EmbeddingInputType, string> = {
  query: "RETRIEVAL_QUERY",
  document: "RETRIEVAL_DOCUMENT",
  semantic_similarity: "SEMANTIC_SIMILARITY",
  classification: "CLASSIFICATION",
  clustering: "CLUSTERING",
  code_retrieval_query: "CODE_RETRIEVAL_QUERY",
  question_answering: "QUESTION_ANSWERING",
  fact_verification: "FACT_VERIFICATION",
};

/** Google refuses a batch of more: "at most 100 requests can be in one batch". */
const MAX_BATCH = 100;

/** @see https://ai.google.dev/api/embeddings#method:-models.batchembedcontents */
const BatchEmbedResponseSchema = z.object({
  embeddings: z.array(z.object({ values: z.array(z.number()) })),
});

/**
 * Gemini's batchEmbedContents: every input in one request (one per 100, sent together, past
 * that), each naming the model as `models/<m>`, with `taskType` and `outputDimensionality` when
 * asked. Google counts no tokens for embeddings, so they are estimated.
 */
export async function geminiEmbed(
  req: EmbeddingRequest,
  ctx: UpstreamContext,
  send: GeminiEmbedSend,
): Promise<EmbeddingResponse> {
  const texts = req.inputs.map((input) => {
    // The plan refuses token ids before any call (Provider.embedsTokenIds); this keeps the adapter honest.
    if (typeof input !== "string") {
      throw invalidRequest("unsupported_input", "Gemini embeds text only, not token ids.", "input");
    }
    return input;
  });
  const model = `models/${req.model.replace(/^models\//, "")}`;
  const taskType = req.inputType ? TASK_TYPES[req.inputType] : undefined;
  const request = (text: string) => ({
    model,
    content: { parts: [{ text }] },
    ...(taskType ? { taskType } : {}),
    ...(req.dimensions !== undefined ? { outputDimensionality: req.dimensions } : {}),
  });
  const batches: string[][] = [];
  for (let i = 0; i < texts.length; i += MAX_BATCH) batches.push(texts.slice(i, i + MAX_BATCH));
  const vendor = ctx.vendor.slug;
  const answers = await Promise.all(
    batches.map(async (batch) => {
      const res = await send(req.model, "batchEmbedContents", { requests: batch.map(request) }, ctx);
      const parsed = BatchEmbedResponseSchema.safeParse(await readJson(vendor, res, ctx.signal));
      if (!parsed.success) throw malformed(vendor);
      // Google answers in the order of the requests, with no index to check them by.
      if (parsed.data.embeddings.length !== batch.length) {
        throw malformed(vendor, "embeddings that do not match the inputs");
      }
      return parsed.data.embeddings.map((e) => Float32Array.from(e.values));
    }),
  );
  return {
    model: req.model,
    vectors: answers.flat(),
    tokens: texts.map(estimateTextTokens),
    estimated: true,
  };
}
