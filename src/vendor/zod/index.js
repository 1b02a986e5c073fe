// The "zod" the deploy bundle and the workers tests see (wrangler.toml [alias], vitest.config.ts);
// see external.js for why.
import * as z from "./external.js";

export * from "./external.js";
export { z, z as default };
