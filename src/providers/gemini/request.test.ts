import { describe, expect, it } from "vitest";
import type { ChatMessage, ChatRequest } from "../../chat/types";
import { GatewayError } from "../../errors/gateway-error";
import { toGeminiBody } from "./request";

const body = (messages: ChatMessage[], extra: Partial<ChatRequest> = {}) =>
  toGeminiBody({ model: "gemini-2.5-flash", messages, ...extra });
const user = (text: string): ChatMessage => ({ role: "user", content: [{ type: "text", text }] });
const call = (id: string, name: string, args = "{}") => ({ id, name, arguments: args });

function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    const e = err as GatewayError;
    return { status: e.status, code: e.code, param: e.param };
  }
  throw new Error("expected a refusal");
}

describe("toGeminiBody", () => {
  it("drops empty text and the turns it leaves empty (Gemini refuses empty parts)", () => {
    expect(body([user(""), { role: "assistant", content: "" }, user("hi")]).contents).toEqual([
      { role: "user", parts: [{ text: "hi" }] },
    ]);
  });

  it("keeps an assistant's text before its calls, signing only the first call of the turn", () => {
    const out = body([
      user("go"),
      { role: "assistant", content: "Checking.", toolCalls: [call("a", "f", '{"x":1}'), call("b", "g", "")] },
    ]);
    expect(out.contents).toEqual([
      { role: "user", parts: [{ text: "go" }] },
      {
        role: "model",
        parts: [
          { text: "Checking." },
          {
            functionCall: { name: "f", args: { x: 1 } },
            thoughtSignature: "skip_thought_signature_validator",
          },
          { functionCall: { name: "g", args: {} } },
        ],
      },
    ]);
  });

  it("names a tool result after the latest call with its id, wrapping non-object results", () => {
    const out = body([
      user("go"),
      { role: "assistant", content: null, toolCalls: [call("call_0", "first")] },
      { role: "tool", toolCallId: "call_0", content: "[1,2]" },
      { role: "assistant", content: null, toolCalls: [call("call_0", "second")] },
      { role: "tool", toolCallId: "call_0", content: '{"ok":true}' },
    ]);
    expect(out.contents).toMatchObject([
      {},
      {},
      { role: "user", parts: [{ functionResponse: { name: "first", response: { content: "[1,2]" } } }] },
      {},
      { role: "user", parts: [{ functionResponse: { name: "second", response: { ok: true } } }] },
    ]);
  });

  it("refuses call arguments that are not a JSON object, and results for unknown calls", () => {
    expect(
      refusal(() =>
        body([user("go"), { role: "assistant", content: null, toolCalls: [call("a", "f", "[1]")] }]),
      ),
    ).toEqual({
      status: 400,
      code: "invalid_tool_arguments",
      param: "messages.1.tool_calls.0.function.arguments",
    });
    expect(refusal(() => body([user("go"), { role: "tool", toolCallId: "zz", content: "x" }]))).toEqual({
      status: 400,
      code: "unknown_tool_call_id",
      param: "messages.1.tool_call_id",
    });
  });

  it("refuses image URLs and unsupported image types, naming the part", () => {
    const image = (source: ChatMessage & { role: "user" }) => refusal(() => body([source]));
    expect(
      image({
        role: "user",
        content: [
          { type: "text", text: "a" },
          { type: "image", source: { kind: "url", url: "https://x/y.png" } },
        ],
      }),
    ).toEqual({ status: 400, code: "unsupported_image", param: "messages.0.content.1.image_url.url" });
    expect(
      image({
        role: "user",
        content: [{ type: "image", source: { kind: "base64", mediaType: "image/gif", data: "R0l=" } }],
      }),
    ).toMatchObject({ code: "unsupported_image" });
  });

  it("leaves tool_choice out without tools, and the schema out when none is given", () => {
    const out = body([user("hi")], {
      toolChoice: "required",
      responseFormat: { type: "json_schema", name: "x" },
      parallelToolCalls: false,
      user: "u1",
    });
    expect(out).toEqual({
      contents: [{ role: "user", parts: [{ text: "hi" }] }],
      generationConfig: { responseMimeType: "application/json" },
    });
  });

  it("maps the sampling parameters, top_k included, into generationConfig", () => {
    expect(body([user("hi")], { temperature: 0.2, topP: 0.8, topK: 40 }).generationConfig).toEqual({
      temperature: 0.2,
      topP: 0.8,
      topK: 40,
    });
  });

  it("asks for thinking in generationConfig, and sends no reasoning back from the history", () => {
    const out = body(
      [
        user("a"),
        { role: "assistant", content: "b", reasoning: "Gemini keeps this in its signatures." },
        user("c"),
      ],
      { reasoning: { enabled: true, budgetTokens: 2048 } },
    );
    expect(out.generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 2048, includeThoughts: true } });
    expect(out.contents).toEqual([
      { role: "user", parts: [{ text: "a" }] },
      { role: "model", parts: [{ text: "b" }] },
      { role: "user", parts: [{ text: "c" }] },
    ]);
    expect(body([user("a")], { reasoning: { enabled: false } }).generationConfig).toEqual({
      thinkingConfig: { thinkingBudget: 0 },
    });
  });
});

describe("toGeminiBody: PDF documents", () => {
  const pdf = (source: { kind: "base64"; data: string } | { kind: "url"; url: string }): ChatMessage => ({
    role: "user",
    content: [
      { type: "file", mediaType: "application/pdf", source, filename: "report.pdf" },
      { type: "text", text: "Summarise it." },
    ],
  });

  it("sends a base64 PDF as inline data, before the question it came with", () => {
    expect(body([pdf({ kind: "base64", data: "JVBERi0xLjQK" })]).contents).toEqual([
      {
        role: "user",
        parts: [
          { inlineData: { mimeType: "application/pdf", data: "JVBERi0xLjQK" } },
          { text: "Summarise it." },
        ],
      },
    ]);
  });

  it("refuses a PDF URL (Gemini fetches none here), naming the part", () => {
    expect(refusal(() => body([user("hi"), pdf({ kind: "url", url: "https://example.com/a.pdf" })]))).toEqual(
      {
        status: 400,
        code: "unsupported_document",
        param: "messages.1.content.0.source",
      },
    );
  });
});
