import { requestLog } from "../test/mocks/scenario.ts";
import { startUpstream } from "../test/mocks/upstream-server.ts";

/**
 * The mock vendors (test/mocks) in a process of their own, so their CPU is measured apart from
 * the load generator's. Started by bench/run.ts with an IPC channel: it sends `{ port }` once
 * listening on 127.0.0.1, and exits when the parent goes away.
 */

const { server, port } = await startUpstream();

// The mocks keep every request for tests' /__log; a benchmark sends hundreds of thousands.
setInterval(() => {
  requestLog.length = 0;
}, 1000).unref();

const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on("disconnect", stop);
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.send?.({ port });
