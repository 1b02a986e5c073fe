import { GatewayError } from "../errors/gateway-error";
import { base64url, fromBase64url } from "../util/encoding";

/**
 * Vendor API keys at rest: AES-256-GCM under a key derived (HKDF-SHA-256) from ENCRYPTION_KEY.
 * Stored as `v1.<iv>.<ciphertext>` (base64url). The vendor slug is bound as additional data, so
 * a ciphertext copied onto another vendor's row does not decrypt.
 */
const VERSION = "v1";
const derived = new Map<string, Promise<CryptoKey>>();

function aesKey(secret: string): Promise<CryptoKey> {
  let key = derived.get(secret);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", new TextEncoder().encode(secret), "HKDF", false, ["deriveKey"])
      .then((material) =>
        crypto.subtle.deriveKey(
          {
            name: "HKDF",
            hash: "SHA-256",
            salt: new TextEncoder().encode("switchboard"),
            info: new TextEncoder().encode("vendor-api-keys"),
          },
          material,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
      );
    derived.set(secret, key);
  }
  return key;
}

function requireSecret(secret: string | undefined): string {
  if (!secret) {
    throw new GatewayError(
      400,
      "invalid_request_error",
      "encryption_key_not_configured",
      "Storing a vendor API key needs the ENCRYPTION_KEY secret; set it with `wrangler secret put ENCRYPTION_KEY`.",
      { param: "api_key" },
    );
  }
  return secret;
}

export async function encryptSecret(
  secret: string | undefined,
  plaintext: string,
  aad: string,
): Promise<string> {
  const key = await aesKey(requireSecret(secret));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(aad) },
    key,
    new TextEncoder().encode(plaintext),
  );
  return `${VERSION}.${base64url(iv)}.${base64url(new Uint8Array(ct))}`;
}

/**
 * Decrypted vendor keys, by ciphertext: the same stored key is decrypted once per isolate, not on
 * every request (AES work on the hot path otherwise). Holding it in memory is no more exposure
 * than the environment's own secrets; a rotated key, or another ENCRYPTION_KEY, is another entry.
 */
const decrypted = new Map<string, Promise<string>>();
const MAX_DECRYPTED = 256;

export function decryptSecret(secret: string | undefined, stored: string, aad: string): Promise<string> {
  const id = `${secret ?? ""}\u0000${aad}\u0000${stored}`;
  let plain = decrypted.get(id);
  if (!plain) {
    if (decrypted.size >= MAX_DECRYPTED) decrypted.clear();
    plain = decryptUncached(secret, stored, aad);
    decrypted.set(id, plain);
    plain.catch(() => decrypted.delete(id));
  }
  return plain;
}

async function decryptUncached(secret: string | undefined, stored: string, aad: string): Promise<string> {
  const [version, iv, ct] = stored.split(".");
  if (version !== VERSION || !iv || !ct) throw new Error("unknown secret format");
  const key = await aesKey(requireSecret(secret));
  const pt = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromBase64url(iv), additionalData: new TextEncoder().encode(aad) },
    key,
    fromBase64url(ct),
  );
  return new TextDecoder().decode(pt);
}
