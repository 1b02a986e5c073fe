import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import prebuilt from "../../assets/openapi.json?raw";

// The document itself is built and checked in Node (test/node/openapi.test.ts); this is what the
// Worker makes of the prebuilt copy.
const fetchDocument = (origin: string) => exports.default.fetch(new Request(`${origin}/openapi.json`));

describe("GET /openapi.json", () => {
  it("serves assets/openapi.json with the origin it was asked at as its server", async () => {
    for (const origin of ["http://switchboard.test", "https://api.example.com", "http://switchboard.test"]) {
      const res = await fetchDocument(origin);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(res.headers.get("x-request-id")).toMatch(/^req_/);
      // Byte for byte what the generator's document gives through c.json, `servers` in its place.
      expect(await res.text()).toBe(JSON.stringify({ ...JSON.parse(prebuilt), servers: [{ url: origin }] }));
    }
  });
});
