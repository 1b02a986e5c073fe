import { describe, expect, it } from "vitest";
import { GatewayError } from "../../errors/gateway-error";
import { MessagesRequestSchema } from "./schema";
import { messagesToNeutral } from "./to-neutral";

/** A user turn holding `blocks`, through the schema and the translation, as the route runs them. */
const parts = (...blocks: unknown[]) =>
  messagesToNeutral(
    MessagesRequestSchema.parse({
      model: "gemini/gemini-2.5-flash",
      max_tokens: 64,
      messages: [{ role: "user", content: blocks }],
    }),
    "gemini-2.5-flash",
    "gemini",
  ).messages.flatMap((m) => (m.role === "user" ? m.content : []));

function refusal(...blocks: unknown[]) {
  try {
    parts(...blocks);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    const e = err as GatewayError;
    return { status: e.status, code: e.code, param: e.param };
  }
  throw new Error("expected a refusal");
}

const PDF = { type: "base64", media_type: "application/pdf", data: "JVBERi0x\nLjQK" };
const doc = (source: unknown, extra: Record<string, unknown> = {}) => ({
  type: "document",
  source,
  ...extra,
});

describe("document blocks, translated", () => {
  it("makes a base64 PDF a file part, its title the file name and its context a text part before it", () => {
    expect(parts(doc(PDF), { type: "text", text: "Summarise it." })).toEqual([
      { type: "file", mediaType: "application/pdf", source: { kind: "base64", data: "JVBERi0xLjQK" } },
      { type: "text", text: "Summarise it." },
    ]);
    expect(
      parts(doc(PDF, { title: "report.pdf", context: "Q3 figures", cache_control: { type: "ephemeral" } })),
    ).toEqual([
      { type: "text", text: "Q3 figures" },
      {
        type: "file",
        mediaType: "application/pdf",
        source: { kind: "base64", data: "JVBERi0xLjQK" },
        filename: "report.pdf",
      },
    ]);
  });

  it("keeps an https PDF URL for the adapter to send or refuse, and refuses any other URL", () => {
    expect(parts(doc({ type: "url", url: "https://example.com/a.pdf" }))).toEqual([
      {
        type: "file",
        mediaType: "application/pdf",
        source: { kind: "url", url: "https://example.com/a.pdf" },
      },
    ]);
    expect(refusal(doc({ type: "url", url: "http://intranet/a.pdf" }))).toEqual({
      status: 400,
      code: "invalid_document_url",
      param: "messages.0.content.0.source.url",
    });
  });

  it("makes plain text and content sources text (and image) parts, the title leading", () => {
    expect(parts(doc({ type: "text", media_type: "text/plain", data: "The grass is green." }))).toEqual([
      { type: "text", text: "The grass is green." },
    ]);
    expect(
      parts(
        doc(
          { type: "text", media_type: "text/plain", data: "Body." },
          { title: "Notes", context: "From 2024" },
        ),
      ),
    ).toEqual([{ type: "text", text: "Notes\n\nFrom 2024\n\nBody." }]);
    const png = { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" };
    expect(
      parts(
        doc(
          {
            type: "content",
            content: [
              { type: "text", text: "First chunk." },
              { type: "image", source: png },
            ],
          },
          { title: "Slides" },
        ),
      ),
    ).toEqual([
      { type: "text", text: "Slides" },
      { type: "text", text: "First chunk." },
      { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } },
    ]);
    expect(parts(doc({ type: "content", content: "Just a string." }))).toEqual([
      { type: "text", text: "Just a string." },
    ]);
  });

  it("refuses by name what only Anthropic has: Files API documents, citations, unknown sources", () => {
    expect(refusal(doc({ type: "file", file_id: "file_011" }))).toEqual({
      status: 400,
      code: "unsupported_document",
      param: "messages.0.content.0.source",
    });
    expect(refusal(doc(PDF, { citations: { enabled: true } }))).toEqual({
      status: 400,
      code: "unsupported_citations",
      param: "messages.0.content.0.citations",
    });
    expect(parts(doc(PDF, { citations: { enabled: false } }))).toHaveLength(1);
    expect(refusal(doc({ type: "hologram", data: "x" }))).toEqual({
      status: 400,
      code: "unsupported_document",
      param: "messages.0.content.0.source.type",
    });
  });

  it("is validated by the schema: a PDF without data or of another type names its field", () => {
    const at = (source: unknown) =>
      MessagesRequestSchema.safeParse({
        model: "m",
        max_tokens: 1,
        messages: [{ role: "user", content: [doc(source)] }],
      }).error?.issues.map((i) => i.path.join("."));
    expect(at({ type: "base64", media_type: "application/pdf" })).toEqual([
      "messages.0.content.0.source.data",
    ]);
    expect(at({ type: "base64", media_type: "image/png", data: "x" })).toEqual([
      "messages.0.content.0.source.media_type",
    ]);
    // A source type it does not model passes (an `anthropic` vendor gets it as sent).
    expect(at({ type: "hologram" })).toBeUndefined();
  });
});
