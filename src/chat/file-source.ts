import { invalidRequest } from "../errors/gateway-error";
import type { ContentPart } from "./types";

type FileSource = Extract<ContentPart, { type: "file" }>["source"];

/** A file the vendor fetches itself: only https, so no client points a vendor at plain http. */
export function httpsFileUrl(url: string, param: string): FileSource {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidRequest("invalid_document_url", "The document URL is not a valid URL.", param);
  }
  if (parsed.protocol !== "https:") {
    throw invalidRequest("invalid_document_url", "Document URLs must be https:// URLs.", param);
  }
  return { kind: "url", url };
}

/** A `data:<media type>;base64,<data>` URL as its media type and bytes (base64). */
export function fileDataUrl(dataUrl: string, param: string): { mediaType: string; source: FileSource } {
  const m = /^data:([\w.+-]+\/[\w.+-]+);base64,([A-Za-z0-9+/=\s]+)$/.exec(dataUrl);
  if (!m) {
    throw invalidRequest(
      "invalid_file_data",
      "`file_data` must be a base64 data URL (`data:application/pdf;base64,...`).",
      param,
    );
  }
  return { mediaType: m[1] as string, source: { kind: "base64", data: (m[2] as string).replace(/\s/g, "") } };
}
