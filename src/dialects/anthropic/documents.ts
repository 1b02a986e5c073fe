import { httpsFileUrl } from "../../chat/file-source";
import type { ContentPart } from "../../chat/types";
import { invalidRequest } from "../../errors/gateway-error";
import { isKnownDocumentSource, type KnownContentBlock } from "./schema";

/**
 * A `document` block as neutral parts, for vendors behind the neutral model.
 * - A PDF (`base64`, or an https `url`) becomes a file part; its `title` the file name. Each
 *   adapter sends it as its vendor takes PDFs, or refuses it (a vendor that cannot fetch URLs
 *   refuses URL PDFs: the gateway fetches nothing on a client's behalf).
 * - Plain text (`text`) and content blocks (`content`) become text (and image) parts: every
 *   vendor reads those; the title leads the text, so the model still sees which document it is.
 * - `context` (what the client says about the document) is a text part before it.
 * - Refused by name: Files API sources (only Anthropic holds those files), citations (only
 *   Anthropic cites), and source types this gateway does not model.
 * @see https://platform.claude.com/docs/en/build-with-claude/pdf-support
 * @see https://platform.claude.com/docs/en/build-with-claude/citations
 */

type Block<T extends KnownContentBlock["type"]> = Extract<KnownContentBlock, { type: T }>;
type Inner = Block<"text"> | Block<"image">;

const ONLY_ANTHROPIC = "can only be sent to `anthropic` vendors";

export function documentParts(
  block: Block<"document">,
  param: string,
  /** How the blocks of a `content` source translate (text and image blocks, as anywhere else). */
  inner: (b: Inner, param: string) => ContentPart,
): ContentPart[] {
  if (block.citations?.enabled) {
    throw invalidRequest("unsupported_citations", `Citations ${ONLY_ANTHROPIC}.`, `${param}.citations`);
  }
  const title = block.title ?? "";
  const context = block.context ? [{ type: "text" as const, text: block.context }] : [];
  const s = block.source;
  if (!isKnownDocumentSource(s)) {
    throw invalidRequest(
      "unsupported_document",
      `Document sources of type \`${s.type}\` ${ONLY_ANTHROPIC}.`,
      `${param}.source.type`,
    );
  }
  switch (s.type) {
    case "base64":
      return [
        ...context,
        {
          type: "file",
          mediaType: "application/pdf",
          source: { kind: "base64", data: s.data.replace(/\s+/g, "") },
          ...(title ? { filename: title } : {}),
        },
      ];
    case "url":
      return [
        ...context,
        {
          type: "file",
          mediaType: "application/pdf",
          source: httpsFileUrl(s.url, `${param}.source.url`),
          ...(title ? { filename: title } : {}),
        },
      ];
    case "text": {
      const text = [title, block.context ?? "", s.data].filter((t) => t !== "").join("\n\n");
      return text === "" ? [] : [{ type: "text", text }];
    }
    case "content": {
      const lead = [title, block.context ?? ""].filter((t) => t !== "").join("\n\n");
      const head = lead === "" ? [] : [{ type: "text" as const, text: lead }];
      const content = s.content;
      if (typeof content === "string")
        return content === "" ? head : [...head, { type: "text", text: content }];
      return [...head, ...content.map((b, k) => inner(b, `${param}.source.content.${k}`))];
    }
    case "file":
      throw invalidRequest(
        "unsupported_document",
        `Documents from Anthropic's Files API ${ONLY_ANTHROPIC}; send the PDF as base64 (or a URL) instead.`,
        `${param}.source`,
      );
  }
}

/** A PDF URL: https only (plain http would send the document's address in the clear). */
