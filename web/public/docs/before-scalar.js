// Runs before Scalar's build. Scalar bundles zod, which first probes whether it may compile code
// with `new Function`; this page's CSP has no 'unsafe-eval', so the browser refuses the probe and
// logs a CSP violation. zod's `jitless` setting skips the probe (zod then validates without it).
globalThis.__zod_globalConfig = { ...globalThis.__zod_globalConfig, jitless: true };
