/** Byte encodings used across the gateway (Workers have btoa/atob, not Node's Buffer). */

/**
 * The runtime's own base64 (TC39's Uint8Array.fromBase64 / toBase64: workerd has them) where it
 * exists: an embeddings answer is tens of kilobytes of base64, and the JavaScript fallback below
 * (what Node 24 runs) costs a callback or a string per byte, three quarters of such a call's CPU.
 */
interface NativeBase64 {
  fromBase64?: (s: string) => Uint8Array<ArrayBuffer>;
  prototype: { toBase64?: (this: Uint8Array) => string };
}
const native = Uint8Array as unknown as NativeBase64;

export function base64(bytes: Uint8Array): string {
  if (native.prototype.toBase64) return native.prototype.toBase64.call(bytes);
  let s = "";
  // Chunked so very large images do not blow the argument limit of String.fromCharCode.
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export const base64url = (bytes: Uint8Array): string =>
  base64(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

/** Either alphabet, padded or not, ASCII whitespace ignored (as atob); throws on anything else. */
export function fromBase64(s: string): Uint8Array<ArrayBuffer> {
  const standard = s.includes("-") || s.includes("_") ? s.replaceAll("-", "+").replaceAll("_", "/") : s;
  if (native.fromBase64) return native.fromBase64(standard);
  const bin = atob(standard);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/**
 * A float32 vector as base64 of its little-endian bytes (OpenAI's `encoding_format: "base64"`, which
 * the SDKs decode with `new Float32Array(bytes.buffer)`). A typed array's own bytes are in the
 * CPU's order, and Workers run on little-endian CPUs only (x86-64, arm64).
 */
export const float32ToBase64 = (v: Float32Array): string =>
  base64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));

/** The float32 vector of base64 little-endian bytes; null when they are not whole float32s. */
export function float32FromBase64(s: string): Float32Array | null {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64(s);
  } catch {
    return null;
  }
  return bytes.length % 4 === 0 ? new Float32Array(bytes.buffer, 0, bytes.length / 4) : null;
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
