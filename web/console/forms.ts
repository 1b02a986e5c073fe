import { ApiError, api, type Page } from "./api";
import type { Session } from "./session";

/** A number input's value: undefined when empty (the API's "not given"), else the number. */
export const numberOf = (value: string): number | undefined =>
  value.trim() === "" ? undefined : Number(value);

/** The text of a number field: empty for null. */
export const textOf = (value: number | null | undefined): string =>
  value === null || value === undefined ? "" : String(value);

/** Every item of a cursor-paginated list (for pickers: vendors are a handful). */
export async function allPages<T>(session: Session, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await api<Page<T>>(session, path, { query: { limit: 100, cursor } });
    items.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

/** Whether a server validation error names one of a form's fields (so it is shown there). */
export const namesField = (error: unknown, fields: readonly string[]): boolean =>
  error instanceof ApiError &&
  error.param !== null &&
  fields.some((f) => error.param === f || error.param?.startsWith(`${f}.`));

/** The error's message when it names exactly this param (not one under it, as `fieldError` also does). */
export const exactError = (error: unknown, param: string): string | null =>
  error instanceof ApiError && error.param === param ? error.message : null;

/** A JSON object typed in a textarea (empty: `{}`), or why it is refused before anything is sent. */
export function parseJsonObject(text: string): { value?: Record<string, unknown>; problem?: string } {
  if (text.trim() === "") return { value: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value))
      return { problem: 'Must be a JSON object, e.g. {"temperature": 0.2}.' };
    return { value: value as Record<string, unknown> };
  } catch (err) {
    return { problem: `Not valid JSON: ${(err as Error).message}` };
  }
}
