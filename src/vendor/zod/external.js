// The part of zod's classic API (node_modules/zod/v4/classic/external.js) that the Worker uses,
// re-exported from zod's own modules. Whatever is exported here stays in the bundle, used or not:
// @hono/zod-openapi hands the whole `z` namespace to extendZodWithOpenApi (src/vendor/zod-to-openapi
// in the bundle), so esbuild cannot drop any of it. zod's full namespace kept its 40-odd locales
// (~260 KB minified), z.compile (code generated at run time, which Workers forbid), and every
// schema type and string format the code never builds (9.6 KiB of the gzipped bundle). Schema
// methods (`.email()`, `.optional()`) are the schemas' own and all stay; English messages stay
// registered by zod itself (classic/schemas.js). wrangler.toml's [alias] points "zod" here for the
// deploy bundle, vitest.config.ts for the workers tests; test/node/zod-shim.test.ts fails when the
// code calls a zod export that is missing here, or no longer calls one that is still here.

export * as coerce from "../../../node_modules/zod/v4/classic/coerce.js";
export * as iso from "../../../node_modules/zod/v4/classic/iso.js";
export {
  array,
  boolean,
  discriminatedUnion,
  email,
  enum,
  int,
  literal,
  looseObject,
  null,
  number,
  object,
  record,
  string,
  tuple,
  union,
  unknown,
  url,
  // Also what src/vendor/zod-to-openapi extends with `.openapi()`.
  ZodType,
} from "../../../node_modules/zod/v4/classic/schemas.js";
