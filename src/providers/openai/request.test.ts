import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../chat/types";
import { GatewayError } from "../../errors/gateway-error";
import { toOpenAIBody } from "./request";

const req = (over: Partial<ChatRequest>): ChatRequest => ({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
  ...over,
});
const opts = { maxTokensField: "max_completion_tokens" } as const;

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
