import type { TestProject } from "vitest/node";
import { startUpstream } from "./mocks/upstream-server";

declare module "vitest" {
  interface ProvidedContext {
    upstreamPort: number;
  }
}

/** Starts the mock vendors on loopback for the whole run; the worker reaches them by base URL. */
export default async function setup(project: TestProject) {
  const { server, port } = await startUpstream();
  project.provide("upstreamPort", port);
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}
