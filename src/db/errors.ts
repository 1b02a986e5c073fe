/** D1 reports constraint failures only in the message; Drizzle wraps them, so walk the causes. */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (/UNIQUE constraint failed|SQLITE_CONSTRAINT_PRIMARYKEY/i.test(e.message)) return true;
  }
  return false;
}
