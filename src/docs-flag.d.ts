/**
 * Whether the OpenAPI document's prose is in this build: `true` where the document is built (Node:
 * src/openapi/document.ts, through vitest.config.ts's `define`), `false` in the Worker bundle
 * (wrangler.toml `[define]`), where esbuild folds `DOCS && "…"` away: the Worker serves the
 * prebuilt document (assets/openapi.json) and never reads a description. Typed `true` so a
 * description stays a string to the type checker.
 */
declare const DOCS: true;
