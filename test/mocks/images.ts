import type { IncomingMessage, ServerResponse } from "node:http";
import { TINY_PNG_B64 } from "./openai.ts";
import { requestLog, sendJson } from "./scenario.ts";

/**
 * An image host, for the images the gateway fetches on a client's behalf (src/util/fetch-image.ts).
 * Tests reach it as `https://images.test/images/...` (test/http/image-host.ts routes that origin
 * here), since the gateway fetches only https. Every request is logged under its path and query
 * (`/__log?model=/images/tiny.png?t=abc`), so a test counts its own hits by a unique query.
 *
 * - `tiny.png`: a real 1×1 PNG, served as image/png;
 * - `photo.jpg`: a real 1×1 JPEG, served as application/octet-stream (the type must come from
 *   the bytes);
 * - `text.png`: plain text, served as image/png;
 * - `huge.png`: a PNG signature and then 20 MB + 1 byte, chunked, no content-length;
 * - `redirect/<n>/<name>`: `n` redirects (alternately absolute and relative `Location`s), then
 *   `<name>`;
 * - `to-http/<name>`: a redirect to `http://images.test/images/<name>`;
 * - `status/<code>`: that status, with a short body;
 * - `hang`: never answers.
 */

export const IMAGE_ORIGIN = "https://images.test";

/** A 1×1 JPEG (baseline, greyscale). */
export const TINY_JPEG_B64 =
  "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=";

const HUGE_BYTES = 20 * 1024 * 1024 + 1;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export async function handleImages(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  requestLog.push({
    path: url.pathname,
    at: Date.now(),
    model: url.pathname + url.search,
    headers: req.headers,
    body: null,
    aborted: false,
  });
  const name = url.pathname.slice("/images/".length);
  const redirect = /^redirect\/([1-9]\d*)\/(.+)$/.exec(name);
  if (redirect) {
    const left = Number(redirect[1]);
    const next = left === 1 ? `/images/${redirect[2]}` : `/images/redirect/${left - 1}/${redirect[2]}`;
    const location = left % 2 === 0 ? `${next}${url.search}` : `${IMAGE_ORIGIN}${next}${url.search}`;
    res.writeHead(302, { location });
    res.end();
    return;
  }
  const toHttp = /^to-http\/(.+)$/.exec(name);
  if (toHttp) {
    res.writeHead(302, { location: `http://images.test/images/${toHttp[1]}${url.search}` });
    res.end();
    return;
  }
  const status = /^status\/(\d{3})$/.exec(name);
  if (status) {
    res.writeHead(Number(status[1]), { "content-type": "text/plain" });
    res.end("no image here");
    return;
  }
  switch (name) {
    case "tiny.png":
      return send(res, "image/png", Buffer.from(TINY_PNG_B64, "base64"));
    case "photo.jpg":
      return send(res, "application/octet-stream", Buffer.from(TINY_JPEG_B64, "base64"));
    case "text.png":
      return send(res, "image/png", Buffer.from("this is not an image\n"));
    case "huge.png":
      return sendHuge(res);
    case "hang":
      return; // the socket closes when the gateway gives up
    default:
      sendJson(res, 404, { error: `mock image host: no ${name}` });
  }
}

function send(res: ServerResponse, type: string, bytes: Buffer) {
  res.writeHead(200, { "content-type": type, "content-length": String(bytes.length) });
  res.end(bytes);
}

/** Written a MiB at a time, waiting for the socket to drain, so the gateway can stop it midway. */
async function sendHuge(res: ServerResponse) {
  res.writeHead(200, { "content-type": "image/png" });
  res.write(PNG_SIGNATURE);
  const mib = Buffer.alloc(1024 * 1024);
  let left = HUGE_BYTES - PNG_SIGNATURE.length;
  while (left > 0 && !res.destroyed) {
    const chunk = left >= mib.length ? mib : mib.subarray(0, left);
    left -= chunk.length;
    if (!res.write(chunk)) await drainedOrClosed(res);
  }
  res.end();
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done).off("close", done);
      resolve();
    };
    res.on("drain", done).on("close", done);
  });
}
