import { describe, expect, it } from "vitest";
import { base64, base64url, float32FromBase64, float32ToBase64, fromBase64 } from "../src/util/encoding";

/**
 * src/util/encoding.ts's contract, run twice: in workerd (src/util/encoding.test.ts: the runtime's
 * own Uint8Array.fromBase64/toBase64) and in Node 24 (test/node/encoding.test.ts: the JavaScript
 * fallback), so both paths answer alike.
 */
export function encodingCases(runtime: string) {
  describe(`base64 in ${runtime}`, () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);

    it("round-trips every byte value, and large buffers", () => {
      expect(fromBase64(base64(all))).toEqual(all);
      const large = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7) % 256);
      expect(fromBase64(base64(large))).toEqual(large);
      expect(base64(new Uint8Array([104, 105]))).toBe("aGk=");
    });

    it("reads either alphabet, padded or not, and ASCII whitespace, as atob does", () => {
      const bytes = new Uint8Array([251, 255, 191]);
      expect(base64(bytes)).toBe("+/+/");
      expect(base64url(bytes)).toBe("-_-_");
      expect(fromBase64("-_-_")).toEqual(bytes);
      expect(fromBase64("aGk")).toEqual(new Uint8Array([104, 105]));
      expect(fromBase64("aG k=\n")).toEqual(new Uint8Array([104, 105]));
    });

    it("throws on what is not base64", () => {
      expect(() => fromBase64("a$b=")).toThrow();
      expect(() => fromBase64("abcde")).toThrow();
    });

    it("gives float32 vectors their little-endian bytes and back, and refuses partial floats", () => {
      const v = new Float32Array([0.1, -2.5, 3.4028234663852886e38, Number.MIN_VALUE]);
      const b64 = float32ToBase64(v);
      expect(b64).toBe(base64(new Uint8Array(v.buffer)));
      expect(float32FromBase64(b64)).toEqual(v);
      expect(float32FromBase64(base64(new Uint8Array(6)))).toBeNull();
      expect(float32FromBase64("!!")).toBeNull();
      // A view into a larger buffer encodes only its own bytes.
      const view = new Float32Array(new Float32Array([1, 2, 3, 4]).buffer, 4, 2);
      expect(float32FromBase64(float32ToBase64(view))).toEqual(new Float32Array([2, 3]));
    });
  });
}
