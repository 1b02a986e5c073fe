// zod's classic API (node_modules/zod/v4/classic/external.js) without `locales`: zod's error
// messages in 40-odd languages (~260 KB minified) that the Worker never uses, and which esbuild
// cannot shake because @hono/zod-openapi hands the whole `z` namespace to zod-to-openapi.
// English stays registered by zod itself (classic/schemas.js). Also left out: `z.compile` (and
// `withParser`, its errors and sentinel), which generates code at run time, which Workers forbid,
// and `z.fromJSONSchema`, which builds schemas from JSON Schema: together ~44 KB minified that
// nothing here calls. wrangler.toml's [alias] points
// "zod" here for the deploy bundle only; keep this list in step with zod's on upgrades.

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
export { toJSONSchema } from "../../../node_modules/zod/v4/core/json-schema-processors.js";
export * as core from "./core.js";
export {
  $brand,
  $input,
  $output,
  clone,
  config,
  flattenError,
  formatError,
  getDiscriminatedOption,
  globalRegistry,
  memoizer,
  NEVER,
  prettifyError,
  regexes,
  registry,
  TimePrecision,
  toZod,
  treeifyError,
  util,
} from "./core.js";
