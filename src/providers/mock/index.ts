import { streamOf } from "../../chat/event-stream";
import type { StreamEvent } from "../../chat/types";
import { GatewayError } from "../../errors/gateway-error";
import { base64 } from "../../util/encoding";
import type { Provider } from "../types";
import { mockAnswer, splitForStream } from "./answer";
import { mockEmbed } from "./embeddings";
import { fnv1a, mockPng } from "./png";

/**
 * The offline vendor (ENABLE_MOCK_VENDOR): answers in-process, with no network and no key, so
 * the quick start, demos and tests work without a provider account.
 */
export const mockProvider: Provider = {
  kind: "mock",
  requiresApiKey: false,
  async chat(req) {
    return mockAnswer(req);
  },
  async stream(req) {
    const answer = mockAnswer(req);
    const events: StreamEvent[] = [{ type: "start", model: answer.model }];
    for (const piece of splitForStream(answer.reasoning ?? ""))
      events.push({ type: "reasoning", text: piece });
    for (const piece of splitForStream(answer.content ?? "")) events.push({ type: "text", text: piece });
    answer.toolCalls.forEach((t, index) => {
      events.push({ type: "tool_call", index, id: t.id, name: t.name, argumentsDelta: "" });
      events.push({ type: "tool_call", index, argumentsDelta: t.arguments });
    });
    events.push(
      { type: "finish", finishReason: answer.finishReason },
      { type: "usage", usage: answer.usage },
    );
    return streamOf(events);
  },
  async images(req) {
    if (req.model !== "image") {
      throw new GatewayError(
        400,
        "invalid_request_error",
        "unsupported_model",
        "The mock vendor makes images only with `mock/image`.",
        {
          param: "model",
        },
      );
    }
    const images = await Promise.all(
      Array.from({ length: req.n }, async (_, i) => {
        const png = await mockPng(fnv1a(`${req.prompt}#${i}`));
        return { b64: base64(png), mediaType: "image/png" };
      }),
    );
    return {
      model: req.model,
      images,
      usage: { inputTokens: Math.ceil(req.prompt.length / 4), outputTokens: 0 },
    };
  },
  embed: mockEmbed,
};
