import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../chat/types";
import { GatewayError } from "../../errors/gateway-error";
import { toOpenAIBody } from "./request";

const req = (over: Partial<ChatRequest>): ChatRequest => ({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
  ...over,
});
const opts = {
  maxTokensField: "max_completion_tokens",
  reasoningEffort: true,
  replayReasoning: false,
} as const;

describe("toOpenAIBody", () => {
  it("maps the sampling parameters OpenAI has", () => {
    expect(toOpenAIBody(req({ temperature: 0.5, topP: 0.9, maxTokens: 7 }), false, opts)).toEqual({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
      temperature: 0.5,
      top_p: 0.9,
      max_completion_tokens: 7,
    });
  });

  it("refuses top_k, which Chat Completions has no counterpart for, naming it", () => {
    let caught: unknown;
    try {
      toOpenAIBody(req({ topK: 40 }), false, opts);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect(caught).toMatchObject({ status: 400, code: "unsupported_parameter", param: "top_k" });
  });
});

describe("toOpenAIBody: PDF documents", () => {
  const pdf = (
    source: { kind: "base64"; data: string } | { kind: "url"; url: string },
    filename?: string,
  ): ChatRequest =>
    req({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Summarise it." },
            { type: "file", mediaType: "application/pdf", source, ...(filename ? { filename } : {}) },
          ],
        },
      ],
    });
  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(GatewayError);
      return err as GatewayError;
    }
    throw new Error("expected a refusal");
  };

  it("sends a base64 PDF as a `file` part with a data URL and a file name", () => {
    const openai = { ...opts, pdfInput: true };
    expect(toOpenAIBody(pdf({ kind: "base64", data: "JVBERi0x" }, "q3.pdf"), false, openai).messages).toEqual(
      [
        {
          role: "user",
          content: [
            { type: "text", text: "Summarise it." },
            { type: "file", file: { filename: "q3.pdf", file_data: "data:application/pdf;base64,JVBERi0x" } },
          ],
        },
      ],
    );
    const [message] = toOpenAIBody(pdf({ kind: "base64", data: "JVBERi0x" }), false, openai).messages as {
      content: { file?: { filename: string } }[];
    }[];
    expect(message?.content[1]?.file?.filename).toBe("document.pdf");
  });

  it("refuses a PDF URL (Chat Completions takes none), and any PDF where the host takes none", () => {
    const url = refusal(() =>
      toOpenAIBody(pdf({ kind: "url", url: "https://example.com/a.pdf" }), false, {
        ...opts,
        pdfInput: true,
      }),
    );
    expect(url).toMatchObject({
      status: 400,
      code: "unsupported_document",
      param: "messages.0.content.1.source",
    });
    const compatible = refusal(() =>
      toOpenAIBody(pdf({ kind: "base64", data: "JVBERi0x" }), false, {
        maxTokensField: "max_tokens",
        reasoningEffort: false,
        replayReasoning: true,
        vendor: "groq",
      }),
    );
    expect(compatible).toMatchObject({
      status: 400,
      code: "unsupported_document",
      param: "messages.0.content.1",
    });
    expect(compatible.message).toContain("`groq`");
    expect(compatible.message).toContain("`document`");
  });
});

describe("toOpenAIBody reasoning", () => {
  const compat = { maxTokensField: "max_tokens", reasoningEffort: false, replayReasoning: true } as const;
  const history = (model: string): ChatRequest =>
    req({
      model,
      messages: [
        { role: "user", content: [{ type: "text", text: "weather?" }] },
        {
          role: "assistant",
          content: null,
          toolCalls: [{ id: "c1", name: "get_weather", arguments: "{}" }],
          reasoning: "Call the tool.",
        },
        { role: "tool", toolCallId: "c1", content: "sunny" },
      ],
      reasoning: { enabled: true, budgetTokens: 10_000 },
    });

  it("sends OpenAI's reasoning models reasoning_effort, and no reasoning text back", () => {
    const body = toOpenAIBody(history("o4-mini"), false, opts);
    expect(body.reasoning_effort).toBe("medium");
    expect((body.messages as Record<string, unknown>[])[1]).not.toHaveProperty("reasoning_content");
    expect(toOpenAIBody(history("gpt-4o-mini"), false, opts)).not.toHaveProperty("reasoning_effort");
  });

  it("sends a compatible host its own reasoning back as reasoning_content, and no reasoning_effort", () => {
    const body = toOpenAIBody(history("deepseek-reasoner"), false, compat);
    expect(body).not.toHaveProperty("reasoning_effort");
    expect((body.messages as Record<string, unknown>[])[1]).toEqual({
      role: "assistant",
      content: null,
      reasoning_content: "Call the tool.",
      tool_calls: [{ id: "c1", type: "function", function: { name: "get_weather", arguments: "{}" } }],
    });
  });
});
