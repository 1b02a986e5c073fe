import { describe, expect, it } from "vitest";
import {
  freeformCallArguments,
  freeformCallInput,
  freeformToolDefinition,
  freeformToolNames,
} from "./freeform-tools";
import { ResponsesRequestSchema } from "./schema";

const tools = (...list: unknown[]) => ResponsesRequestSchema.parse({ model: "m", tools: list }).tools ?? [];

describe("freeform (custom) tools as functions", () => {
  it("makes a custom tool a function of one string, its grammar in the description", () => {
    const [lark] = tools({
      type: "custom",
      name: "apply_patch",
      description: "Edit files.",
      format: { type: "grammar", syntax: "lark", definition: "start: patch" },
    });
    if (lark?.type !== "custom") throw new Error("expected a custom tool");
    expect(freeformToolDefinition(lark as never)).toEqual({
      name: "apply_patch",
      description: "Edit files.\n\nThe `input` must follow this Lark grammar:\n```\nstart: patch\n```",
      parameters: {
        type: "object",
        properties: {
          input: { type: "string", description: "The raw input, exactly as the tool takes it." },
        },
        required: ["input"],
        additionalProperties: false,
      },
    });
    const [plain] = tools({ type: "custom", name: "note", format: { type: "text" } });
    expect(freeformToolDefinition(plain as never)).not.toHaveProperty("description");
  });

  it("round-trips a call's raw input through the function's arguments", () => {
    const raw = '*** Begin Patch\n*** Add File: a.txt\n+"quoted" 🙂\n*** End Patch\n';
    expect(freeformCallInput(freeformCallArguments(raw))).toBe(raw);
  });

  it("takes what the model wrote when its arguments are not {input: string}", () => {
    expect(freeformCallInput("*** Begin Patch")).toBe("*** Begin Patch");
    expect(freeformCallInput('{"patch":"x"}')).toBe('{"patch":"x"}');
    expect(freeformCallInput('{"input":42}')).toBe('{"input":42}');
    expect(freeformCallInput('["x"]')).toBe('["x"]');
  });

  it("names a request's freeform tools, for the answer's custom_tool_call items", () => {
    expect(
      freeformToolNames(
        tools(
          { type: "function", name: "exec_command" },
          { type: "custom", name: "apply_patch" },
          { type: "web_search" },
        ),
      ),
    ).toEqual(new Set(["apply_patch"]));
    expect(freeformToolNames(undefined)).toEqual(new Set());
  });
});
