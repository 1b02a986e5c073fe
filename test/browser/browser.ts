import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/**
 * Debian's chromium driven by Playwright (its own browser download cannot be reached here;
 * .ci/run installs the package when it is missing). Every page records what must never happen:
 * a request to another origin (it is also refused, so the page works offline or not at all), a
 * console error, an uncaught exception.
 */
export interface Watched {
  context: BrowserContext;
  page: Page;
  /** Requests to anything but the worker's origin. */
  foreign: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
}

export const SCREENSHOTS = resolve(import.meta.dirname, "../../test-results/screenshots");

export function chromiumPath(): string {
  try {
    return execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(
      "No `chromium` on PATH: install Debian's package (apt-get install -y chromium), as .ci/run does.",
    );
  }
}

export function launch(): Promise<Browser> {
  // As root (CI containers) Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
}

export async function watchedPage(browser: Browser, origin: string): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
  const foreign: string[] = [];
  const errors: string[] = [];
  await context.route(
    (url) => url.origin !== origin,
    (route) => {
      foreign.push(route.request().url());
      return route.abort("blockedbyclient");
    },
  );
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  return { context, page, foreign, errors };
}

/** Saved for CI to keep as an artifact (test-results/ is not committed). */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}
