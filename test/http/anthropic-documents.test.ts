import { env, exports } from "cloudflare:workers";
import Anthropic from "@anthropic-ai/sdk";
import type { MessageParam } from "@anthropic-ai/sdk/resources/messages";
import { beforeAll, describe, expect, it } from "vitest";
import { configureVendorKeys, createUser, post, scenario } from "../helpers";

/**
 * PDF `document` blocks and beta body fields on POST /v1/messages, for vendors the gateway
 * translates for, driven by the official Anthropic SDK: what each vendor's mock received, and the
 * refusals in Anthropic's envelope that the SDK raises as `BadRequestError`.
 */

let key: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
  // An OpenAI-compatible host, which takes no PDFs.
  const local = await post("/v1/vendors", {
    slug: "local-docs",
    kind: "openai-compatible",
    base_url: `${env.MOCK_UPSTREAM_URL}/compat/v1`,
  });
  expect(local.status, local.text).toBe(201);
});

const workerFetch = (i: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(i, init));
const client = () => new Anthropic({ apiKey: key, baseURL: "http://w", fetch: workerFetch, maxRetries: 0 });

const PDF_BYTES = new TextEncoder().encode("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");
const PDF_B64 = btoa(String.fromCharCode(...PDF_BYTES));

const ask = (document: Record<string, unknown>, question = "Summarise it."): MessageParam[] => [
  {
    role: "user",
    content: [document as never, { type: "text", text: question }],
  },
];
const pdfDoc = (extra: Record<string, unknown> = {}) => ({
  type: "document",
  source: { type: "base64", media_type: "application/pdf", data: PDF_B64 },
  ...extra,
});

/** What the mock upstream recorded for a model name (test/mocks/upstream-server.ts). */
async function upstreamLog(model: string) {
  const res = await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(model)}`);
  return (await res.json()) as { path: string; headers: Record<string, string>; body: any }[];
}

const textOf = (m: Anthropic.Message) => m.content.map((b) => (b.type === "text" ? b.text : "")).join("");

/** The SDK's error for a call expected to be refused, and the message in Anthropic's envelope. */
async function refused(call: Promise<unknown>) {
  const err = await call.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Anthropic.BadRequestError);
  const e = err as InstanceType<typeof Anthropic.BadRequestError>;
  const body = e.error as { type: string; error: { type: string; message: string }; request_id: string };
  expect(body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  expect(body.request_id).toEqual(expect.any(String));
  return body.error.message;
}

describe("PDF documents", () => {
  it("reach Gemini as inline data, before the question", async () => {
    const model = scenario("inspect");
    const res = await client().messages.create({
      model: `gemini/${model}`,
      max_tokens: 256,
      messages: ask(pdfDoc({ title: "notes.pdf" })),
    });
    expect(res.type).toBe("message");
    const [seen] = await upstreamLog(model);
    expect(seen?.body.contents).toEqual([
      {
        role: "user",
        parts: [{ inlineData: { mimeType: "application/pdf", data: PDF_B64 } }, { text: "Summarise it." }],
      },
    ]);
  });

  it("reach OpenAI as a `file` part with a data URL and the title as its file name, streamed too", async () => {
    const model = scenario("inspect");
    const final = await client()
      .messages.stream({
        model: `openai/${model}`,
        max_tokens: 256,
        messages: ask(pdfDoc({ title: "notes.pdf", context: "From the Q3 review." })),
      })
      .finalMessage();
    expect(final.stop_reason).toBe("end_turn");
    const [seen] = await upstreamLog(model);
    expect(seen?.body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "From the Q3 review." },
          {
            type: "file",
            file: { filename: "notes.pdf", file_data: `data:application/pdf;base64,${PDF_B64}` },
          },
          { type: "text", text: "Summarise it." },
        ],
      },
    ]);
  });

  it("are acknowledged by the mock vendor with their size, so offline demos show them arriving", async () => {
    const res = await client().messages.create({
      model: "mock/echo",
      max_tokens: 256,
      messages: ask(pdfDoc({ title: "notes.pdf" }), "What is in it?"),
    });
    expect(textOf(res)).toBe(`[PDF "notes.pdf", ${PDF_BYTES.length} bytes] What is in it?`);
    const count = await client().messages.countTokens({ model: "mock/echo", messages: ask(pdfDoc()) });
    expect(count.input_tokens).toBeGreaterThan(1000); // a page's worth, at the least
  });

  it("as plain text reach any vendor as text, the title leading", async () => {
    const model = scenario("inspect");
    await client().messages.create({
      model: `openai/${model}`,
      max_tokens: 64,
      messages: ask({
        type: "document",
        title: "Memo",
        source: { type: "text", media_type: "text/plain", data: "Ship it." },
      }),
    });
    const [seen] = await upstreamLog(model);
    expect(seen?.body.messages[0].content[0]).toEqual({ type: "text", text: "Memo\n\nShip it." });
  });

  it("are refused for an openai-compatible host, naming the block and the vendor, before any upstream call", async () => {
    const model = scenario("inspect");
    const message = await refused(
      client().messages.create({ model: `local-docs/${model}`, max_tokens: 64, messages: ask(pdfDoc()) }),
    );
    expect(message).toContain("`document`");
    expect(message).toContain("`local-docs`");
    expect(await upstreamLog(model)).toEqual([]);
  });

  it("are refused by name from the Files API, with citations, or as a URL to a vendor that needs the bytes", async () => {
    const files = await refused(
      client().messages.create({
        model: "gemini/gemini-2.5-flash",
        max_tokens: 64,
        messages: ask({
          type: "document",
          source: { type: "file", file_id: "file_011CNha8iCJcU1wXNR6q4V8w" },
        }),
      }),
    );
    expect(files).toContain("Files API");
    const citations = await refused(
      client().messages.create({
        model: "openai/gpt-4o-mini",
        max_tokens: 64,
        messages: ask(pdfDoc({ citations: { enabled: true } })),
      }),
    );
    expect(citations).toContain("Citations");
    const url = await refused(
      client().messages.create({
        model: "gemini/gemini-2.5-flash",
        max_tokens: 64,
        messages: ask({ type: "document", source: { type: "url", url: "https://example.com/report.pdf" } }),
      }),
    );
    expect(url).toContain("base64");
  });

  it("go to an anthropic vendor as sent, citations and all", async () => {
    const model = scenario("inspect");
    const messages = ask(pdfDoc({ citations: { enabled: true }, title: "notes.pdf" }));
    const res = await client().messages.create({ model: `anthropic/${model}`, max_tokens: 64, messages });
    expect(JSON.parse(textOf(res)).body.messages).toEqual(messages);
  });
});

describe("beta body fields", () => {
  const contextManagement = { edits: [{ type: "clear_tool_uses_20250919" as const }] };

  it("are dropped together with their beta for a translated vendor", async () => {
    const model = scenario("inspect");
    const res = await client().beta.messages.create({
      model: `openai/${model}`,
      max_tokens: 64,
      messages: [{ role: "user", content: "hi" }],
      betas: ["context-management-2025-06-27", "interleaved-thinking-2025-05-14"],
      context_management: contextManagement,
    });
    expect(res.type).toBe("message");
    const [seen] = await upstreamLog(model);
    expect(seen?.path).toBe("/openai/v1/chat/completions");
    expect(seen?.body).not.toHaveProperty("context_management");
    expect(JSON.stringify(seen?.body)).not.toContain("clear_tool_uses");
    expect(seen?.headers).not.toHaveProperty("anthropic-beta");
  });

  it("are refused without their beta, naming the field and the beta", async () => {
    const message = await refused(
      client().beta.messages.create({
        model: "gemini/gemini-2.5-flash",
        max_tokens: 64,
        messages: [{ role: "user", content: "hi" }],
        betas: ["interleaved-thinking-2025-05-14"],
        context_management: contextManagement,
      }),
    );
    expect(message).toContain("`context_management`");
    expect(message).toContain("context-management-2025-06-27");
  });

  it("stay with the body for an anthropic vendor, the beta header beside them", async () => {
    const model = scenario("inspect");
    const res = await client().beta.messages.create({
      model: `anthropic/${model}`,
      max_tokens: 64,
      messages: [{ role: "user", content: "hi" }],
      betas: ["context-management-2025-06-27"],
      context_management: contextManagement,
    });
    const seen = JSON.parse(res.content.map((b) => (b.type === "text" ? b.text : "")).join(""));
    expect(seen.body.context_management).toEqual(contextManagement);
    expect(seen.headers["anthropic-beta"]).toBe("context-management-2025-06-27");
  });

  it("and other fields translation would lose are refused by name", async () => {
    const message = await refused(
      client().messages.create({
        model: "mock/echo",
        max_tokens: 64,
        messages: [{ role: "user", content: "hi" }],
        inference_geo: "eu",
      }),
    );
    expect(message).toContain("`inference_geo`");
  });
});
