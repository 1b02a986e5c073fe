import { toHex } from "../util/encoding";

/**
 * Generated images kept for `response_format: "url"`: bytes in KV under `img:<id>` for one hour,
 * served by GET /v1/images/files/<id>.<ext>. The 128-bit random id is the only credential (like
 * OpenAI's signed URLs, which also expire after an hour).
 */
export const IMAGE_TTL_SECONDS = 3600;

const EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/webp": "webp",
  "image/gif": "gif",
};

const extensionOf = (mediaType: string) => EXTENSIONS[mediaType] ?? "bin";

const FILE_NAME = /^([0-9a-f]{32})\.([a-z0-9]{1,8})$/;

interface StoredImageMeta {
  mediaType: string;
}

/** Stores image bytes; resolves with the file name (`<id>.<ext>`) once KV has them. */
export async function storeImage(kv: KVNamespace, bytes: Uint8Array, mediaType: string): Promise<string> {
  const id = toHex(crypto.getRandomValues(new Uint8Array(16)));
  const meta: StoredImageMeta = { mediaType };
  await kv.put(`img:${id}`, bytes, { expirationTtl: IMAGE_TTL_SECONDS, metadata: meta });
  return `${id}.${extensionOf(mediaType)}`;
}

/** The image a file name points at, or null when it is unknown, expired or misnamed. */
export async function loadImage(
  kv: KVNamespace,
  file: string,
): Promise<{ bytes: ArrayBuffer; mediaType: string } | null> {
  const match = FILE_NAME.exec(file);
  if (!match) return null;
  const { value, metadata } = await kv.getWithMetadata<StoredImageMeta>(`img:${match[1]}`, "arrayBuffer");
  if (!value || !metadata?.mediaType) return null;
  // The extension is part of the URL handed out; another one is not that URL.
  if (extensionOf(metadata.mediaType) !== match[2]) return null;
  return { bytes: value, mediaType: metadata.mediaType };
}
