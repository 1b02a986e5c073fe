import { describe, expect, it } from "vitest";
import { chunkObject, dataLines, frame, relay } from "./openai-sse-fixtures";
import { bytes } from "./stream-test-helpers";

describe("passthroughOpenAIStream (fixtures)", () => {
  const shape = { json: "compact", dataSpace: true } as const;
  const line = (value: unknown) => frame(dataLines(value, shape), "\n");
  const text = (content: string) => line(chunkObject({ content }, null));
  const finish = line(chunkObject({}, "tool_calls"));

  it("ends with [DONE] once, dropping what a vendor sends after it", async () => {
    const body = `${text("a")}${finish}data: [DONE]\n\n${text("late")}data: [DONE]\n\n: keep-alive\n\n`;
    const { out } = await relay([bytes(body)], false);
    expect(out).toBe(`${text("a")}${finish}data: [DONE]\n\n`);
  });

  it("forwards a vendor's bare-\\r last event as it came", async () => {
    const body = `data: ${JSON.stringify(chunkObject({ content: "a" }, "stop"))}\r\rdata: [DONE]\r\r`;
    expect((await relay([bytes(body)], false)).out).toBe(body);
  });
});
