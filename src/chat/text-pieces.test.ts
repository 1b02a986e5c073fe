import { describe, expect, it } from "vitest";
import { textPieces } from "./text-pieces";

describe("textPieces", () => {
  it("cuts after sentence ends and keeps the space with the sentence", () => {
    expect(textPieces("Hi there. How are you? Fine!")).toEqual(["Hi there. ", "How are you? ", "Fine!"]);
  });

  it("loses nothing: leading newlines, bare punctuation, no terminator at all", () => {
    for (const text of ["\nHello", "\n\n", "...", "a", "", "x.\n\ny", " ?! ", "line\r\nnext"]) {
      expect(textPieces(text).join("")).toBe(text);
    }
  });

  it("joins back to any text (random strings over the terminators)", () => {
    const alphabet = ["a", "b", " ", ".", "!", "?", "\n", "\r", "\t", "é", "🙂"];
    for (let run = 0; run < 500; run++) {
      let text = "";
      const length = Math.floor(Math.random() * 40);
      for (let k = 0; k < length; k++) text += alphabet[Math.floor(Math.random() * alphabet.length)];
      const pieces = textPieces(text);
      expect(pieces.join("")).toBe(text);
      expect(pieces.every((p) => p.length > 0)).toBe(true);
    }
  });
});
