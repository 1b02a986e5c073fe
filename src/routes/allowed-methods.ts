/** For 405 answers: which methods some route accepts at this path (Hono itself only says 404). */
const patterns = new WeakMap<object, { regex: RegExp; method: string }[]>();

export function methodsFor(routes: readonly { method: string; path: string }[], path: string): string[] {
  let compiled = patterns.get(routes);
  if (!compiled) {
    compiled = routes
      .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
      .map((r) => ({
        method: r.method,
        regex: new RegExp(
          `^${r.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\/:[^/]+/g, "/[^/]+")}/?$`,
        ),
      }));
    patterns.set(routes, compiled);
  }
  return [...new Set(compiled.filter((p) => p.regex.test(path)).map((p) => p.method))];
}
