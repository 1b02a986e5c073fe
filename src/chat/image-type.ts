/**
 * An image's media type read from its first bytes (magic numbers), for bytes the gateway fetched
 * itself: a host's `content-type` is what it claims, not what it sent.
 * @see https://mimesniff.spec.whatwg.org/#matching-an-image-type-pattern
 */

const ascii = (bytes: Uint8Array, at: number, text: string): boolean => {
  if (bytes.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
};

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * ISO base media (`ftyp` box) brands of HEIF images: HEVC-coded ones are HEIC, the rest HEIF.
 * @see https://www.iana.org/assignments/media-types/image/heic
 */
const HEIC_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis"]);
const HEIF_BRANDS = new Set(["mif1", "msf1", "heif"]);

/** PNG, JPEG, GIF, WebP, HEIC or HEIF from the bytes; null for anything else. */
export function sniffImageType(bytes: Uint8Array): string | null {
  if (PNG.every((b, i) => bytes[i] === b)) return "image/png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  if (ascii(bytes, 0, "GIF87a") || ascii(bytes, 0, "GIF89a")) return "image/gif";
  if (ascii(bytes, 0, "RIFF") && ascii(bytes, 8, "WEBP")) return "image/webp";
  if (ascii(bytes, 4, "ftyp") && bytes.length >= 12) {
    const brand = String.fromCharCode(...bytes.subarray(8, 12));
    if (HEIC_BRANDS.has(brand)) return "image/heic";
    if (HEIF_BRANDS.has(brand)) return "image/heif";
  }
  return null;
}
