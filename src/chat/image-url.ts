import { invalidRequest } from "../errors/gateway-error";
import type { ImageSource } from "./types";

/** What an image part's URL may be, for the OpenAPI document of every dialect that takes one. */
export const IMAGE_URL_DESCRIPTION =
  "An `https://` URL or a `data:image/...;base64,...` URL. Vendors that take no image URLs (Gemini) get the " +
  "image inline: the gateway fetches it (https only, at most 3 https redirects, 20 MB, PNG/JPEG/GIF/WebP/HEIC/HEIF " +
  "read from the bytes, within the request's timeout, kept 5 minutes) and refuses it with a 400 naming the part: " +
  "`image_url_too_many_redirects`, `image_url_redirect_not_https`, `image_url_too_large`, `image_url_not_an_image`, " +
  "`image_url_http_error`, `image_url_fetch_failed`, `image_url_timeout`.";

const DATA_URL = /^data:(image\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/=\s]+)$/i;

/** An image part's URL as a neutral source: `https://` URLs and base64 `data:image/...` URLs only. */
export function parseImageUrl(url: string, param: string): ImageSource {
  if (url.startsWith("data:")) {
    const match = DATA_URL.exec(url);
    if (!match) {
      throw invalidRequest(
        "invalid_image_url",
        "A data URL image must be `data:image/<type>;base64,<data>`.",
        param,
      );
    }
    return {
      kind: "base64",
      mediaType: (match[1] as string).toLowerCase(),
      data: (match[2] as string).replace(/\s+/g, ""),
    };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidRequest("invalid_image_url", "The image URL is not a valid URL.", param);
  }
  if (parsed.protocol !== "https:") {
    throw invalidRequest(
      "invalid_image_url",
      "Image URLs must be https:// or data:image/...;base64 URLs.",
      param,
    );
  }
  return { kind: "url", url, param };
}

/** The inverse, for storing and for OpenAI-format output. */
export const imageSourceToUrl = (s: ImageSource): string =>
  s.kind === "url" ? s.url : `data:${s.mediaType};base64,${s.data}`;
