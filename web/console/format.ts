/** Display formats shared by the views. */
export const usd = (v: number): string => (v >= 1 || v === 0 ? `$${v.toFixed(2)}` : `$${v.toPrecision(3)}`);
export const count = (v: number): string => v.toLocaleString("en-US");
export const ms = (v: number | null | undefined): string =>
  v === null || v === undefined ? "–" : `${count(v)} ms`;
export const when = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toISOString().replace("T", " ").slice(0, 16) : "–";

/** `YYYY-MM-DD` of a date, UTC (what the usage API's date filters take). */
export const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

/** A CSV cell: quoted when it holds a comma, quote or line break (RFC 4180). */
export function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
