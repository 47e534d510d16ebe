import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * A route served on Node's own HTTP parser, before (and instead of) the Hono app: no web `Request`/`Response` objects
 * are built for it. For the few hot routes only; its handler must answer exactly as the app would.
 */
export interface NativeRoute {
  method: string;
  /** The exact path (a query string after it is allowed and ignored). */
  path: string;
  handle(request: IncomingMessage, response: ServerResponse): void;
}

// The Host values @hono/node-server takes as they are (its `reValidHost`): anything else goes to the app, which
// validates it (400 for a malformed one), so a native route never answers a request the app would refuse.
const PLAIN_HOST = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/;

/** The native route that serves `request`, if any. */
export function findNativeRoute(routes: readonly NativeRoute[], request: IncomingMessage): NativeRoute | undefined {
  const url = request.url ?? "";
  for (const route of routes) {
    if (request.method !== route.method || !url.startsWith(route.path)) continue;
    if (url.length !== route.path.length && url.charCodeAt(route.path.length) !== 63 /* ? */) continue;
    const host = request.headers.host;
    if (host === undefined || !PLAIN_HOST.test(host)) return undefined;
    return route;
  }
  return undefined;
}

const decoder = new TextDecoder();

/**
 * The request body as text (UTF-8, a leading BOM dropped, as `Request.text()` reads it), or `undefined` when it is
 * over `maxBytes`: by its `Content-Length` before reading (unless it is chunked), else as it streams in — the rule of
 * Hono's `bodyLimit`.
 */
export function readRequestText(request: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const declared = request.headers["content-length"];
  const chunked = request.headers["transfer-encoding"] !== undefined;
  if (declared !== undefined && !chunked) {
    if (parseInt(declared || "0", 10) > maxBytes) return Promise.resolve(undefined);
    maxBytes = Infinity; // Node's parser stops at the declared length
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.off("data", onData);
        request.off("end", onEnd);
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(decoder.decode(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    request.on("data", onData);
    request.once("end", onEnd);
    request.once("error", reject);
  });
}

/** Answers `body` as JSON the way Hono's `c.json` does through @hono/node-server (same headers, `Content-Length`). */
export function writeJson(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader("Content-Type", "application/json");
  response.end(JSON.stringify(body));
}
