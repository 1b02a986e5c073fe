import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";

/**
 * `npm run bench -- --profile`: where the worker process's CPU goes. workerd runs the gateway in
 * its own V8 isolate (`core:user:<name>`) and each of Miniflare's local simulations (D1, KV,
 * Queues, the Cache API, rate limits, outbound fetch) in isolates of their own, all in one
 * process, so /proc's figure is their sum. Each isolate's V8 sampling profiler (through workerd's
 * inspector, the Chrome DevTools protocol) says how much of it is which isolate, and, mapped
 * through the bundle's source map, which of the gateway's functions.
 * @see https://chromedevtools.github.io/devtools-protocol/v8/Profiler/
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/**
 * Samples per node id. V8 samples an isolate only while it runs (workerd runs every isolate on one
 * thread, taking turns), so time is hits × the sampling interval; the gaps between samples, when
 * other isolates ran, belong to none of them.
 */
export function hitCounts(profile: CpuProfile): Map<number, number> {
  const hits = new Map<number, number>();
  for (const id of profile.samples ?? []) hits.set(id, (hits.get(id) ?? 0) + 1);
  return hits;
}

/** The interval actually achieved: the median gap between samples of a busy isolate, in µs. */
export function effectiveInterval(profiles: Iterable<CpuProfile>, requested: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (const p of profiles) {
    const deltas = [...(p.timeDeltas ?? [])].sort((a, b) => a - b);
    if (deltas.length < 100) continue;
    best = Math.min(best, deltas[Math.floor(deltas.length / 2)] as number);
  }
  return Number.isFinite(best) ? Math.max(best, requested) : requested;
}

/** V8's pseudo-frames: not JavaScript, but time the isolate spent in the runtime, GC, or idle. */
const PSEUDO = new Set(["(idle)", "(program)", "(garbage collector)", "(root)"]);

export interface IsolateSummary {
  /** Samples that were not idle (JavaScript, the runtime's calls made from it, GC). */
  busySamples: number;
  gcSamples: number;
}

export function summarizeIsolate(profile: CpuProfile): IsolateSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  let busy = 0;
  let gc = 0;
  for (const [id, hits] of hitCounts(profile)) {
    const name = byId.get(id)?.callFrame.functionName;
    if (name === "(idle)") continue;
    busy += hits;
    if (name === "(garbage collector)") gc += hits;
  }
  return { busySamples: busy, gcSamples: gc };
}

export interface HotSpot {
  /** `src/gateway/usage.ts:42 recordCall`, a package, a runtime API, or a pseudo-frame. */
  where: string;
  samples: number;
}

/** The bundle as the profile names it (its module name), and its source map. */
export interface BundleSource {
  url: string;
  sourceMapPath: string;
}

/**
 * Self time grouped by place: the bundle's functions through its source map (minified names say
 * nothing), dependencies per package, the runtime's own JavaScript (the D1 client, console, ...)
 * per function and module, native APIs as `name [runtime]`.
 */
export function hotSpots(profile: CpuProfile, bundle: BundleSource | undefined, limit: number): HotSpot[] {
  const map = bundle ? new SourceMap(JSON.parse(readFileSync(bundle.sourceMapPath, "utf8"))) : undefined;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  for (const [id, hits] of hitCounts(profile)) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === "(idle)") continue;
    const key = locate(frame, bundle && map ? { url: bundle.url, map } : undefined);
    totals.set(key, (totals.get(key) ?? 0) + hits);
  }
  return [...totals.entries()]
    .map(([where, samples]) => ({ where, samples }))
    .sort((a, b) => b.samples - a.samples)
    .slice(0, limit);
}

function locate(frame: CallFrame, bundle: { url: string; map: SourceMap } | undefined): string {
  const name = frame.functionName || "(anonymous)";
  if (PSEUDO.has(frame.functionName)) return frame.functionName;
  if (!frame.url) return `${name} [runtime]`;
  if (!bundle || frame.url !== bundle.url) return `${name} [${frame.url}]`;
  const entry = bundle.map.findEntry(frame.lineNumber, frame.columnNumber);
  if (!entry || !("originalSource" in entry)) return `${name} [${frame.url}]`;
  const source = shortSource(entry.originalSource);
  if (source.startsWith("node_modules/")) return packageOf(source);
  return `${source}:${entry.originalLine + 1} ${(entry as { name?: string }).name ?? name}`;
}

/** `../../work/main/src/app.ts` → `src/app.ts`; package files from their node_modules on. */
export function shortSource(source: string): string {
  const modules = source.lastIndexOf("node_modules/");
  if (modules >= 0) return source.slice(modules);
  const src = source.lastIndexOf("src/");
  return src >= 0 ? source.slice(src) : source;
}

/**
 * `node_modules/@hono/zod-openapi/dist/index.js` → `node_modules/@hono/zod-openapi`. A package
 * whose own source map points outside it (drizzle-orm's `../src/sql/sql.ts` lands in
 * `node_modules/src/`) keeps its file path.
 */
export function packageOf(source: string): string {
  const parts = source.slice("node_modules/".length).split("/");
  if (parts[0] === "src") return source;
  const name = parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  return `node_modules/${name}`;
}

// --- The inspector connection -------------------------------------------------------------

interface Target {
  id: string;
  webSocketDebuggerUrl: string;
}

class Session {
  #ws: WebSocket;
  #next = 1;
  #pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  readonly id: string;

  private constructor(id: string, ws: WebSocket) {
    this.id = id;
    this.#ws = ws;
    ws.addEventListener("message", (event) => {
      const msg = JSON.parse(String(event.data));
      const waiter = msg.id === undefined ? undefined : this.#pending.get(msg.id);
      if (!waiter) return;
      this.#pending.delete(msg.id);
      if (msg.error) waiter.reject(new Error(`${this.id}: ${msg.error.message}`));
      else waiter.resolve(msg.result);
    });
  }

  static open(target: Target): Promise<Session> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(target.webSocketDebuggerUrl);
      ws.addEventListener("open", () => resolve(new Session(target.id, ws)), { once: true });
      ws.addEventListener("error", () => reject(new Error(`cannot open the inspector of ${target.id}`)), {
        once: true,
      });
    });
  }

  send(method: string, params: object = {}): Promise<any> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.#ws.close();
  }
}

/** Profiles every isolate of a workerd while `work` runs; returns their profiles by isolate id. */
export async function profileIsolates(
  inspector: URL,
  work: () => Promise<void>,
  samplingMicros = 250,
): Promise<Map<string, CpuProfile>> {
  const all = (await (await fetch(`http://${inspector.host}/json/list`)).json()) as Target[];
  // A target whose address has a fragment (Miniflare's glue services) cannot be reached by a
  // WebSocket, and runs none of the gateway's code: it is left out.
  const list = all.filter((t) => !t.webSocketDebuggerUrl.includes("#"));
  const sessions = await Promise.all(list.map((t) => Session.open(t)));
  try {
    for (const s of sessions) {
      await s.send("Profiler.enable");
      await s.send("Profiler.setSamplingInterval", { interval: samplingMicros });
    }
    await Promise.all(sessions.map((s) => s.send("Profiler.start")));
    await work();
    const profiles = new Map<string, CpuProfile>();
    for (const s of sessions) profiles.set(s.id, (await s.send("Profiler.stop")).profile as CpuProfile);
    return profiles;
  } finally {
    for (const s of sessions) s.close();
  }
}

// --- Report --------------------------------------------------------------------------------

export interface ProfileReport {
  label: string;
  requests: number;
  /** The workerd process's CPU per request from /proc during the profiled phase (profiler included). */
  processMicrosPerRequest: number;
  intervalMicros: number;
  /** Isolate id → samples summary. */
  isolates: Map<string, IsolateSummary>;
  /** The gateway isolate's id and its hot spots. */
  gateway: string;
  hotSpots: HotSpot[];
}

const pad = (s: string, n: number) => s.padEnd(n);
const num = (n: number) => n.toFixed(0).padStart(6);
const pct = (n: number) => `${(n * 100).toFixed(0).padStart(3)}%`;

export function renderProfile(r: ProfileReport): string {
  const perReq = (samples: number) => (samples * r.intervalMicros) / r.requests;
  const rows = [...r.isolates.entries()]
    .map(([id, s]) => ({ id, micros: perReq(s.busySamples) }))
    .sort((a, b) => b.micros - a.micros);
  const inIsolates = rows.reduce((sum, row) => sum + row.micros, 0);
  const lines = [
    `${r.label}: ${r.requests} requests, sampled every ~${r.intervalMicros.toFixed(0)} µs. The profiler slows workerd down:`,
    `the process used ${r.processMicrosPerRequest.toFixed(0)} µs CPU/request (unprofiled: see the table), ${inIsolates.toFixed(0)} of them in isolates;`,
    "the rest is the runtime outside JavaScript (HTTP, I/O, calls between isolates) and the profiler itself.",
    `  ${pad("isolate", 58)} µs/req  share of isolate time`,
  ];
  for (const row of rows) {
    if (row.micros < 1) continue;
    const name = row.id === r.gateway ? `${row.id} (the gateway)` : `${row.id} (Miniflare's simulation)`;
    lines.push(`  ${pad(name, 58)} ${num(row.micros)}  ${pct(row.micros / inIsolates)}`);
  }
  const gateway = perReq(r.isolates.get(r.gateway)?.busySamples ?? 0);
  lines.push(
    "",
    `  The gateway isolate's self time, top ${r.hotSpots.length}:`,
    `  ${"µs/req".padStart(6)}  share  where`,
  );
  for (const h of r.hotSpots)
    lines.push(`  ${num(perReq(h.samples))}  ${pct(perReq(h.samples) / gateway)}  ${h.where}`);
  return lines.join("\n");
}
