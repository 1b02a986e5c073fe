import { describe, expect, it } from "vitest";
import { GatewayError } from "../../errors/gateway-error";
import { inputToMessages } from "./input-items";
import { encryptedReasoning } from "./reasoning-item";
import { ResponsesRequestSchema } from "./schema";

/** Items go through the schema first, as the route validates them. */
const messages = (...items: unknown[]) =>
  inputToMessages(ResponsesRequestSchema.parse({ model: "m", input: items }).input);
const user = (content: unknown) => ({ type: "message", role: "user", content });
const said = (text: string) => ({
  type: "message",
  role: "assistant",
  content: [{ type: "output_text", text, annotations: [] }],
});
const call = (call_id: string, name = "get_weather", args = "{}") => ({
  type: "function_call",
  call_id,
  name,
  arguments: args,
});
const output = (call_id: string, out: unknown) => ({ type: "function_call_output", call_id, output: out });
const text = (t: string) => ({ type: "text", text: t });
const PNG = "data:image/png;base64,iVBORw0KGgo=";

function refusal(...items: unknown[]) {
  try {
    messages(...items);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    const e = err as GatewayError;
    return { status: e.status, code: e.code, param: e.param, message: e.message };
  }
  throw new Error("expected a refusal");
}

describe("inputToMessages", () => {
  it("makes a string input one user message, and no input none", () => {
    expect(inputToMessages("hi")).toEqual([{ role: "user", content: [text("hi")] }]);
    expect(inputToMessages(undefined)).toEqual([]);
  });

  it("maps messages with and without `type`, developer and system as system", () => {
    expect(
      messages(
        { role: "developer", content: "Use French." },
        {
          type: "message",
          role: "system",
          content: [
            { type: "input_text", text: "Be " },
            { type: "input_text", text: "brief." },
          ],
        },
        { role: "user", content: "Bonjour" },
        { role: "assistant", content: "Salut !" },
      ),
    ).toEqual([
      { role: "system", content: "Use French." },
      { role: "system", content: "Be brief." },
      { role: "user", content: [text("Bonjour")] },
      { role: "assistant", content: "Salut !" },
    ]);
  });

  it("takes text and images, URL and data URL, with their detail", () => {
    expect(
      messages(
        user([
          { type: "input_text", text: "What is this?" },
          { type: "input_image", image_url: "https://example.com/cat.jpg", detail: "low" },
          { type: "input_image", image_url: PNG },
          // `original` (no downscaling) is the nearest neutral `high`.
          { type: "input_image", image_url: PNG, detail: "original" },
        ]),
      ),
    ).toEqual([
      {
        role: "user",
        content: [
          text("What is this?"),
          {
            type: "image",
            // Where the client put it, for a refusal when the gateway must fetch it.
            source: { kind: "url", url: "https://example.com/cat.jpg", param: "input.0.content.1.image_url" },
            detail: "low",
          },
          { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } },
          {
            type: "image",
            source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" },
            detail: "high",
          },
        ],
      },
    ]);
  });

  it("joins an assistant's text parts and refusals, annotations dropped, and skips what said nothing", () => {
    expect(
      messages(
        {
          type: "message",
          role: "assistant",
          id: "msg_1",
          status: "completed",
          content: [
            { type: "output_text", text: "See ", annotations: [{ type: "url_citation", url: "https://x" }] },
            { type: "output_text", text: "the docs. " },
            { type: "refusal", refusal: "I can't share that." },
          ],
        },
        { role: "assistant", content: "" },
        { role: "assistant", content: [] },
        user([]),
      ),
    ).toEqual([{ role: "assistant", content: "See the docs. I can't share that." }]);
  });

  it("puts consecutive calls in one assistant message with the words before them, ids from call_id", () => {
    expect(
      messages(
        user("Weather in Zürich and Bern?"),
        {
          type: "reasoning",
          id: "rs_1",
          summary: [{ type: "summary_text", text: "Two calls." }],
          encrypted_content: "gAAA",
        },
        said("Checking."),
        call("call_1", "get_weather", '{"city":"Zürich"}'),
        call("call_2", "get_weather", '{"city":"Bern"}'),
        output("call_1", "12°C"),
        output("call_2", [
          { type: "input_text", text: "Service " },
          { type: "input_text", text: "down." },
        ]),
        call("call_3", "get_weather", '{"city":"Genf"}'),
        output("call_3", ""),
      ),
    ).toEqual([
      { role: "user", content: [text("Weather in Zürich and Bern?")] },
      {
        role: "assistant",
        content: "Checking.",
        toolCalls: [
          { id: "call_1", name: "get_weather", arguments: '{"city":"Zürich"}' },
          { id: "call_2", name: "get_weather", arguments: '{"city":"Bern"}' },
        ],
      },
      { role: "tool", toolCallId: "call_1", content: "12°C" },
      { role: "tool", toolCallId: "call_2", content: "Service down." },
      {
        role: "assistant",
        content: null,
        toolCalls: [{ id: "call_3", name: "get_weather", arguments: '{"city":"Genf"}' }],
      },
      { role: "tool", toolCallId: "call_3", content: "" },
    ]);
  });

  it("makes freeform calls calls of a one-argument function, their outputs tool messages", () => {
    expect(
      messages(
        {
          type: "custom_tool_call",
          status: "completed",
          call_id: "call_p",
          name: "apply_patch",
          input: "*** Begin Patch\n*** End Patch\n",
        },
        { type: "custom_tool_call_output", call_id: "call_p", output: "Success." },
      ),
    ).toEqual([
      {
        role: "assistant",
        content: null,
        toolCalls: [
          { id: "call_p", name: "apply_patch", arguments: '{"input":"*** Begin Patch\\n*** End Patch\\n"}' },
        ],
      },
      { role: "tool", toolCallId: "call_p", content: "Success." },
    ]);
  });

  it("drops reasoning items, with or without an id (Codex sends none)", () => {
    expect(
      messages(
        user("a"),
        { type: "reasoning", summary: [], content: null, encrypted_content: "gAAA" },
        { type: "reasoning", id: "rs_2", summary: [{ type: "summary_text", text: "x" }] },
        said("b"),
      ),
    ).toEqual([
      { role: "user", content: [text("a")] },
      { role: "assistant", content: "b" },
    ]);
  });

  it("keeps the gateway's reasoning items for the vendor and model asked, on the assistant message after them", () => {
    const target = { vendor: "anthropic", model: "claude-sonnet-4-5" };
    const reasoning = (text: string, origin = target, signature?: string) => ({
      type: "reasoning",
      summary: text ? [{ type: "summary_text", text }] : [],
      encrypted_content: encryptedReasoning(origin, signature),
    });
    const items = [
      user("a"),
      reasoning("Think first.", target, "EqQBsig1"),
      said("Checking."),
      call("c1"),
      output("c1", "ok"),
      // Reasoning between words and a call: the model thought again, a new assistant message.
      said("Next."),
      reasoning("Then this."),
      reasoning("And this.", target, "EqQBsig2"),
      call("c2"),
      output("c2", "ok"),
      reasoning("Not mine.", { vendor: "gemini", model: "gemini-2.5-flash" }),
      reasoning("", target),
      said("Done."),
    ];
    const parsed = ResponsesRequestSchema.parse({ model: "m", input: items }).input;
    expect(inputToMessages(parsed, "input", target)).toEqual([
      { role: "user", content: [text("a")] },
      {
        role: "assistant",
        content: "Checking.",
        toolCalls: [{ id: "c1", name: "get_weather", arguments: "{}" }],
        reasoning: "Think first.",
        reasoningSignature: "EqQBsig1",
      },
      { role: "tool", toolCallId: "c1", content: "ok" },
      { role: "assistant", content: "Next." },
      {
        role: "assistant",
        content: null,
        toolCalls: [{ id: "c2", name: "get_weather", arguments: "{}" }],
        reasoning: "Then this.\n\nAnd this.",
        reasoningSignature: "EqQBsig2",
      },
      { role: "tool", toolCallId: "c2", content: "ok" },
      { role: "assistant", content: "Done." },
    ]);
    // Without a target, or for another model, none is kept.
    expect(JSON.stringify(inputToMessages(parsed))).not.toContain("reasoning");
    expect(
      JSON.stringify(inputToMessages(parsed, "input", { ...target, model: "claude-opus-4-1" })),
    ).not.toContain("reasoning");
  });

  it("refuses what it cannot carry with a 400 naming the item or part", () => {
    const cases: [unknown, string, string][] = [
      [{ type: "compaction", encrypted_content: "gAAA" }, "unsupported_item", "input.0"],
      [{ type: "item_reference", id: "msg_1" }, "unsupported_item", "input.0"],
      [{ id: "msg_1" }, "unsupported_item", "input.0"],
      [{ status: "completed" }, "invalid_item", "input.0"],
      [{ type: "web_search_call", id: "ws_1", status: "completed" }, "unsupported_item", "input.0"],
      [
        { type: "local_shell_call", call_id: "c", status: "completed", action: {} },
        "unsupported_item",
        "input.0",
      ],
      [{ ...call("c"), namespace: "mcp__docs" }, "unsupported_item", "input.0.namespace"],
      [{ type: "function_call_output", output: "x" }, "invalid_item", "input.0.call_id"],
      [user([{ type: "input_image", file_id: "file_1" }]), "unsupported_image", "input.0.content.0.file_id"],
      [
        user([{ type: "input_image", image_url: "http://intranet/x.png" }]),
        "invalid_image_url",
        "input.0.content.0.image_url",
      ],
      [user([{ type: "input_file", file_id: "file_1" }]), "unsupported_content", "input.0.content.0.file_id"],
      [
        user([{ type: "input_file", file_data: "JVBERi0x" }]),
        "invalid_file_data",
        "input.0.content.0.file_data",
      ],
      [
        user([{ type: "input_file", file_url: "http://x.test/a.pdf" }]),
        "invalid_document_url",
        "input.0.content.0.file_url",
      ],
      [user([{ type: "input_file", filename: "a.pdf" }]), "invalid_content", "input.0.content.0"],
      [user([{ type: "input_audio", input_audio: {} }]), "unsupported_content", "input.0.content.0"],
      [user([{ type: "output_text", text: "x" }]), "invalid_content", "input.0.content.0"],
      [
        { role: "assistant", content: [{ type: "input_image", image_url: PNG }] },
        "invalid_content",
        "input.0.content.0",
      ],
      [
        { role: "developer", content: [{ type: "input_image", image_url: PNG }] },
        "invalid_content",
        "input.0.content.0",
      ],
      [output("c", [{ type: "input_image", image_url: PNG }]), "unsupported_content", "input.0.output.0"],
      [output("c", [{ type: "input_file", file_id: "file_1" }]), "unsupported_content", "input.0.output.0"],
      [
        { type: "custom_tool_call_output", call_id: "c", output: [{ type: "input_audio" }] },
        "unsupported_content",
        "input.0.output.0",
      ],
    ];
    for (const [it, code, param] of cases) {
      expect(refusal(it), JSON.stringify(it)).toMatchObject({ status: 400, code, param });
    }
  });

  it("says why, naming what it refuses", () => {
    expect(refusal({ type: "compaction", encrypted_content: "gAAA" }).message).toBe(
      "`compaction` items hold context only OpenAI can read: they can only be sent to `openai` vendors for now.",
    );
    expect(refusal({ type: "item_reference", id: "msg_1" }).message).toContain("`item_reference` items");
    expect(refusal({ type: "web_search_call", id: "ws_1" }).message).toBe(
      "`web_search_call` items can only be sent to `openai` vendors.",
    );
    expect(refusal(user([{ type: "input_image", file_id: "file_1" }])).message).toContain("`file_id`");
    expect(refusal(user([{ type: "input_file", file_id: "file_1" }])).message).toBe(
      "Files from OpenAI's Files API (`file_id`) can only be sent to `openai` vendors; send `file_data` instead.",
    );
  });

  it("takes files as data or https URLs, as neutral file parts", () => {
    const [message] = inputToMessages([
      user([
        { type: "input_file", file_data: "data:application/pdf;base64,JVBERi0x", filename: "q3.pdf" },
        { type: "input_file", file_url: "https://example.com/a.pdf" },
      ]) as never,
    ]);
    expect(message).toEqual({
      role: "user",
      content: [
        {
          type: "file",
          mediaType: "application/pdf",
          source: { kind: "base64", data: "JVBERi0x" },
          filename: "q3.pdf",
        },
        {
          type: "file",
          mediaType: "application/pdf",
          source: { kind: "url", url: "https://example.com/a.pdf" },
        },
      ],
    });
  });
});
