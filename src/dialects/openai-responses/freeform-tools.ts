import type { ToolDefinition } from "../../chat/types";
import { type CustomTool, isKnownTool, type Tool } from "./schema";

/**
 * OpenAI's `custom` (freeform) tools, for vendors that only call functions with JSON arguments.
 * The model writes a freeform tool's input as raw text (Codex's `apply_patch` takes a patch this
 * way), optionally held to a grammar only OpenAI enforces. Elsewhere it becomes a function with
 * one string argument, `input`, whose description carries the grammar for the model to follow:
 * history's `custom_tool_call` items become calls of it, and an answer's calls of it go back to
 * the client as `custom_tool_call` items with the argument's text (`freeformCallInput`).
 * @see https://platform.openai.com/docs/guides/function-calling#custom-tools
 */

/** The one argument of a translated freeform tool. */
export const FREEFORM_ARGUMENT = "input";

function describe(tool: CustomTool): string {
  const said = tool.description ?? "";
  const f = tool.format;
  if (f?.type !== "grammar") return said;
  const rule = `The \`${FREEFORM_ARGUMENT}\` must follow this ${f.syntax === "lark" ? "Lark" : "regular expression"} grammar:\n\`\`\`\n${f.definition}\n\`\`\``;
  return said ? `${said}\n\n${rule}` : rule;
}

export function freeformToolDefinition(tool: CustomTool): ToolDefinition {
  const description = describe(tool);
  return {
    name: tool.name,
    ...(description ? { description } : {}),
    parameters: {
      type: "object",
      properties: {
        [FREEFORM_ARGUMENT]: { type: "string", description: "The raw input, exactly as the tool takes it." },
      },
      required: [FREEFORM_ARGUMENT],
      additionalProperties: false,
    },
  };
}

/** A `custom_tool_call`'s raw input as the arguments of the translated function's call. */
export const freeformCallArguments = (input: string): string =>
  JSON.stringify({ [FREEFORM_ARGUMENT]: input });

/**
 * A translated call's arguments back to the raw input: the `input` string when the model wrote
 * `{"input": "..."}`, else the arguments as they are (what the model wrote is the best there is).
 */
export function freeformCallInput(args: string): string {
  try {
    const parsed: unknown = JSON.parse(args);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      const input = (parsed as Record<string, unknown>)[FREEFORM_ARGUMENT];
      if (typeof input === "string") return input;
    }
  } catch {
    // Not JSON: fall through to the text itself.
  }
  return args;
}

/** The names of a request's freeform tools: the answer's calls of these are `custom_tool_call`s. */
export const freeformToolNames = (tools: readonly Tool[] | null | undefined): Set<string> =>
  new Set((tools ?? []).flatMap((t) => (isKnownTool(t) && t.type === "custom" ? [t.name] : [])));
