import { estimateTextTokens } from "../../chat/tokens";
import type { EmbeddingRequest, EmbeddingResponse } from "../../chat/types";
import { GatewayError } from "../../errors/gateway-error";
import { fnv1a } from "./png";

/** The mock's vectors when `dimensions` is not given, and the longest it makes. */
export const MOCK_EMBEDDING_DIMENSIONS = 256;
const MAX_DIMENSIONS = 4096;

const refuse = (code: string, message: string, param: string) =>
  new GatewayError(400, "invalid_request_error", code, message, { param });

/**
 * A unit vector for a text, the same every time: each component drawn from a xorshift32 sequence
 * seeded by a hash of the text, then the whole scaled to length 1 and rounded to float32 (what any
 * vendor's vectors are).
 */
export function mockEmbedding(text: string, dimensions = MOCK_EMBEDDING_DIMENSIONS): Float32Array {
  let state = fnv1a(text) || 1;
  const raw = new Float64Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    const x = state / 0x80000000 - 1;
    raw[i] = x;
    norm += x * x;
  }
  const scale = 1 / Math.sqrt(norm);
  return Float32Array.from(raw, (x) => x * scale);
}

/** The offline vendor's embeddings: `mock/embed` only, texts only, tokens counted as its chat does. */
export async function mockEmbed(req: EmbeddingRequest): Promise<EmbeddingResponse> {
  if (req.model !== "embed")
    throw refuse("unsupported_model", "The mock vendor makes embeddings only with `mock/embed`.", "model");
  const dimensions = req.dimensions ?? MOCK_EMBEDDING_DIMENSIONS;
  if (dimensions > MAX_DIMENSIONS) {
    throw refuse(
      "unsupported_parameter",
      `The mock vendor makes vectors of 1 to ${MAX_DIMENSIONS} dimensions.`,
      "dimensions",
    );
  }
  const texts = req.inputs.map((input) => {
    if (typeof input !== "string")
      throw refuse("unsupported_input", "The mock vendor embeds text only, not token ids.", "input");
    return input;
  });
  return {
    model: req.model,
    vectors: texts.map((text) => mockEmbedding(text, dimensions)),
    tokens: texts.map(estimateTextTokens),
    estimated: false,
  };
}
