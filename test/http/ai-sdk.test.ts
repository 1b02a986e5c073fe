import { exports } from "cloudflare:workers";
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, isStepCount, streamText, tool } from "ai";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { configureVendorKeys, createUser, scenario } from "../helpers";

/**
 * The Vercel AI SDK against the gateway, through each dialect it speaks: Chat Completions
 * (`openai.chat(model)`), Anthropic's Messages API (`anthropic(model)`) and OpenAI's Responses API
 * (`openai(model)`, the AI SDK's default), for a vendor of each
 * wire (passthrough and translated). If the AI SDK cannot parse us, we are wrong.
 */

let key: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
});

const workerFetch = (i: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(i, init));
const openai = () => createOpenAI({ apiKey: key, baseURL: "http://w/v1", fetch: workerFetch });
const anthropic = () => createAnthropic({ apiKey: key, baseURL: "http://w/v1", fetch: workerFetch });

const weather = tool({
  description: "The weather in a city",
  inputSchema: z.object({ location: z.string() }),
  execute: async ({ location }) => `sunny in ${location}`,
});

const dialects = [
  ["Chat Completions", (model: string) => openai().chat(model)],
  ["Messages", (model: string) => anthropic()(model)],
  // The AI SDK's default OpenAI model speaks the Responses API.
  ["Responses", (model: string) => openai()(model)],
] as const;

describe.each(dialects)("the AI SDK over %s", (_name, languageModel) => {
  describe.each(["openai", "anthropic", "gemini"])("to a vendor of kind %s", (vendor) => {
    it("generates and streams the same text", async () => {
      const model = `${vendor}/${scenario("plain")}`;
      const whole = await generateText({
        model: languageModel(model),
        prompt: "Say something.",
        maxRetries: 0,
      });
      expect(whole.text.length).toBeGreaterThan(0);
      expect(whole.finishReason).toBe("stop");
      expect(whole.usage.outputTokens).toBeGreaterThan(0);

      const streamed = streamText({ model: languageModel(model), prompt: "Say something.", maxRetries: 0 });
      let text = "";
      for await (const delta of streamed.textStream) text += delta;
      expect(text).toBe(whole.text);
      expect(await streamed.finishReason).toBe("stop");
      expect((await streamed.usage).outputTokens).toBeGreaterThan(0);
    });

    it("calls a tool and answers with its result", async () => {
      const model = `${vendor}/${scenario("tool-call")}`;
      const result = await generateText({
        model: languageModel(model),
        prompt: "What is the weather in Paris?",
        tools: { get_weather: weather },
        stopWhen: isStepCount(2),
        maxRetries: 0,
      });
      const calls = result.steps.flatMap((s) => s.toolCalls);
      expect(calls[0]).toMatchObject({ toolName: "get_weather" });
      expect(result.steps).toHaveLength(2);
      expect(result.text).toContain("sunny");
    });
  });

  it("runs offline against the mock vendor, tools included", async () => {
    const result = await generateText({
      model: languageModel("mock/echo"),
      prompt: "Hello there",
      tools: { get_weather: weather },
      toolChoice: { type: "tool", toolName: "get_weather" },
      maxRetries: 0,
    });
    expect(result.toolCalls[0]).toMatchObject({ toolName: "get_weather" });
  });
});
