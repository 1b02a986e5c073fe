import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, screenshot, type Watched, watchedPage } from "./browser";
import { type DevWorker, startDevWorker } from "./dev-worker";

/** The console by keyboard alone: every control reachable in order, its focus visible, labelled. */
let worker: DevWorker;
let browser: Browser;
let w: Watched;

beforeAll(async () => {
  [worker, browser] = await Promise.all([startDevWorker(), launch()]);
  w = await watchedPage(browser, worker.origin);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
});

/** What has focus now: its tag, accessible label and whether an outline shows it. */
// Evaluated in the page (a string: this project's types have no DOM).
const FOCUSED = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    name: (el.getAttribute("aria-label") ?? el.labels?.[0]?.textContent ?? el.textContent ?? "").trim(),
    visible: style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) > 0,
  };
})()`;
const focused = (page: Page) =>
  page.evaluate(FOCUSED) as Promise<{ tag: string; name: string; visible: boolean } | null>;

async function tabTo(page: Page, name: string | RegExp, max = 40) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const now = await focused(page);
    if (now && (typeof name === "string" ? now.name === name : name.test(now.name))) return now;
  }
  throw new Error(`${String(name)} is not reachable with Tab`);
}

describe("the console by keyboard", () => {
  it("signs in, moves between views and signs out with the keyboard only, focus always visible", async () => {
    const { page } = w;
    await page.goto(`${worker.origin}/console`);
    const field = await tabTo(page, "API key");
    expect(field).toMatchObject({ tag: "input", visible: true });
    await page.keyboard.type("local-admin-key");
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Sign out" }).waitFor();

    // The skip link comes first and moves focus to the view.
    expect(await tabTo(page, "Skip to content", 1)).toMatchObject({ tag: "a", visible: true });
    await page.keyboard.press("Enter");

    const link = await tabTo(page, "Usage");
    expect(link).toMatchObject({ tag: "a", visible: true });
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Usage", level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/console/usage");

    // Every control of the view has a label a screen reader reads.
    const unlabelled =
      await page.evaluate(`[...document.querySelectorAll("main input, main select, main textarea")]
      .filter((el) => !el.labels?.length && !el.getAttribute("aria-label"))
      .map((el) => el.outerHTML)`);
    expect(unlabelled).toEqual([]);
    await screenshot(page, "keyboard-usage");

    await tabTo(page, "Sign out", 60);
    await page.keyboard.press("Enter");
    await page.getByLabel("API key").waitFor();
    expect(w.foreign).toEqual([]);
    expect(w.errors).toEqual([]);
  });
});
