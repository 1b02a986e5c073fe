import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { defineConfig, type Plugin } from "vite";

/**
 * The console and the docs page, built into assets/ui/ (served by the Worker through its ASSETS
 * binding, src/pages/). Nothing is fetched from another origin at run time: Scalar's standalone
 * build comes from the pinned npm package, copied as it is (bundling it again would only cost
 * build time), under a name with its version so a browser's cached copy never outlives it.
 */
const root = import.meta.dirname;
// The package's exports name neither package.json nor the standalone build: read them by path.
const scalarPackage = resolve(root, "../node_modules/@scalar/api-reference");
const scalarVersion: string = JSON.parse(
  readFileSync(resolve(scalarPackage, "package.json"), "utf8"),
).version;
export const SCALAR_FILE = `docs/scalar-${scalarVersion}.js`;

function copyScalar(): Plugin {
  return {
    name: "switchboard:scalar",
    generateBundle() {
      this.emitFile({
        type: "asset",
        fileName: SCALAR_FILE,
        source: readFileSync(resolve(scalarPackage, "dist/browser/standalone.js")),
      });
    },
    // The docs page names the file with its version; the placeholder keeps the HTML free of it.
    transformIndexHtml: (html) => html.replaceAll("%SCALAR_FILE%", `/ui/${SCALAR_FILE}`),
  };
}

export default defineConfig({
  root,
  base: "/ui/",
  plugins: [copyScalar()],
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: resolve(root, "../assets/ui"),
    emptyOutDir: true,
    // No inline scripts or data: URLs, so the pages run under `default-src 'self'`.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: { console: resolve(root, "console/index.html"), docs: resolve(root, "docs/index.html") },
    },
  },
  logLevel: "warn",
});
