import { env } from "cloudflare:workers";
import { afterAll, beforeAll, vi } from "vitest";
import { IMAGE_ORIGIN } from "../mocks/images";

/**
 * The gateway fetches client images over https only, and the mock image host (test/mocks/images.ts)
 * listens on plain http on loopback: for the tests of one file, requests to IMAGE_ORIGIN are sent
 * there (the worker runs in the tests' isolate, so this is the fetch it calls), and those to
 * `https://down.test` to a closed port. Everything else goes out as it would.
 */
export const DOWN_ORIGIN = "https://down.test";

export function routeImageHost() {
  beforeAll(() => {
    const real = globalThis.fetch.bind(globalThis);
    vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.startsWith(`${IMAGE_ORIGIN}/`)) {
        return real(`${env.MOCK_UPSTREAM_URL}${url.slice(IMAGE_ORIGIN.length)}`, init);
      }
      if (url.startsWith(`${DOWN_ORIGIN}/`))
        return real(`http://127.0.0.1:1${url.slice(DOWN_ORIGIN.length)}`, init);
      return real(input, init);
    });
  });
  afterAll(() => {
    vi.restoreAllMocks();
  });
}

/** What the image host received for a path and query, in order. */
export async function imageHits(pathAndQuery: string) {
  const res = await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(pathAndQuery)}`);
  return (await res.json()) as { path: string; headers: Record<string, string> }[];
}
