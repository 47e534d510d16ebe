import { getRequestListener } from "@hono/node-server";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { findNativeRoute, type NativeRoute } from "./nativeRoute";

export interface ListenHttpParameters {
  fetch: (request: Request) => Response | Promise<Response>;
  /** Interface to bind (default 127.0.0.1). */
  host?: string | undefined;
  /** Port; 0 or omitted picks a free one. */
  port?: number | undefined;
  /** A request that takes longer is cut off, in milliseconds (Node's default when omitted). */
  requestTimeoutMs?: number | undefined;
  /** Headers that take longer to arrive are cut off (slow-loris), in milliseconds; at most `requestTimeoutMs`. */
  headersTimeoutMs?: number | undefined;
  /** Hot routes served on Node's own HTTP parser before the app (src/service/nativeRoute.ts); the rest go to `fetch`. */
  nativeRoutes?: readonly NativeRoute[] | undefined;
}

/** A listening HTTP server of a service. */
export interface HttpListener {
  /** `http://host:port` (IPv6 hosts in brackets). */
  url: string;
  port: number;
  /**
   * Stops accepting connections and resolves when open ones are done; with `dropConnections`, open ones (event
   * streams, say) are cut at once.
   */
  close(options?: { dropConnections?: boolean }): Promise<void>;
}

/**
 * Serves a Hono `fetch` handler (and any native routes before it) on `host:port`, resolving once it listens (rejecting if it can't, e.g. the port is
 * taken). With timeouts, Node checks for connections past them four times per timeout (at least every 100 ms, at
 * most every second) instead of its default 30 s, so a slow client can't sit on a connection.
 */
export async function listenHttp(parameters: ListenHttpParameters): Promise<HttpListener> {
  const host = parameters.host ?? "127.0.0.1";
  const { requestTimeoutMs, headersTimeoutMs } = parameters;
  const serverOptions =
    requestTimeoutMs === undefined
      ? {}
      : {
          requestTimeout: requestTimeoutMs,
          headersTimeout: Math.min(headersTimeoutMs ?? requestTimeoutMs, requestTimeoutMs),
          connectionsCheckingInterval: Math.max(100, Math.min(1_000, requestTimeoutMs / 4)),
        };
  // As @hono/node-server's `serve` does it, with the native routes looked up first.
  const app = getRequestListener(parameters.fetch, { hostname: host });
  const routes = parameters.nativeRoutes ?? [];
  const server: Server = createServer(
    serverOptions,
    routes.length === 0
      ? app
      : (request, response) => {
          const route = findNativeRoute(routes, request);
          if (route) route.handle(request, response);
          else void app(request, response);
        },
  );
  const info = await new Promise<AddressInfo>((resolve, reject) => {
    server.once("error", reject);
    server.listen(parameters.port ?? 0, host, () => resolve(server.address() as AddressInfo));
  });
  const listening = server;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${info.port}`,
    port: info.port,
    close: (options = {}) =>
      new Promise<void>((resolve) => {
        listening.close(() => resolve());
        if (options.dropConnections && "closeAllConnections" in listening) listening.closeAllConnections();
      }),
  };
}
