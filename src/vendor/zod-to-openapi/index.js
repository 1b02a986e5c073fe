// What @hono/zod-openapi imports from @asteasolutions/zod-to-openapi, for the Worker, which never
// builds the OpenAPI document: that is done in Node from the same routes (src/openapi/document.ts)
// and served prebuilt (src/openapi/document-route.ts). The real module is the document generator (8 KiB of
// the gzipped bundle); what routing and validation need of it is nothing: OpenAPIHono only
// records routes and components in its registry for the generator, and `.openapi()` only attaches
// metadata for it. So the registry keeps nothing, and `.openapi()` returns the schema itself, which
// validates exactly as the copy carrying metadata would. wrangler.toml's [alias] points the bundle
// here, vitest.config.ts the workers tests; test/node/zod-to-openapi-stand-in.test.ts fails when an
// upgrade of @hono/zod-openapi imports something else.

const prebuilt = () => {
  throw new Error("The Worker serves the prebuilt OpenAPI document (src/openapi/document-route.ts)");
};

export class OpenAPIRegistry {
  get definitions() {
    return [];
  }
  register(_refId, schema) {
    return schema;
  }
  registerParameter(_refId, schema) {
    return schema;
  }
  registerPath() {}
  registerWebhook() {}
  registerComponent(componentType, name) {
    return { name, ref: { $ref: `#/components/${componentType}/${name}` } };
  }
}

export class OpenApiGeneratorV3 {
  generateDocument = prebuilt;
}

export class OpenApiGeneratorV31 {
  generateDocument = prebuilt;
}

export function extendZodWithOpenApi(zod) {
  zod.ZodType.prototype.openapi = function () {
    return this;
  };
}

export const getOpenApiMetadata = () => ({});
