import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launch, screenshot, type Watched, watchedPage } from "./browser";
import { type DevWorker, startDevWorker } from "./dev-worker";

/**
 * The console and the docs in a real browser, against the worker as `npm run dev` runs it: one
 * operator's and one user's day, in order (each step builds on the last).
 */
const ADMIN_KEY = "local-admin-key";
let worker: DevWorker;
let browser: Browser;
let admin: Watched;
let user: Watched;
let userKey = "";
const email = `ada+${Date.now()}@example.com`;

/** Chromium logs every 4xx fetch as a console error; only these (a refused model, a revoked key) are expected. */
const expectedErrors = [/Failed to load resource: the server responded with a status of (401|403)/];
const unexpected = (w: Watched) => w.errors.filter((e) => !expectedErrors.some((re) => re.test(e)));

async function signIn(page: Page, key: string) {
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

const nav = (page: Page, name: string) =>
  page.getByRole("navigation", { name: "Console" }).getByRole("link", { name, exact: true });

beforeAll(async () => {
  [worker, browser] = await Promise.all([startDevWorker(), launch()]);
  admin = await watchedPage(browser, worker.origin);
  user = await watchedPage(browser, worker.origin);
}, 90_000);

// A failed step leaves both pages as they were, for the CI artifacts.
afterEach(async ({ task }) => {
  if (task.result?.state !== "fail") return;
  const name = task.name.replace(/\W+/g, "-").slice(0, 60);
  for (const [who, w] of [
    ["admin", admin],
    ["user", user],
  ] as const) {
    if (w && !w.page.isClosed()) await screenshot(w.page, `failed-${name}-${who}`).catch(() => undefined);
  }
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
});

describe("the console", () => {
  it("signs an operator in with the admin key, to the overview", async () => {
    const page = admin.page;
    await page.goto(`${worker.origin}/console`);
    await signIn(page, ADMIN_KEY);
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    await page.getByRole("cell", { name: "No calls in this window." }).waitFor();
    expect(await page.evaluate(() => Object.keys(sessionStorage))).toEqual(["switchboard.session"]);
    expect(page.url()).not.toContain(ADMIN_KEY);
    expect(await page.context().cookies()).toEqual([]);
    await screenshot(page, "overview-empty");
  });

  it("creates a user and a key, shown once with a working copy button", async () => {
    const page = admin.page;
    await nav(page, "Users and keys").click();
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Create user" }).click();
    await page.getByRole("rowheader", { name: email }).waitFor();
    await page.getByRole("heading", { name: "API keys" }).waitFor();
    await page.getByLabel("Key name (optional)").fill("browser");
    await page.getByLabel("Models (optional)").fill("mock/*");
    await page.getByLabel("Tags (optional)").fill("team=web");
    await page.getByRole("button", { name: "Create key" }).click();
    userKey = ((await page.getByTestId("new-key").textContent()) ?? "").trim();
    expect(userKey).toMatch(/^sk-/);
    await page.getByRole("button", { name: "Copy key" }).click();
    await page.getByRole("button", { name: "Copied", exact: true }).waitFor();
    expect(await page.evaluate("navigator.clipboard.readText()")).toBe(userKey);
    await screenshot(page, "users-new-key");
    await page.getByText("models: mock/* · tags: team=web").waitFor();
    await page.getByRole("button", { name: "I have copied it" }).click();
    expect(await page.getByTestId("new-key").count()).toBe(0);
    expect(await page.content()).not.toContain(userKey);
  });

  it("shows a user key only what it may do", async () => {
    const page = user.page;
    await page.goto(`${worker.origin}/console`);
    await signIn(page, userKey);
    await page.getByText(email).waitFor();
    const links = await page.getByRole("navigation", { name: "Console" }).getByRole("link").allTextContents();
    expect(links).toContain("Playground");
    expect(links).toContain("My keys");
    for (const adminOnly of ["Overview", "Users and keys", "Vendors", "Model configs"]) {
      expect(links).not.toContain(adminOnly);
    }
  });

  it("chats in the playground with mock/echo, streamed, with usage, latency and headers", async () => {
    const page = user.page;
    await nav(page, "Playground").click();
    await page.getByLabel("Model").fill("mock/echo");
    await page.getByLabel("Message").fill("hello from the browser");
    await page.getByRole("button", { name: "Send" }).click();
    const outcome = page.getByTestId("outcome");
    await outcome.waitFor();
    expect(await page.getByTestId("transcript").textContent()).toContain("assistant: hello from the browser");
    const shown = (await outcome.textContent()) ?? "";
    expect(shown).toMatch(/\d+ in, \d+ out/);
    expect(shown).toMatch(/first text after [\d,]+ ms/);
    expect(shown).toContain("x-switchboard-model");
    expect(shown).toContain("mock/echo");
    expect(shown).toMatch(/x-request-idreq_/);
    await screenshot(page, "playground");

    // The key may call mock/* only: another model is the API's 403, shown with its request id.
    await page.getByLabel("Model").fill("openai/gpt-4o-mini");
    await page.getByLabel("Message").fill("and now?");
    await page.getByRole("button", { name: "Send" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: "openai/gpt-4o-mini" })
      .filter({ hasText: "request req_" })
      .waitFor();
  });

  it("shows the call in the user's usage", async () => {
    const page = user.page;
    await nav(page, "Usage").click();
    const requests = page.locator("tfoot td").first();
    const deadline = Date.now() + 30_000;
    // Usage is recorded through the queue after the call: a few seconds locally. Two calls: the
    // answer and the refused model.
    while ((await requests.textContent().catch(() => null)) !== "2") {
      if (Date.now() > deadline) throw new Error("the call never appeared in usage");
      await page.waitForTimeout(500);
      await page.getByRole("button", { name: "Show" }).click();
    }
    await screenshot(page, "usage");
  });

  it("renders a persona's and a conversation's content as text, never as HTML", async () => {
    const page = user.page;
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const asUser = (path: string, body: unknown) =>
      fetch(`${worker.origin}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${userKey}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }).then(async (r) => {
        expect(r.status, await r.clone().text()).toBe(201);
        return (await r.json()) as { id: string };
      });
    const img = "<img src=x onerror=alert(1)>";
    const script = "<script>alert(2)</script>";
    await asUser("/v1/personas", { name: img, system_prompt: script, model: "mock/echo" });
    const conversation = await asUser("/v1/conversations", { title: `<b>${img}</b>`, model: "mock/echo" });
    // mock/echo answers with the message: the assistant's turn carries the markup too.
    await asUser(`/v1/conversations/${conversation.id}/messages`, { content: `${script} and ${img}` });

    await nav(page, "Personas").click();
    await page.getByRole("cell", { name: img, exact: true }).waitFor();
    await screenshot(page, "personas");
    await nav(page, "Conversations").click();
    await page.getByRole("button", { name: /^Open/ }).first().click();
    await page.locator(".message-text", { hasText: script }).nth(1).waitFor();
    await screenshot(page, "conversation");
    const injected = await page.evaluate(
      "[document.querySelectorAll('main script, main img, main b').length, document.body.innerHTML.includes('<img src=\"x\"')]",
    );
    expect(injected).toEqual([0, false]);
    expect(dialogs).toEqual([]);
  });

  it("signs the user out on its next call once an admin revoked its key", async () => {
    const page = admin.page;
    await page.getByRole("button", { name: "Revoke browser" }).click();
    await page.getByRole("button", { name: "Yes, revoke browser" }).click();
    await page.getByRole("cell", { name: /^revoked / }).waitFor();

    // Any call now answers 401: opening a view makes one.
    await nav(user.page, "Usage").click();
    await user.page.getByText("Your key no longer works").waitFor();
    await user.page.getByLabel("API key").waitFor();
    expect(await user.page.evaluate(() => sessionStorage.length)).toBe(0);
    await screenshot(user.page, "signed-out");
  });

  it("shows the operator the call in the overview's charts and the vendor's latency", async () => {
    const page = admin.page;
    await nav(page, "Overview").click();
    await page.getByRole("rowheader", { name: "mock" }).waitFor();
    await page.getByRole("img", { name: "Requests, errors and cache hits" }).waitFor();
    // The playground's two calls, and the conversation's message once its record is through the queue.
    expect(await page.getByTestId("totals").textContent()).toMatch(/^[23] requests, 1 errors/);
    await page.getByLabel("Charts").selectOption("hour");
    await page.locator('[data-group-by="hour"]').getByRole("img", { name: "Spend" }).waitFor();
    await screenshot(page, "overview");
  });

  it("shows the operator every admin view", async () => {
    const page = admin.page;
    for (const [view, ready] of [
      ["Vendors", { role: "cell", name: "mock (built-in)" }],
      ["Model configs", { role: "heading", name: "Model configs" }],
      // The user's persona is private: the admin key lists shared ones only.
      ["Personas", { role: "cell", name: "No personas." }],
      ["Usage", { role: "button", name: "Show" }],
    ] as const) {
      await nav(page, view).click();
      await page.getByRole(ready.role, { name: ready.name, exact: true }).first().waitFor();
      await screenshot(page, view.toLowerCase().replaceAll(" ", "-"));
    }
  });

  it("sent nothing to another origin and logged no unexpected error", () => {
    expect(admin.foreign).toEqual([]);
    expect(user.foreign).toEqual([]);
    expect(unexpected(admin)).toEqual([]);
    expect(unexpected(user)).toEqual([]);
  });
});

describe("/docs", () => {
  it("renders the API reference offline: no request leaves the worker's origin, no console error", async () => {
    const docs = await watchedPage(browser, worker.origin);
    await docs.page.goto(`${worker.origin}/docs`);
    // Scalar parses the whole document before it renders: seconds on a busy 2-core machine.
    // Scalar renders the first sections first: the first tag's first operation.
    await docs.page
      .getByText("OpenAI Chat Completions, for any vendor or alias")
      .first()
      .waitFor({ timeout: 75_000 });
    await screenshot(docs.page, "docs", false);
    expect(docs.foreign).toEqual([]);
    expect(docs.errors).toEqual([]);
    await docs.context.close();
  }, 90_000);
});
