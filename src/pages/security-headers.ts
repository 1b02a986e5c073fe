/**
 * Headers of the console and the docs page. Nothing they run comes from another origin or from
 * inline markup: `default-src 'self'` with no `'unsafe-inline'` script, and no framing (a page
 * holding an API key must not be clickjacked).
 */
const common = [
  "default-src 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

/** The console: its own scripts and styles, its API calls to this origin. */
export const CONSOLE_CSP = common.join("; ");

/**
 * Scalar's reference (Vue) injects its styles as <style> elements at run time and compiles
 * nothing from strings; `'unsafe-inline'` for styles only, never for scripts.
 */
export const DOCS_CSP = [...common, "style-src 'self' 'unsafe-inline'"].join("; ");

export function pageHeaders(csp: string): Record<string, string> {
  return {
    "content-security-policy": csp,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    // The HTML names its hashed scripts: always revalidated, so a deploy shows at once.
    "cache-control": "no-cache",
  };
}
