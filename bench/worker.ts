import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";
import { findDescendants } from "./proc.ts";

/**
 * The worker as deployed: `wrangler deploy --dry-run --minify` builds the bundle Cloudflare would
 * receive, and Miniflare runs that file under workerd with the bindings wrangler derives from
 * wrangler.toml. Requests reach the worker on a direct workerd socket (Miniflare's
 * `unsafeDirectSockets`): Miniflare's entry worker, which routes, logs and decorates requests in
 * development, is not in the path, and neither is anything in Node.
 *
 * Miniflare is the one wrangler itself depends on (the top-level node_modules/miniflare is
 * @cloudflare/vitest-plugin's, with an older workerd). Nothing is persisted: storage lives in a
 * temporary directory removed on dispose.
 */

const require = createRequire(import.meta.url);
const wranglerDir = dirname(dirname(require.resolve("wrangler")));

/** The slice of Miniflare's API used here (its types belong to another copy of the package). */
interface MiniflareInstance {
  ready: Promise<URL>;
  unsafeGetDirectURL(workerName?: string, entrypoint?: string): Promise<URL>;
  getInspectorURL(): Promise<URL>;
  getD1Database(
    binding: string,
    workerName?: string,
  ): Promise<{
    prepare(sql: string): {
      bind(...values: unknown[]): { run(): Promise<unknown> };
      run(): Promise<unknown>;
    };
  }>;
  dispose(): Promise<void>;
}
type MiniflareModule = {
  Miniflare: new (options: unknown) => MiniflareInstance;
  /** Miniflare 5 takes a new options shape; wrangler still derives the version 4 one. */
  convertV4MiniflareOptions(options: Record<string, unknown>): unknown;
  Log: new (level: number) => unknown;
  LogLevel: Record<string, number>;
};

export interface Bundle {
  dir: string;
  /** The bundle's main module. */
  path: string;
  bytes: number;
  gzipBytes: number;
  /** What wrangler printed: `Total Upload: 767.98 KiB / gzip: 192.20 KiB`. */
  wranglerSummary: string | null;
}

/** Builds the deploy bundle into a new temporary directory. */
export async function buildBundle(root: string): Promise<Bundle> {
  const dir = await mkdtemp(join(tmpdir(), "switchboard-bench-build-"));
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [join(wranglerDir, "bin", "wrangler.js"), "deploy", "--dry-run", "--outdir", dir, "--minify"],
      {
        cwd: root,
        env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
        maxBuffer: 16 * 1024 * 1024,
        timeout: 120_000,
      },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`wrangler deploy --dry-run failed: ${err.message}\n${stdout}\n${stderr}`));
        else resolve(`${stdout}\n${stderr}`);
      },
    );
  });
  const main = (await readdir(dir)).find((f) => f.endsWith(".js"));
  if (!main) throw new Error(`wrangler wrote no .js bundle into ${dir}`);
  const path = join(dir, main);
  const code = await readFile(path);
  return {
    dir,
    path,
    bytes: (await stat(path)).size,
    gzipBytes: gzipSync(code).length,
    wranglerSummary: /Total Upload: [^\n]+/.exec(output)?.[0]?.trim() ?? null,
  };
}

export interface WorkerHandle {
  /** The worker's origin, http://127.0.0.1:<port>. */
  url: URL;
  /** The probe worker's origin (bench/probe-worker.js), when it was asked for. */
  probeUrl: URL | undefined;
  /** The counting worker's origin (bench/counting-entry.js), when it was asked for. */
  countingUrl: URL | undefined;
  /** The workerd process running it. */
  pid: number;
  workerdVersion: string;
  miniflareVersion: string;
  /** The last lines workerd wrote, for failure reports. */
  recentOutput(): string;
  /** workerd's inspector (http://127.0.0.1:<port>), when asked for. */
  inspectorUrl: URL | undefined;
  dispose(): Promise<void>;
}

export interface BootOptions {
  root: string;
  bundle: Bundle;
  vars: Record<string, string>;
  /** Opens workerd's V8 inspector on this loopback port (0: any), for --profile runs only. */
  inspectorPort?: number | undefined;
  /** Also runs the probe worker in the same workerd, forwarding to this origin (the mock's). */
  probeUpstream?: string | undefined;
  /**
   * Also runs the counting worker: the same bundle behind bench/counting-entry.js, whose fetches
   * to this origin (the mock's) are the upstream calls.
   */
  countingUpstream?: string | undefined;
}

/**
 * The probe worker (bench/probe-worker.js): the runtime's floor, measured next to the gateway in
 * the same workerd process. Its bindings are its own, of the same kinds as the gateway's: a D1
 * database holding one API-key-like row, a rate limit (the gateway's shape, limit raised the same
 * way), and a queue it consumes itself.
 */
export const PROBE = {
  name: "bench-probe",
  keyHash: "4f1c3c8e0d6b2a97e5d0c1b8a3f7e6d5c4b3a29180f7e6d5c4b3a2918f7e6d5c",
  userId: "usr_probe0123456789abcdefgh",
  queue: "bench-probe-queue",
} as const;

const LOG_TAIL = 8192;

/** Starts workerd with the bundle and the D1 migrations applied; only loopback addresses. */
export async function bootWorker(opts: BootOptions): Promise<WorkerHandle> {
  const miniflarePath = createRequire(join(wranglerDir, "package.json")).resolve("miniflare");
  const mf = (await import(pathToFileURL(miniflarePath).href)) as MiniflareModule;
  const miniflareVersion = await packageVersion(miniflarePath, "miniflare");
  const workerdVersion = await packageVersion(
    createRequire(miniflarePath).resolve("workerd/package.json"),
    "workerd",
  );

  const configPath = join(opts.root, "wrangler.toml");
  const config = unstable_readConfig({ config: configPath });
  // Quietly: wrangler says it read .dev.vars, whose values are replaced below anyway.
  const logLevel = process.env.WRANGLER_LOG;
  process.env.WRANGLER_LOG = "warn";
  let workerOptions: ReturnType<typeof unstable_getMiniflareWorkerOptions>["workerOptions"];
  try {
    ({ workerOptions } = unstable_getMiniflareWorkerOptions(configPath));
  } finally {
    if (logLevel === undefined) delete process.env.WRANGLER_LOG;
    else process.env.WRANGLER_LOG = logLevel;
  }
  // Rate-limit tiers (wrangler.toml) would refuse a benchmark's thousands of requests a minute:
  // the binding is still called on every request, only its limit is raised.
  const ratelimits = Object.fromEntries(
    Object.entries(workerOptions.ratelimits ?? {}).map(([name, rl]) => [
      name,
      { ...rl, simple: { ...rl.simple, limit: 1_000_000_000 } },
    ]),
  );

  const probe = opts.probeUpstream === undefined ? [] : [probeWorker(workerOptions, opts.probeUpstream)];
  const name = config.name ?? "switchboard";
  const { assets: assetOptions, ...rest } = withoutKey(workerOptions, "modulesRules");
  const assets = assetOptions as { binding?: string; directory: string } | undefined;
  const gatewayWorker = {
    // The bundle is one module: the source rules wrangler used to build it do not apply.
    ...rest,
    // Static assets (the OpenAPI document, read through the ASSETS binding) would put Miniflare's
    // simulation of Cloudflare's asset router in front of every request: two more isolates in the
    // measured process (~200 µs a request each under the profiler) that deployed are Cloudflare's,
    // not the Worker's CPU. The binding is served from Node instead, from the same directory.
    serviceBindings: {
      ...(rest.serviceBindings as Record<string, unknown> | undefined),
      ...(assets ? { [assets.binding ?? "ASSETS"]: assetsFrom(assets.directory) } : {}),
    },
    name,
    // wrangler.toml's vars only, never .dev.vars (a developer's keys stay out of the benchmark).
    bindings: { ...(config.vars as Record<string, string>), ...opts.vars },
    ratelimits,
    modules: true,
    scriptPath: opts.bundle.path,
    modulesRoot: opts.bundle.dir,
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0, proxy: false }],
  };
  const counting =
    opts.countingUpstream === undefined
      ? []
      : [await countingWorker(gatewayWorker, opts.bundle, opts.countingUpstream)];

  const storage = await mkdtemp(join(tmpdir(), "switchboard-bench-state-"));
  let tail = "";
  const options = mf.convertV4MiniflareOptions({
    host: "127.0.0.1",
    port: 0,
    ...(opts.inspectorPort === undefined
      ? {}
      : { inspectorPort: opts.inspectorPort, inspectorHost: "127.0.0.1" }),
    log: new mf.Log(mf.LogLevel.WARN ?? 2),
    logRequests: false,
    enableDevRegistry: false,
    telemetry: { enabled: false },
    cf: false,
    resourcePersistencePath: storage,
    resourceTmpPath: storage,
    // The worker logs one JSON line per request (a console.log, as in production): kept here
    // only as a tail for failure reports, never printed.
    handleStructuredLogs(log: { level: string; message: string }) {
      tail = `${tail}${log.level}: ${log.message}\n`.slice(-LOG_TAIL);
    },
    workers: [gatewayWorker, ...probe, ...counting],
  });
  const miniflare = new mf.Miniflare(options);
  // Miniflare's own signal hook stops workerd and exits the process at once on Ctrl-C, before any
  // asynchronous cleanup: the state directory goes on the way out.
  const removeStorage = () => rmSync(storage, { recursive: true, force: true });
  process.on("exit", removeStorage);
  const dispose = async () => {
    await miniflare.dispose().catch(() => {});
    process.off("exit", removeStorage);
    await rm(storage, { recursive: true, force: true });
  };
  try {
    await miniflare.ready;
    const url = await miniflare.unsafeGetDirectURL(name);
    await applyMigrations(miniflare, join(opts.root, "migrations"));
    const probeUrl = probe.length ? await bootProbe(miniflare) : undefined;
    const countingUrl = counting.length
      ? new URL((await miniflare.unsafeGetDirectURL(COUNTING_NAME)).origin)
      : undefined;
    const workerd = findDescendants(process.pid, "workerd");
    if (workerd.length !== 1) {
      throw new Error(`expected one workerd process under pid ${process.pid}, found ${workerd.length}`);
    }
    return {
      url: new URL(url.origin),
      probeUrl,
      countingUrl,
      pid: (workerd[0] as { pid: number }).pid,
      workerdVersion,
      miniflareVersion,
      recentOutput: () => tail,
      inspectorUrl: opts.inspectorPort === undefined ? undefined : await miniflare.getInspectorURL(),
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}

function probeWorker(
  gateway: ReturnType<typeof unstable_getMiniflareWorkerOptions>["workerOptions"],
  upstream: string,
): Record<string, unknown> {
  return {
    name: PROBE.name,
    compatibilityDate: gateway.compatibilityDate,
    compatibilityFlags: gateway.compatibilityFlags,
    modules: true,
    scriptPath: join(dirname(fileURLToPath(import.meta.url)), "probe-worker.js"),
    bindings: { UPSTREAM: upstream, KEY_HASH: PROBE.keyHash },
    d1Databases: { DB: { id: "bench-probe-db" } },
    ratelimits: {
      RL: {
        type: "ratelimit",
        namespace_id: "9001",
        simple: { limit: 1_000_000_000, period: 60 },
        name: "RL",
      },
    },
    queueProducers: { Q: { queueName: PROBE.queue } },
    // Without a consumer, Miniflare's broker answers a send without reading the message: the
    // probe consumes its own queue (and acknowledges each batch), with the gateway's batching.
    queueConsumers: { [PROBE.queue]: { maxBatchSize: 100, maxBatchTimeout: 5 } },
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0, proxy: false }],
  };
}

const COUNTING_NAME = "switchboard-counting";

/**
 * The counting worker: the gateway's bundle behind bench/counting-entry.js (main module), with the
 * gateway's bindings. D1 and KV are the gateway's own (the same ids: Miniflare shares them), so it
 * sees the benchmark's user, keys and cache entries; it sends to the gateway's usage queue but does
 * not consume it (one consumer per queue: the gateway's). Usage records go out one per call
 * (USAGE_FLUSH_MS=0), in the call's own waitUntil, instead of joining another request's pack.
 */
async function countingWorker(
  gateway: Record<string, any>,
  bundle: Bundle,
  upstream: string,
): Promise<Record<string, unknown>> {
  const here = dirname(fileURLToPath(import.meta.url));
  const module = async (name: string, from: string) => ({
    type: "ESModule",
    path: join(bundle.dir, name),
    contents: await readFile(from, "utf8"),
  });
  const kinds: [string, string][] = [
    ["d1Databases", "d1"],
    ["kvNamespaces", "kv"],
    ["durableObjects", "do"],
    ["queueProducers", "queue"],
    ["ratelimits", "ratelimit"],
  ];
  const bindings = Object.fromEntries(
    kinds.flatMap(([option, kind]) => Object.keys(gateway[option] ?? {}).map((name) => [name, kind])),
  );
  const { scriptPath: _, queueConsumers: __, ...rest } = gateway;
  return {
    ...rest,
    name: COUNTING_NAME,
    bindings: {
      ...gateway.bindings,
      USAGE_FLUSH_MS: "0",
      BENCH_COUNTING: JSON.stringify({ upstream, bindings }),
    },
    modules: [
      await module("counting-entry.js", join(here, "counting-entry.js")),
      await module("counting.js", join(here, "counting.js")),
      await module("gateway.js", bundle.path),
    ],
  };
}

/** The probe's one-row table, and its origin. */
async function bootProbe(miniflare: MiniflareInstance): Promise<URL> {
  const db = await miniflare.getD1Database("DB", PROBE.name);
  await db
    .prepare("CREATE TABLE api_keys (hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, rate_limit INTEGER)")
    .run();
  await db.prepare("INSERT INTO api_keys VALUES (?, ?, ?)").bind(PROBE.keyHash, PROBE.userId, 600).run();
  return new URL((await miniflare.unsafeGetDirectURL(PROBE.name)).origin);
}

/** Applies migrations/*.sql in order, as `wrangler d1 migrations apply` would. */
async function applyMigrations(miniflare: MiniflareInstance, dir: string): Promise<void> {
  const db = await miniflare.getD1Database("DB");
  const files = (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  for (const file of files) {
    const sql = await readFile(join(dir, file), "utf8");
    for (const statement of sql.split("--> statement-breakpoint")) {
      if (statement.trim()) await db.prepare(statement).run();
    }
  }
}

/** The ASSETS binding as Node answers it: a file of `directory` by the request's path, or 404. */
function assetsFrom(directory: string) {
  return async (request: Request) => {
    const path = join(directory, decodeURIComponent(new URL(request.url).pathname));
    if (!path.startsWith(`${directory}/`)) return new Response("not found", { status: 404 });
    try {
      return new Response(await readFile(path));
    } catch {
      return new Response("not found", { status: 404 });
    }
  };
}

function withoutKey<T extends object, K extends keyof T>(obj: T, key: K): Omit<T, K> {
  const { [key]: _, ...rest } = obj;
  return rest;
}

async function packageVersion(resolvedEntry: string, name: string): Promise<string> {
  let dir = dirname(resolvedEntry);
  while (dir !== dirname(dir)) {
    try {
      const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
      if (pkg.name === name) return String(pkg.version);
    } catch {
      // no package.json at this level
    }
    dir = dirname(dir);
  }
  return "unknown";
}
