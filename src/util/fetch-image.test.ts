import { describe, expect, it, vi } from "vitest";
import { GatewayError } from "../errors/gateway-error";
import { fetchImage, MAX_IMAGE_BYTES } from "./fetch-image";

const PARAM = "messages.0.content.0.image_url.url";
const signal = new AbortController().signal;

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => (e instanceof GatewayError ? { status: e.status, code: e.code, param: e.param } : e),
  );

// The HTTP paths (redirects, sizes, types, statuses, timeouts) are tested through the gateway in
// test/http/inline-images.test.ts; these are the checks a client request cannot reach.
describe("fetchImage", () => {
  it("refuses a URL that is not https without fetching it", async () => {
    const fetch = vi.fn<typeof globalThis.fetch>();
    for (const url of ["http://example.com/a.png", "file:///etc/passwd", "not a url"]) {
      expect(await refusal(fetchImage(url, PARAM, { signal, fetch }))).toEqual({
        status: 400,
        code: "image_url_not_https",
        param: PARAM,
      });
    }
    expect(fetch).not.toHaveBeenCalled();
  });

  it("refuses a declared length over the cap before reading the body", async () => {
    // A body that never ends: reading it would hang this test.
    const fetch = vi.fn(
      async () =>
        new Response(new ReadableStream(), {
          headers: { "content-length": String(MAX_IMAGE_BYTES + 1) },
        }),
    );
    expect(await refusal(fetchImage("https://x.test/a.png", PARAM, { signal, fetch }))).toMatchObject({
      code: "image_url_too_large",
    });
  });

  it("asks with no headers but `accept`, and follows no redirect itself", async () => {
    const fetch = vi.fn(async () => new Response(new Uint8Array([0xff, 0xd8, 0xff, 0xdb])));
    expect(await fetchImage("https://x.test/a.jpg", PARAM, { signal, fetch })).toMatchObject({
      mediaType: "image/jpeg",
    });
    expect(fetch).toHaveBeenCalledWith("https://x.test/a.jpg", {
      method: "GET",
      redirect: "manual",
      headers: { accept: "image/*" },
      signal,
    });
  });

  it("reads a redirect without a Location as the host's error status", async () => {
    const fetch = vi.fn(async () => new Response(null, { status: 302 }));
    expect(await refusal(fetchImage("https://x.test/a.png", PARAM, { signal, fetch }))).toMatchObject({
      code: "image_url_http_error",
    });
  });
});
