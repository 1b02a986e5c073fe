import { base64url, toHex } from "../util/encoding";

/**
 * API keys: `sk-sb-` + 32 base64url chars (192 random bits). Only the SHA-256 hash is stored;
 * a fast hash is right here because the key is random (no dictionary to guess from), and auth
 * runs on every request.
 */
const KEY_PREFIX = "sk-sb-";
const DISPLAY_PREFIX_LENGTH = KEY_PREFIX.length + 6;

export function generateApiKey(): { key: string; prefix: string } {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  const key = KEY_PREFIX + base64url(bytes);
  return { key, prefix: key.slice(0, DISPLAY_PREFIX_LENGTH) };
}

export async function hashApiKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return toHex(new Uint8Array(digest));
}

/** Constant-time comparison of two secrets of any length (compares their SHA-256 digests). */
export async function secretsEqual(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [da, db] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(a)),
    crypto.subtle.digest("SHA-256", enc.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(da, db);
}
