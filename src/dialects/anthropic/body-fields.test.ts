import { describe, expect, it } from "vitest";
import { GatewayError } from "../../errors/gateway-error";
import { BETA_FIELDS } from "./body-fields";
import { CountTokensRequestSchema, MessagesRequestSchema } from "./schema";
import { countTokensToNeutral, messagesToNeutral } from "./to-neutral";

const hi = [{ role: "user", content: "hi" }];
const neutral = (body: Record<string, unknown>, beta?: string) =>
  messagesToNeutral(
    MessagesRequestSchema.parse({ model: "openai/gpt-4o-mini", max_tokens: 100, messages: hi, ...body }),
    "gpt-4o-mini",
    "openai",
    { beta },
  );

function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    const e = err as GatewayError;
    return { status: e.status, code: e.code, param: e.param, message: e.message };
  }
  throw new Error("expected a refusal");
}

describe("top-level fields, translated", () => {
  it("translates a Claude Code request with its betas, dropping context_management with its beta", () => {
    const req = neutral(
      {
        system: [
          { type: "text", text: "x-anthropic-billing-header: cc_version=2.1" },
          { type: "text", text: "You are Claude Code.", cache_control: { type: "ephemeral" } },
        ],
        tools: [{ name: "Bash", input_schema: { type: "object" } }],
        metadata: { user_id: "user_abc_account__session_1" },
        thinking: { type: "adaptive" },
        stream: true,
        temperature: 1,
        context_management: { edits: [{ type: "clear_thinking_20251015", keep: "all" }] },
        output_config: { effort: "high" },
      },
      "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,fine-grained-tool-streaming-2025-05-14",
    );
    expect(req).toMatchObject({ model: "gpt-4o-mini", user: "user_abc_account__session_1", temperature: 1 });
    expect(req).not.toHaveProperty("responseFormat");
    expect(JSON.stringify(req)).not.toContain("clear_thinking");
  });

  it("refuses a beta field without its beta, naming the field and the beta", () => {
    for (const [field, beta] of Object.entries(BETA_FIELDS)) {
      const e = refusal(() => neutral({ [field]: {} }, "interleaved-thinking-2025-05-14"));
      expect(e).toMatchObject({ status: 400, code: "missing_beta", param: field });
      expect(e.message).toContain(beta);
    }
  });

  it("matches a beta by its name without the date, and drops every beta field with its beta", () => {
    expect(() =>
      neutral(
        { mcp_servers: [{ type: "url", url: "https://mcp.test", name: "m" }] },
        "mcp-client-2025-11-20",
      ),
    ).not.toThrow();
    expect(() => neutral({ compaction: {} }, " compact-2026-09-04 , other-2025-01-01")).not.toThrow();
    expect(() => neutral({ thread: { type: "create" } }, "message-threads-2026-08-12")).not.toThrow();
    // A look-alike is not the beta.
    expect(
      refusal(() => neutral({ context_management: {} }, "context-management-extra-2025-06-27")).code,
    ).toBe("missing_beta");
  });

  it("accepts Anthropic's own switches, and null for any field", () => {
    expect(() =>
      neutral({
        service_tier: "auto",
        speed: "fast",
        cache_control: { type: "ephemeral" },
        diagnostics: { previous_message_id: "msg_1" },
        metadata: { user_id: "u", tag: "x" },
        container: null,
        context_management: null,
      }),
    ).not.toThrow();
  });

  it("refuses any other field by name, not silently", () => {
    for (const field of ["container", "inference_geo", "some_future_field"]) {
      expect(refusal(() => neutral({ [field]: "x" }))).toMatchObject({
        status: 400,
        code: "unsupported_parameter",
        param: field,
      });
    }
  });

  it("translates structured output, output_config.format or the beta's output_format, as a strict schema", () => {
    const schema = { type: "object", properties: { a: { type: "string" } }, additionalProperties: false };
    const expected = { type: "json_schema", name: "output", schema, strict: true };
    expect(neutral({ output_config: { format: { type: "json_schema", schema } } }).responseFormat).toEqual(
      expected,
    );
    expect(
      neutral({ output_format: { type: "json_schema", schema } }, "structured-outputs-2025-11-13")
        .responseFormat,
    ).toEqual(expected);
    expect(refusal(() => neutral({ output_format: { type: "json_schema", schema } })).code).toBe(
      "missing_beta",
    );
    expect(refusal(() => neutral({ output_config: { format: { type: "xml" } } }))).toMatchObject({
      code: "invalid_output_format",
      param: "output_config.format",
    });
  });

  it("holds count_tokens to the same rules", () => {
    const count = (body: Record<string, unknown>, beta?: string) =>
      countTokensToNeutral(
        CountTokensRequestSchema.parse({ model: "mock/echo", messages: hi, ...body }),
        "echo",
        "mock",
        { beta },
      );
    expect(() => count({ context_management: {} }, "context-management-2025-06-27")).not.toThrow();
    expect(refusal(() => count({ context_management: {} })).code).toBe("missing_beta");
    expect(refusal(() => count({ inference_geo: "eu" })).param).toBe("inference_geo");
    // A Messages body sent to count_tokens as it is (clients reuse it) still counts.
    expect(() => count({ max_tokens: 10, stream: false, temperature: 0 })).not.toThrow();
  });
});
