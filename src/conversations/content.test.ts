import { describe, expect, it } from "vitest";
import { readUserContent, storedToChatMessage, titleFrom } from "./content";

const PNG = "data:image/png;base64,iVBORw0KGgo=";

describe("readUserContent", () => {
  it("stores text as one text part and sends it as neutral text", () => {
    expect(readUserContent("hi")).toEqual({
      stored: [{ type: "text", text: "hi" }],
      parts: [{ type: "text", text: "hi" }],
      hasImages: false,
    });
  });

  it("keeps image parts as given and parses them for the vendor", () => {
    const stored = [
      { type: "image_url" as const, image_url: { url: "https://example.com/a.png", detail: "low" as const } },
      { type: "image_url" as const, image_url: { url: PNG } },
    ];
    expect(readUserContent(stored)).toEqual({
      stored,
      parts: [
        {
          type: "image",
          source: { kind: "url", url: "https://example.com/a.png", param: "content.0.image_url.url" },
          detail: "low",
        },
        { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } },
      ],
      hasImages: true,
    });
  });

  it("refuses other URLs, naming the part, and content too large to store", () => {
    expect(() =>
      readUserContent([
        { type: "text", text: "x" },
        { type: "image_url", image_url: { url: "ftp://example.com/a.png" } },
      ]),
    ).toThrow(expect.objectContaining({ code: "invalid_image_url", param: "content.1.image_url.url" }));
    expect(() => readUserContent("é".repeat(1_000_000))).toThrow(
      expect.objectContaining({ status: 413, code: "content_too_large" }),
    );
  });
});

describe("storedToChatMessage", () => {
  const vision = { vision: true };

  it("maps every stored role", () => {
    const t = (text: string) => [{ type: "text" as const, text }];
    expect(storedToChatMessage({ role: "user", content: t("q") }, vision)).toEqual({
      role: "user",
      content: t("q"),
    });
    expect(storedToChatMessage({ role: "assistant", content: [...t("a"), ...t("b")] }, vision)).toEqual({
      role: "assistant",
      content: "ab",
    });
    expect(storedToChatMessage({ role: "system", content: t("s") }, vision)).toEqual({
      role: "system",
      content: "s",
    });
    // No tool-call id is stored, so a tool result goes back as text the model can still read.
    expect(storedToChatMessage({ role: "tool", content: t("42") }, vision)).toEqual({
      role: "user",
      content: t("Tool result: 42"),
    });
  });

  it("replays images to models that see them, and a mention to others", () => {
    const content = [{ type: "image_url" as const, image_url: { url: PNG } }];
    expect(storedToChatMessage({ role: "user", content }, vision)).toEqual({
      role: "user",
      content: [{ type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } }],
    });
    expect(storedToChatMessage({ role: "user", content }, { vision: false })).toEqual({
      role: "user",
      content: [{ type: "text", text: "[image]" }],
    });
    const broken = [{ type: "image_url" as const, image_url: { url: "http://example.com/a.png" } }];
    expect(storedToChatMessage({ role: "user", content: broken }, vision)).toEqual({
      role: "user",
      content: [{ type: "text", text: "[image]" }],
    });
  });
});

describe("titleFrom", () => {
  it("collapses whitespace and keeps at most 80 characters, never half an emoji", () => {
    expect(titleFrom([{ type: "text", text: "  Plan\n\n a   trip " }])).toBe("Plan a trip");
    expect(titleFrom([{ type: "text", text: `${"x".repeat(79)}😀😀` }])).toBe(`${"x".repeat(79)}😀`);
    expect(titleFrom([{ type: "image_url", image_url: { url: PNG } }])).toBeUndefined();
  });
});
