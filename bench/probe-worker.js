/**
 * The runtime's floor: the least a Worker can do for each thing the gateway does per request, run
 * by `npm run bench` in the same workerd process as the gateway (bench/worker.ts) with bindings of
 * its own. Each route costs one inbound request plus at most one binding call or one outbound
 * fetch, and nothing else: no framework, no validation, no logging.
 *
 *   POST /proxy/<path>         forwards to env.UPSTREAM + <path>, answers the upstream Response as is
 *   POST /proxy-stream/<path>  the same, answering `new Response(upstream.body, upstream)`
 *   POST /relay/<path>         the same stream, relayed by JavaScript: each chunk read, decoded and
 *                              looked at (as a gateway must, for usage and the finish reason), then
 *                              written into a native stream, awaited: the least a relay that looks
 *                              can cost
 *   GET  /d1                   one prepared statement's first(): the row of env.KEY_HASH by primary key
 *                              in a one-row table (an API key lookup; bench/worker.ts creates it)
 *   GET  /ratelimit            one env.RL.limit({ key })
 *   GET  /queue                one env.Q.send() of a 466-byte JSON message (a usage record), awaited
 *   GET  /log                  one console.log of a request log line (src/observability/request-log.ts)
 *   GET  /noop                 a small text answer
 *
 * The queue's consumer is this worker too: it acknowledges every batch (the messages are read and
 * dropped), so the broker's work per message counts, as it does for the gateway's usage queue.
 */

let sent = 0;

/** 466 bytes of JSON: a usage record, like src/gateway/usage.ts `toUsageMessage`'s. */
function usageMessage() {
  sent += 1;
  return {
    id: `use_probe${String(sent).padStart(16, "0")}`,
    request_id: "req_0123456789abcdefghijklmn",
    user_id: "usr_0123456789abcdefghijklmn",
    api_key_id: "key_0123456789abcdefghijklmn",
    route: "chat.completions",
    vendor: "openai",
    upstream_model: "gpt-4o-mini",
    alias: null,
    input_tokens: 21,
    output_tokens: 9,
    cached_tokens: 0,
    cost_usd: 0.0000086,
    latency_ms: 3,
    ttft_ms: null,
    status: 200,
    cache_hit: false,
    retries: 0,
    fallback_used: null,
    error_code: null,
    created_at: Date.now(),
  };
}

const text = (body, status = 200) =>
  new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const path = url.pathname;
    if (request.method === "POST" && path.startsWith("/proxy/")) {
      return fetch(env.UPSTREAM + path.slice("/proxy".length), {
        method: request.method,
        headers: request.headers,
        body: request.body,
      });
    }
    if (request.method === "POST" && path.startsWith("/proxy-stream/")) {
      const upstream = await fetch(env.UPSTREAM + path.slice("/proxy-stream".length), {
        method: request.method,
        headers: request.headers,
        body: request.body,
      });
      return new Response(upstream.body, upstream);
    }
    if (request.method === "POST" && path.startsWith("/relay/")) {
      const upstream = await fetch(env.UPSTREAM + path.slice("/relay".length), {
        method: request.method,
        headers: request.headers,
        body: request.body,
      });
      return new Response(relay(upstream.body), upstream);
    }
    if (request.method !== "GET") return text("method not allowed", 405);
    switch (path) {
      case "/d1": {
        const row = await env.DB.prepare("SELECT user_id, rate_limit FROM api_keys WHERE hash = ?")
          .bind(env.KEY_HASH)
          .first();
        return row ? text(`user ${row.user_id}`) : text("no row", 500);
      }
      case "/ratelimit": {
        const { success } = await env.RL.limit({ key: "probe-key" });
        return success ? text("allowed") : text("limited", 429);
      }
      case "/queue":
        await env.Q.send(usageMessage(), { contentType: "json" });
        return text("sent");
      case "/log":
        console.log(
          JSON.stringify({
            level: "info",
            msg: "request",
            request_id: "req_0123456789abcdef0123456789abcdef",
            method: "POST",
            route: "/v1/chat/completions",
            status: 200,
            latency_ms: 3,
            user_id: "usr_0123456789abcdefghijklmn",
            vendor: "openai",
            model: "gpt-4o-mini",
            cache: "MISS",
          }),
        );
        return text("logged");
      case "/noop":
        return text("ok");
      default:
        return text("not found", 404);
    }
  },

  queue(batch) {
    batch.ackAll();
  },
};

/** Reads, decodes and looks at every chunk, then writes it on: a gateway's relay with nothing else. */
function relay(body) {
  const { readable, writable } = new IdentityTransformStream();
  const writer = writable.getWriter();
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let finished = false;
  (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = decoder.decode(value);
      if (text.includes('"finish_reason":"')) finished = true;
      await writer.write(value);
    }
    // As a gateway must: a stream that ended without finishing does not look whole.
    if (!finished) await writer.write(new TextEncoder().encode('data: {"error":"cut off"}\n\n'));
    await writer.close();
  })().catch((err) => {
    reader.cancel(err).catch(() => {});
    writer.abort(err).catch(() => {});
  });
  return readable;
}
