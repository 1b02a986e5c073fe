import { invalidRequest } from "../errors/gateway-error";
import { base64url, fromBase64url } from "../util/encoding";

/**
 * Opaque keyset-pagination cursors: the sort key of the last row returned, as base64url JSON.
 * Keyset (not offset) pagination keeps pages free of duplicates and gaps while rows are added.
 */
export type CursorValue = string | number;

export function encodeCursor(values: CursorValue[]): string {
  return base64url(new TextEncoder().encode(JSON.stringify(values)));
}

export function decodeCursor(cursor: string, shape: ("string" | "number")[]): CursorValue[] {
  try {
    const values: unknown = JSON.parse(new TextDecoder().decode(fromBase64url(cursor)));
    if (
      Array.isArray(values) &&
      values.length === shape.length &&
      values.every((v, i) => typeof v === shape[i])
    ) {
      return values as CursorValue[];
    }
  } catch {
    // fall through: any undecodable cursor is the client's error
  }
  throw invalidRequest("invalid_cursor", "The cursor is not one this list returned.", "cursor");
}

/** Fetch `limit + 1` rows, then call this: it trims the extra row and makes the next cursor. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  cursorOf: (row: R) => CursorValue[],
  serialize: (row: R) => T,
): { data: T[]; next_cursor: string | null } {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  return {
    data: page.map(serialize),
    next_cursor: more && last !== undefined ? encodeCursor(cursorOf(last)) : null,
  };
}

/** The common case: a list keyed by one string column (an id, slug or alias). */
export const decodeKeyCursor = (cursor: string | undefined): string | undefined =>
  cursor === undefined ? undefined : (decodeCursor(cursor, ["string"])[0] as string);

/**
 * A page of a list keyed by one string column: `read` fetches `limit + 1` rows past the cursor's
 * key (undefined: from the start), then the rows are paged by `keyOf`.
 */
export async function keysetPage<R, T>(
  { limit, cursor }: { limit: number; cursor?: string | undefined },
  read: (limit: number, key: string | undefined) => Promise<R[]>,
  keyOf: (row: R) => string,
  serialize: (row: R) => T,
): Promise<{ data: T[]; next_cursor: string | null }> {
  const rows = await read(limit, decodeKeyCursor(cursor));
  return toPage(rows, limit, (row) => [keyOf(row)], serialize);
}
