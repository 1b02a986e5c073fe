import { describe, expect, it } from "vitest";
import { sniffImageType } from "./image-type";

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe("sniffImageType", () => {
  it.each([
    ["image/png", bytes([0x89], "PNG", [0x0d, 0x0a, 0x1a, 0x0a, 0, 0])],
    ["image/jpeg", bytes([0xff, 0xd8, 0xff, 0xe0])],
    ["image/gif", bytes("GIF89a", [1, 0])],
    ["image/gif", bytes("GIF87a")],
    ["image/webp", bytes("RIFF", [0x24, 0, 0, 0], "WEBPVP8 ")],
    ["image/heic", bytes([0, 0, 0, 0x18], "ftypheic", [0, 0, 0, 0], "mif1heic")],
    ["image/heif", bytes([0, 0, 0, 0x18], "ftypmif1", [0, 0, 0, 0])],
  ])("reads %s from its magic number", (type, b) => {
    expect(sniffImageType(b)).toBe(type);
  });

  it.each([
    ["text", bytes("<svg xmlns='http://www.w3.org/2000/svg'/>")],
    ["a RIFF that is not WebP", bytes("RIFF", [0, 0, 0, 0], "WAVEfmt ")],
    ["an MP4", bytes([0, 0, 0, 0x18], "ftypisom")],
    ["a cut-off PNG signature", bytes([0x89], "PNG")],
    ["nothing", new Uint8Array()],
  ])("answers null for %s", (_, b) => {
    expect(sniffImageType(b)).toBeNull();
  });
});
