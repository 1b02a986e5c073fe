import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/**
 * The worker as `npm run dev` starts it (scripts/dev-setup.mjs, then `wrangler dev`): local D1
 * with the migrations applied, local KV, the offline mock vendor and the admin key
 * `local-admin-key` from .dev.vars.example; on a free port and a state directory of its own, so
 * a developer's `npm run dev` and its data are left alone. The pages must be built first
 * (`npm run build:web`, which `npm test` runs).
 */
export interface DevWorker {
  origin: string;
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, "../..");
const env = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  CI: "true",
};

export async function startDevWorker(): Promise<DevWorker> {
  const state = mkdtempSync(join(tmpdir(), "switchboard-dev-"));
  execFileSync("wrangler", ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
    cwd: root,
    env,
    stdio: "ignore",
  });
  const port = await freePort();
  const child = spawn(
    "wrangler",
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(await freePort()),
      "--persist-to",
      state,
      "--env-file",
      ".dev.vars.example",
      "--show-interactive-dev-session=false",
    ],
    { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await kill(child);
    rmSync(state, { recursive: true, force: true });
  };
  try {
    await waitForHealth(origin, child, () => output);
  } catch (err) {
    await stop();
    throw err;
  }
  return { origin, stop };
}

async function waitForHealth(origin: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output()}`);
    try {
      if ((await fetch(`${origin}/health`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wrangler dev did not answer /health within 60 s:\n${output()}`);
}

/** The whole process group: wrangler and the workerd it started. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once("exit", r));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-(child.pid as number), "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
    });
  });
}
