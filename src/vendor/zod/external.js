// zod's classic API (node_modules/zod/v4/classic/external.js) without `locales`: zod's error
// messages in 40-odd languages (~260 KB minified) that the Worker never uses, and which esbuild
// cannot shake because @hono/zod-openapi hands the whole `z` namespace to zod-to-openapi.
// English stays registered by zod itself (classic/schemas.js). Also left out: `z.compile` (and
// `withParser`, its errors and sentinel), which generates code at run time, which Workers forbid,
// `z.fromJSONSchema`, which builds schemas from JSON Schema, and the `z.core` namespace (zod's
// internals, which the classic API already wraps; 2.7 KiB of the gzipped bundle, as that namespace
// would keep every core export): nothing here calls them. The names the classic API takes from
// core come straight from core's own modules. wrangler.toml's [alias] points "zod" here for the
// deploy bundle, vitest.config.ts for the workers tests; keep this list in step with zod's on
// upgrades (test/node/zod-shim.test.ts fails when they part).

export * from "../../../node_modules/zod/v4/classic/checks.js";
export * as coerce from "../../../node_modules/zod/v4/classic/coerce.js";
export * from "../../../node_modules/zod/v4/classic/compat.js";
export { deepPartial } from "../../../node_modules/zod/v4/classic/deep-partial.js";
export * from "../../../node_modules/zod/v4/classic/errors.js";
export { input, output } from "../../../node_modules/zod/v4/classic/in-out.js";
export * as iso from "../../../node_modules/zod/v4/classic/iso.js";
export {
  ZodISODate,
  ZodISODateTime,
  ZodISODuration,
  ZodISOTime,
} from "../../../node_modules/zod/v4/classic/iso.js";
export * from "../../../node_modules/zod/v4/classic/parse.js";
export * from "../../../node_modules/zod/v4/classic/schemas.js";
export { TimePrecision } from "../../../node_modules/zod/v4/core/api.js";
export { $brand, config, NEVER } from "../../../node_modules/zod/v4/core/core.js";
export {
  flattenError,
  formatError,
  prettifyError,
  treeifyError,
} from "../../../node_modules/zod/v4/core/errors.js";
export { toJSONSchema } from "../../../node_modules/zod/v4/core/json-schema-processors.js";
export { memoizer } from "../../../node_modules/zod/v4/core/memoizer.js";
export * as regexes from "../../../node_modules/zod/v4/core/regexes.js";
export {
  $input,
  $output,
  globalRegistry,
  registry,
} from "../../../node_modules/zod/v4/core/registries.js";
export { getDiscriminatedOption } from "../../../node_modules/zod/v4/core/schemas.js";
export * as util from "../../../node_modules/zod/v4/core/util.js";
export { clone, toZod } from "../../../node_modules/zod/v4/core/util.js";
