import { Validator } from "@seriousme/openapi-schema-validator";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";

// Runs in Node: the validator compiles JSON Schemas to code, which workerd forbids. The document
// comes from the same app the worker serves, through its /openapi.json route.
const app = createApp();
let doc: any;

beforeAll(async () => {
  const res = await app.request("http://switchboard.test/openapi.json", {}, {});
  expect(res.status).toBe(200);
  doc = await res.json();
});

const METHODS = ["get", "post", "put", "patch", "delete"] as const;
const AUTHENTICATED = [{ bearerAuth: [] }, { apiKeyHeader: [] }];
/** The routes anyone may call: they opt out of the document's default security. */
const PUBLIC = ["/health", "/v1/images/files/{file}"];

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document that a validator accepts", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("describes every registered route, and nothing else", () => {
    const registered = app.routes
      .filter((r) => r.method !== "ALL" && !["/openapi.json", "/docs"].includes(r.path))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z_]+)/g, "{$1}")}`);
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => METHODS.filter((m) => m in ops).map((m) => `${m} ${path}`),
    );
    expect([...new Set(documented)].sort()).toEqual([...new Set(registered)].sort());
  });

  it("gives every operation a tag, a summary, its errors in its dialect's shape, and auth where needed", () => {
    expect(doc.security).toEqual(AUTHENTICATED);
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const method of METHODS) {
        const op = ops[method];
        if (!op) continue;
        const where = `${method.toUpperCase()} ${path}`;
        expect(op.tags?.length, where).toBeGreaterThan(0);
        expect(op.summary, where).toBeTruthy();
        if (PUBLIC.includes(path)) {
          expect(op.security, where).toEqual([]);
          expect(op.responses["401"], where).toBeUndefined();
          continue;
        }
        // Inherited from the document, or (routes not yet declared through route()) the same list.
        expect(op.security ?? doc.security, where).toEqual(AUTHENTICATED);
        // Anthropic's Messages routes answer in Anthropic's envelope; every other route in ours.
        const envelope = path.startsWith("/v1/messages") ? "AnthropicError" : "Error";
        for (const status of ["400", "401", "500"]) {
          expect(op.responses[status]?.content?.["application/json"]?.schema, `${where} ${status}`).toEqual({
            $ref: `#/components/schemas/${envelope}`,
          });
        }
        const success = Object.keys(op.responses).filter((s) => s.startsWith("2"));
        expect(success.length, where).toBe(1);
      }
    }
  });

  it("declares both auth schemes and the error schema once", () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.components.securitySchemes.apiKeyHeader).toMatchObject({
      type: "apiKey",
      in: "header",
      name: "x-api-key",
    });
    expect(doc.components.schemas.Error.properties.error.required).toEqual(
      expect.arrayContaining(["type", "code", "message", "request_id"]),
    );
  });
});

describe("GET /docs", () => {
  it("serves an interactive reference page pointing at the document", async () => {
    const res = await app.request("http://switchboard.test/docs", {}, {});
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("/openapi.json");
  });
});
