import { describe, expect, it } from "vitest";
import { expectError, post, scenario } from "../helpers";
import { IMAGE_ORIGIN, TINY_JPEG_B64 } from "../mocks/images";
import { TINY_PNG_B64 } from "../mocks/openai";
import { chat, key, setupGeminiUser, user } from "./gemini-helpers";
import { DOWN_ORIGIN, imageHits, routeImageHost } from "./image-host";

setupGeminiUser();
routeImageHost();

/** An image URL on the mock host, unique to the test (so its hits and cache entry are its own). */
const imageUrl = (name: string) => {
  const query = `?t=${crypto.randomUUID().slice(0, 8)}`;
  return { url: `${IMAGE_ORIGIN}/images/${name}${query}`, logged: `/images/${name}${query}` };
};

const withImage = (url: string) =>
  user([
    { type: "text", text: "what is this?" },
    { type: "image_url", image_url: { url } },
  ]);

/** What the mock Gemini received, read back from an `inspect` answer. */
async function sentToGemini(url: string, headers?: Record<string, string>) {
  const res = await chat({ model: `gemini/${scenario("inspect")}`, messages: [withImage(url)] }, headers);
  expect(res.status, res.text).toBe(200);
  return JSON.parse(res.json.choices[0].message.content) as { body: { contents: unknown[] } };
}

const refusal = async (url: string, headers?: Record<string, string>) => {
  const res = await chat({ model: "gemini/gemini-2.5-flash", messages: [withImage(url)] }, headers);
  const err = expectError(res, 400, "invalid_request_error");
  expect(err.param).toBe("messages.0.content.1.image_url.url");
  return err;
};

describe("image URLs sent to Gemini: fetched by the gateway", () => {
  it("sends a PNG inline with its bytes and type, without the client's headers", async () => {
    const { url, logged } = imageUrl("tiny.png");
    const seen = await sentToGemini(url, { "x-client-secret": "s3cret" });
    expect(seen.body.contents).toEqual([
      {
        role: "user",
        parts: [{ text: "what is this?" }, { inlineData: { mimeType: "image/png", data: TINY_PNG_B64 } }],
      },
    ]);
    const [hit, ...more] = await imageHits(logged);
    expect(more).toEqual([]);
    expect(hit?.headers.authorization).toBeUndefined();
    expect(hit?.headers["x-api-key"]).toBeUndefined();
    expect(hit?.headers["x-client-secret"]).toBeUndefined();
    expect(hit?.headers.cookie).toBeUndefined();
  });

  it("reads the type from the bytes, not the content-type", async () => {
    const seen = await sentToGemini(imageUrl("photo.jpg").url);
    expect(JSON.stringify(seen.body.contents)).toContain(
      JSON.stringify({ inlineData: { mimeType: "image/jpeg", data: TINY_JPEG_B64 } }),
    );
  });

  it("serves a second call for the same URL from the cache: the host is asked once", async () => {
    const { url, logged } = imageUrl("tiny.png");
    await sentToGemini(url);
    const again = await sentToGemini(url);
    expect(JSON.stringify(again.body.contents)).toContain(TINY_PNG_B64);
    expect(await imageHits(logged)).toHaveLength(1);
  });

  it("fetches a URL given twice in one request once", async () => {
    const { url, logged } = imageUrl("tiny.png");
    const res = await chat({
      model: "gemini/gemini-2.5-flash",
      messages: [withImage(url), { role: "assistant", content: "A pixel." }, withImage(url)],
    });
    expect(res.status, res.text).toBe(200);
    expect(await imageHits(logged)).toHaveLength(1);
  });

  it("follows up to three https redirects, absolute or relative", async () => {
    const { url, logged } = imageUrl("redirect/3/tiny.png");
    const seen = await sentToGemini(url);
    expect(JSON.stringify(seen.body.contents)).toContain(TINY_PNG_B64);
    expect(await imageHits(logged)).toHaveLength(1);
  });

  it("refuses a fourth redirect", async () => {
    const { url, logged } = imageUrl("redirect/4/tiny.png");
    const err = await refusal(url);
    expect(err.code).toBe("image_url_too_many_redirects");
    expect(await imageHits(logged)).toHaveLength(1);
    // The image at the end of the chain was never asked for.
    expect(await imageHits(`/images/tiny.png${logged.slice(logged.indexOf("?"))}`)).toEqual([]);
  });

  it("refuses a redirect to plain http without following it", async () => {
    const err = await refusal(imageUrl("to-http/tiny.png").url);
    expect(err.code).toBe("image_url_redirect_not_https");
  });

  it("refuses a body over 20 MB, counted as it arrives", async () => {
    const err = await refusal(imageUrl("huge.png").url);
    expect(err.code).toBe("image_url_too_large");
    expect(err.message).toContain("20 MB");
  });

  it("refuses bytes that are no image, whatever the content-type says", async () => {
    const err = await refusal(imageUrl("text.png").url);
    expect(err.code).toBe("image_url_not_an_image");
  });

  it("refuses a host's error status, saying which", async () => {
    const err = await refusal(imageUrl("status/404").url);
    expect(err.code).toBe("image_url_http_error");
    expect(err.message).toContain("404");
    expect((await refusal(imageUrl("status/500").url)).code).toBe("image_url_http_error");
  });

  it("refuses a host that cannot be reached", async () => {
    const err = await refusal(`${DOWN_ORIGIN}/cat.png`);
    expect(err.code).toBe("image_url_fetch_failed");
  });

  it("refuses an image not fetched within the request's timeout", async () => {
    const started = Date.now();
    const err = await refusal(imageUrl("hang").url, { "x-timeout-ms": "300" });
    expect(err.code).toBe("image_url_timeout");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("refuses a plain http URL before fetching anything", async () => {
    const { url, logged } = imageUrl("tiny.png");
    const err = await refusal(url.replace("https:", "http:"));
    expect(err.code).toBe("invalid_image_url");
    expect(await imageHits(logged)).toEqual([]);
  });

  it("does not fetch for vendors that take URLs: they get the URL", async () => {
    const { url, logged } = imageUrl("tiny.png");
    const model = scenario("inspect");
    const res = await chat({ model: `anthropic/${model}`, max_tokens: 10, messages: [withImage(url)] });
    expect(res.status, res.text).toBe(200);
    expect(res.json.choices[0].message.content).toContain(url);
    expect(await imageHits(logged)).toEqual([]);
  });
});

describe("image URLs from other dialects, sent to Gemini", () => {
  it("inlines a Responses `input_image` URL, and names it in a refusal", async () => {
    const { url } = imageUrl("tiny.png");
    const input = (image: string) => [
      {
        role: "user",
        content: [
          { type: "input_text", text: "what is this?" },
          { type: "input_image", image_url: image, detail: "auto" },
        ],
      },
    ];
    const res = await post(
      "/v1/responses",
      { model: `gemini/${scenario("inspect")}`, input: input(url), store: false },
      { key },
    );
    expect(res.status, res.text).toBe(200);
    const text = res.json.output.find((o: any) => o.type === "message").content[0].text;
    expect(text).toContain(JSON.stringify({ inlineData: { mimeType: "image/png", data: TINY_PNG_B64 } }));

    const refused = await post(
      "/v1/responses",
      { model: "gemini/gemini-2.5-flash", input: input(imageUrl("text.png").url), store: false },
      { key },
    );
    const err = expectError(refused, 400, "invalid_request_error", "image_url_not_an_image");
    expect(err.param).toBe("input.0.content.1.image_url");
  });

  it("inlines an Anthropic `image` url source, and names it in a refusal (Anthropic's envelope)", async () => {
    const { url } = imageUrl("photo.jpg");
    const messages = (image: string) => [
      {
        role: "user",
        content: [
          { type: "text", text: "what is this?" },
          { type: "image", source: { type: "url", url: image } },
        ],
      },
    ];
    const res = await post(
      "/v1/messages",
      { model: `gemini/${scenario("inspect")}`, max_tokens: 64, messages: messages(url) },
      { key },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.json.content[0].text).toContain(
      JSON.stringify({ inlineData: { mimeType: "image/jpeg", data: TINY_JPEG_B64 } }),
    );

    const refused = await post(
      "/v1/messages",
      { model: "gemini/gemini-2.5-flash", max_tokens: 64, messages: messages(imageUrl("huge.png").url) },
      { key },
    );
    expect(refused.status, refused.text).toBe(400);
    expect(refused.json).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", message: expect.stringContaining("20 MB") },
    });
    expect(refused.json.error.message).toMatch(/^messages\.0\.content\.1\.source\.url: /);
  });
});
