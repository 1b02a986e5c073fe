import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { buildOpenApiDocument } from "../../src/openapi/document";
import { PAGE_PATHS } from "../../src/pages/routes";

// Runs in Node, as the document is only built here (src/openapi/document.ts), and the validator
// compiles JSON Schemas to code, which workerd forbids. The Worker serves the same document from
// assets/openapi.json (test/http/openapi.test.ts), with the request's origin in `servers`.
const app = createApp();
const doc: any = buildOpenApiDocument();

describe("assets/openapi.json", () => {
  it("is the document the routes make now", async () => {
    await expect(
      `${JSON.stringify(doc, null, 2)}\n`,
      "assets/openapi.json is stale: `npm run openapi` rewrites it",
    ).toMatchFileSnapshot("../../assets/openapi.json");
  });
});

const METHODS = ["get", "post", "put", "patch", "delete"] as const;
const AUTHENTICATED = [{ bearerAuth: [] }, { apiKeyHeader: [] }];
/** The routes anyone may call: they opt out of the document's default security. */
const PUBLIC = ["/health", "/v1/images/files/{file}"];

describe("the OpenAPI document", () => {
  it("is an OpenAPI 3.1 document that a validator accepts", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("describes every registered route, and nothing else", () => {
    const registered = app.routes
      .filter((r) => r.method !== "ALL" && !["/openapi.json", ...PAGE_PATHS].includes(r.path as never))
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

  it("declares every tag it uses, the client dialects first (the reference's sidebar order)", () => {
    const declared = (doc.tags as { name: string }[]).map((t) => t.name);
    const used = new Set(
      Object.values(doc.paths as Record<string, Record<string, any>>).flatMap((ops) =>
        METHODS.flatMap((m) => ops[m]?.tags ?? []),
      ),
    );
    expect([...used].filter((t) => !declared.includes(t))).toEqual([]);
    expect(declared.slice(0, 4)).toEqual(["Chat", "Messages", "Responses", "Images"]);
    expect(declared.at(-1)).toBe("System");
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

  it("names the dialects' request, response and error components, and every $ref resolves", () => {
    const names = Object.keys(doc.components.schemas);
    expect(names).toEqual(
      expect.arrayContaining([
        "AnthropicMessagesRequest",
        "AnthropicCountTokensRequest",
        "AnthropicMessage",
        "AnthropicCountTokens",
        "AnthropicError",
        "AnthropicContentBlock",
        "AnthropicTextBlock",
        "AnthropicToolUseBlock",
        "AnthropicToolResultBlock",
        "AnthropicCustomTool",
        "ResponsesRequest",
        "ResponsesInputTokensRequest",
        "ResponsesInputTokens",
        "ResponsesInputItem",
        "ResponsesMessageItem",
        "ResponsesFunctionCallItem",
        "ResponsesFunctionCallOutputItem",
        "ResponsesContentPart",
        "ResponsesInputImage",
        "ResponsesFunctionTool",
        "ResponsesCustomTool",
        "ResponsesTool",
      ]),
    );
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(refs.filter((r) => !names.includes(r as string))).toEqual([]);
  });

  it("gives Anthropic's Messages routes the statuses Anthropic answers", () => {
    for (const path of ["/v1/messages", "/v1/messages/count_tokens"]) {
      expect(Object.keys(doc.paths[path].post.responses).sort(), path).toEqual(
        ["200", "400", "401", "403", "404", "413", "429", "500", "502", "503", "504", "529"].sort(),
      );
    }
  });
});
