import { describe, expect, it } from "vitest";
import { aspectRatioFor } from "./images";

describe("aspectRatioFor", () => {
  it("picks the Gemini aspect ratio nearest an OpenAI size", () => {
    expect(aspectRatioFor("1024x1024")).toBe("1:1");
    expect(aspectRatioFor("1536x1024")).toBe("3:2");
    expect(aspectRatioFor("1024x1536")).toBe("2:3");
    expect(aspectRatioFor("1792x1024")).toBe("16:9");
    expect(aspectRatioFor("1024x1792")).toBe("9:16");
    expect(aspectRatioFor("256x256")).toBe("1:1");
  });

  it("asks for nothing when no size (or auto) is given", () => {
    expect(aspectRatioFor(undefined)).toBeUndefined();
    expect(aspectRatioFor("auto")).toBeUndefined();
  });
});
