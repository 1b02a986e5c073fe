/** Byte encodings used across the gateway (Workers have btoa/atob, not Node's Buffer). */

export function base64(bytes: Uint8Array): string {
  let s = "";
  // Chunked so very large images do not blow the argument limit of String.fromCharCode.
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export const base64url = (bytes: Uint8Array): string =>
  base64(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

export function fromBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

/** How many bytes a base64 string (either alphabet, padded or not) holds, without decoding it. */
export const base64ByteLength = (s: string): number => Math.floor((s.replace(/[\s=]/g, "").length * 3) / 4);

/** Accepts both alphabets, padded or not. */
export const fromBase64url = fromBase64;

export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** The bytes of several arrays, one after the other, in one new array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
