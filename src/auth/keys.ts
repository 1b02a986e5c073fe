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

/** The admin key's hash, computed once per isolate (and per value, should it change). */
const adminHashes = new Map<string, Promise<string>>();

/**
 * Whether the presented key is ADMIN_API_KEY, given the presented key's hash (which auth computes
 * anyway for the D1 lookup): a constant-time comparison of the two SHA-256 digests, so neither
 * timing nor length gives the admin key away, at the cost of no extra digest per request.
 */
export async function isAdminKey(presentedHash: string, adminKey: string): Promise<boolean> {
  let adminHash = adminHashes.get(adminKey);
  if (!adminHash) {
    adminHash = hashApiKey(adminKey);
    adminHashes.set(adminKey, adminHash);
  }
  const enc = new TextEncoder();
  return crypto.subtle.timingSafeEqual(enc.encode(presentedHash), enc.encode(await adminHash));
}
