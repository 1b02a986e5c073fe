import { createServer, type Server } from "node:http";
import { handleAnthropic } from "./anthropic.ts";
import { handleGemini } from "./gemini.ts";
import { handleImages } from "./images.ts";
import { handleModelList } from "./model-lists.ts";
import { handleOpenAI } from "./openai.ts";
import { handleOpenAIResponses } from "./openai-responses.ts";
import { readBody, requestLog, sendJson } from "./scenario.ts";

/** /deploy/<name>/v1/…: one more keyless OpenAI-compatible host per name, told apart by path. */
const DEPLOYMENT = /^\/deploy\/[a-z0-9-]+\/v1\//;

/**
 * One loopback HTTP server that imitates every vendor at its real paths, under a prefix per
 * vendor: /openai/v1 (its Responses API too: openai-responses.ts), /compat/v1 (keyless
 * OpenAI-compatible), /deploy/<name>/v1 (as many more of those as a test names, which refuse a
 * key containing "refused" with a 401), /anthropic, /gemini; /listing, compatible hosts' model lists
 * (model-lists.ts); and /images, an image host (images.ts).
 * GET /__log?model=<name> answers what was received for that model name (see scenario.ts).
 */
export function startUpstream(): Promise<{ server: Server; port: number }> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://mock");
    const path = url.pathname;
    try {
      if (req.method === "GET" && path === "/__log") {
        return sendJson(
          res,
          200,
          requestLog.filter((r) => r.model === url.searchParams.get("model")),
        );
      }
      if (path === "/openai/v1/responses" || path.startsWith("/openai/v1/responses/"))
        return await handleOpenAIResponses(req, res, url);
      if (req.method === "POST" && path.startsWith("/openai/v1/"))
        return await handleOpenAI(req, res, path, false);
      if (req.method === "POST" && path.startsWith("/compat/v1/"))
        return await handleOpenAI(req, res, path, true);
      if (req.method === "POST" && DEPLOYMENT.test(path)) {
        // A key with "refused" in it is refused as a real host refuses a revoked key.
        if (String(req.headers.authorization ?? "").includes("refused")) {
          const body = (await readBody(req)) as { model?: string } | null;
          requestLog.push({
            path,
            at: Date.now(),
            model: body?.model ?? "",
            headers: req.headers,
            body,
            aborted: false,
          });
          return sendJson(res, 401, {
            error: { message: "Incorrect API key provided.", type: "invalid_request_error" },
          });
        }
        return await handleOpenAI(req, res, path, true);
      }
      if (
        req.method === "POST" &&
        (path === "/anthropic/v1/messages" || path === "/anthropic/v1/messages/count_tokens")
      )
        return await handleAnthropic(req, res, path);
      if (req.method === "POST" && path.startsWith("/gemini/")) return await handleGemini(req, res, url);
      if (req.method === "GET" && path.startsWith("/images/")) return await handleImages(req, res, url);
      if (req.method === "GET" && /^\/listing\/[^/]+\/v1\/models$/.test(path))
        return handleModelList(req, res, path);
      sendJson(res, 404, { error: { message: `mock: no route ${req.method} ${path}` } });
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `mock crashed: ${String(err)}` } });
      else res.destroy();
    }
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({ server, port: typeof address === "object" && address ? address.port : 0 });
    });
  });
}
