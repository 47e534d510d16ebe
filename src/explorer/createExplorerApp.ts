import fs from "node:fs";
import { Hono, type Context } from "hono";
import { streamSSE } from "hono/streaming";
import { CLIENT_SCRIPT } from "./clientScript";
import type { ExplorerQueries } from "./ExplorerQueries";
import { html, type SafeHtml } from "./html";
import { disputePage, disputesPage } from "./pages/disputes";
import { gamePage } from "./pages/games";
import { layout } from "./pages/layout";
import { modelPage, modelsPage } from "./pages/models";
import { nodePage, nodesPage } from "./pages/nodes";
import { overviewPage } from "./pages/overview";
import { receiptPage } from "./pages/receipt";
import { requestPage, requestsPage } from "./pages/requests";

/** A change of the index that open pages should show: the new head and how many events it added. */
export interface IndexUpdate {
  block: string;
  events: number;
}

/** Where the app learns about index changes (the indexer loop publishes, SSE clients subscribe). */
export interface UpdateFeed {
  subscribe(listener: (update: IndexUpdate) => void): () => void;
}

/** A minimal in-process feed. */
export function createUpdateFeed(): UpdateFeed & { publish(update: IndexUpdate): void } {
  const listeners = new Set<(update: IndexUpdate) => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    publish(update) {
      for (const listener of listeners) listener(update);
    },
  };
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const UINT = /^[0-9]{1,78}$/;

/** JSON with bigints as decimal strings (as every Verity API). */
function json(c: Context, value: unknown, status: 200 | 400 | 404 = 200) {
  return c.body(
    JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? v.toString(10) : v)),
    status,
    {
      "content-type": "application/json; charset=utf-8",
    },
  );
}

function problem(c: Context, status: 400 | 404, error: string, message: string) {
  return json(c, { error, message }, status);
}

function page(c: Context, title: string, body: SafeHtml, status: 200 | 404 = 200) {
  const fragment = c.req.header("x-explorer-fragment") === "1";
  return c.html(fragment ? body.value : layout(title, body).value, status);
}

/**
 * The explorer's Hono app: the JSON API under `/api` (docs/services.md § Explorer), server-rendered HTML pages, the
 * live-update stream (`/api/stream`, server-sent events) and the static assets (uPlot from node_modules, the client
 * script). Read-only: it only queries the index.
 */
export function createExplorerApp(queries: ExplorerQueries, feed: UpdateFeed): Hono {
  const app = new Hono();
  const uplotJs = fs.readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"));
  const uplotCss = fs.readFileSync(require.resolve("uplot/dist/uPlot.min.css"));
  const asset = (body: Buffer | string, type: string) => (c: Context) =>
    c.body(typeof body === "string" ? body : new Uint8Array(body), 200, {
      "content-type": type,
      "cache-control": "public, max-age=3600",
    });
  app.get("/assets/uPlot.iife.min.js", asset(uplotJs, "text/javascript; charset=utf-8"));
  app.get("/assets/uPlot.min.css", asset(uplotCss, "text/css; charset=utf-8"));
  app.get("/assets/explorer.js", asset(CLIENT_SCRIPT, "text/javascript; charset=utf-8"));

  app.get("/favicon.ico", (c) => c.body(null, 204));
  app.get("/health", (c) => json(c, { status: queries.head() ? "ok" : "starting", head: queries.head() }));

  // JSON API
  app.get("/api/overview", (c) => json(c, queries.overview()));
  app.get("/api/nodes", (c) => json(c, queries.nodes()));
  app.get("/api/nodes/:address", (c) => {
    const address = c.req.param("address");
    if (!ADDRESS.test(address)) return problem(c, 400, "InvalidParameter", "address must be 0x and 20 bytes of hex");
    const node = queries.node(address.toLowerCase());
    return node ? json(c, node) : problem(c, 404, "UnknownNode", `no node ${address} in the index`);
  });
  app.get("/api/models", (c) => json(c, queries.models()));
  app.get("/api/models/:id", (c) => {
    const id = c.req.param("id");
    if (!BYTES32.test(id)) return problem(c, 400, "InvalidParameter", "model id must be 0x and 32 bytes of hex");
    const model = queries.model(id.toLowerCase());
    return model ? json(c, model) : problem(c, 404, "UnknownModel", `no model ${id} in the index`);
  });
  app.get("/api/receipts/:key", (c) => {
    const key = c.req.param("key");
    if (!BYTES32.test(key)) {
      return problem(c, 400, "InvalidParameter", "give a receipt hash or a request id (0x and 32 bytes of hex)");
    }
    const receipts = queries.receipts(key.toLowerCase());
    return receipts.length > 0
      ? json(c, receipts)
      : problem(c, 404, "UnknownReceipt", `no receipt with hash or request id ${key} in the index`);
  });
  app.get("/api/disputes", (c) => json(c, queries.disputes(limitOf(c))));
  app.get("/api/disputes/:id", (c) => {
    const id = c.req.param("id");
    if (!UINT.test(id)) return problem(c, 400, "InvalidParameter", "dispute id must be a decimal integer");
    const dispute = queries.dispute(BigInt(id).toString(10));
    return dispute ? json(c, dispute) : problem(c, 404, "UnknownDispute", `no dispute ${id} in the index`);
  });
  app.get("/api/games", (c) => json(c, queries.games(limitOf(c))));
  app.get("/api/games/:id", (c) => {
    const id = c.req.param("id");
    if (!UINT.test(id)) return problem(c, 400, "InvalidParameter", "game id must be a decimal integer");
    const game = queries.game(BigInt(id).toString(10));
    return game ? json(c, game) : problem(c, 404, "UnknownGame", `no fraud game ${id} in the index`);
  });
  app.get("/api/disagreements", (c) => json(c, queries.disagreements(limitOf(c))));
  app.get("/api/fraud-judges", (c) => json(c, queries.fraudJudges()));
  app.get("/api/requests", (c) => json(c, queries.requests(limitOf(c))));
  app.get("/api/requests/:id", (c) => {
    const id = c.req.param("id");
    if (!BYTES32.test(id)) return problem(c, 400, "InvalidParameter", "request id must be 0x and 32 bytes of hex");
    const request = queries.request(id.toLowerCase());
    return request ? json(c, request) : problem(c, 404, "UnknownRequest", `no router request ${id} in the index`);
  });
  app.get("/api/events", (c) => json(c, queries.recentEvents(limitOf(c))));
  app.get("/api/stream", (c) =>
    streamSSE(c, async (stream) => {
      const head = queries.head();
      await stream.writeSSE({ event: "hello", data: JSON.stringify({ block: head?.block ?? null }) });
      const queue: IndexUpdate[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = feed.subscribe((update) => {
        queue.push(update);
        wake?.();
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      while (!stream.aborted && !stream.closed) {
        const update = queue.shift();
        if (update) {
          await stream.writeSSE({ event: "index", data: JSON.stringify(update) });
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 15_000);
        });
        wake = undefined;
        if (queue.length === 0 && !stream.aborted) await stream.write(": keep-alive\n\n");
      }
      unsubscribe();
    }),
  );

  // HTML pages
  app.get("/", (c) => page(c, "Overview", overviewPage(queries.overview(), queries.nodes())));
  app.get("/nodes", (c) => page(c, "Nodes", nodesPage(queries.nodes())));
  app.get("/nodes/:address", (c) => {
    const address = c.req.param("address");
    const node = ADDRESS.test(address) ? queries.node(address.toLowerCase()) : undefined;
    return node ? page(c, `Node ${address}`, nodePage(node)) : notFound(c, `No node ${address} in the index.`);
  });
  app.get("/models", (c) => page(c, "Models", modelsPage(queries.models())));
  app.get("/models/:id", (c) => {
    const id = c.req.param("id");
    const model = BYTES32.test(id) ? queries.model(id.toLowerCase()) : undefined;
    return model ? page(c, `Model ${id}`, modelPage(model)) : notFound(c, `No model ${id} in the index.`);
  });
  app.get("/receipts/:key", (c) => {
    const key = c.req.param("key");
    const receipts = BYTES32.test(key) ? queries.receipts(key.toLowerCase()) : [];
    return receipts.length > 0
      ? page(c, `Receipt ${key}`, receiptPage(receipts, key))
      : notFound(
          c,
          `No receipt with hash or request id ${key} in the index (receipts inside a batch are known once the ` +
            "indexer fetched the batch file from its node).",
        );
  });
  app.get("/disputes", (c) =>
    page(
      c,
      "Disputes",
      disputesPage(queries.disputes(limitOf(c)), {
        games: queries.games(limitOf(c)),
        disagreements: queries.disagreements(limitOf(c)),
        judges: queries.fraudJudges(),
      }),
    ),
  );
  app.get("/games", (c) => c.redirect("/disputes"));
  app.get("/games/:id", (c) => {
    const id = c.req.param("id");
    const game = UINT.test(id) ? queries.game(BigInt(id).toString(10)) : undefined;
    return game ? page(c, `Fraud game #${id}`, gamePage(game)) : notFound(c, `No fraud game ${id} in the index.`);
  });
  app.get("/disputes/:id", (c) => {
    const id = c.req.param("id");
    const dispute = UINT.test(id) ? queries.dispute(BigInt(id).toString(10)) : undefined;
    return dispute ? page(c, `Dispute #${id}`, disputePage(dispute)) : notFound(c, `No dispute ${id} in the index.`);
  });
  app.get("/requests", (c) => page(c, "Requests", requestsPage(queries.requests(limitOf(c)))));
  app.get("/requests/:id", (c) => {
    const id = c.req.param("id");
    const request = BYTES32.test(id) ? queries.request(id.toLowerCase()) : undefined;
    return request
      ? page(c, `Request ${id}`, requestPage(request))
      : notFound(c, `No router request ${id} in the index.`);
  });
  app.get("/search", (c) => {
    const q = (c.req.query("q") ?? "").trim();
    if (ADDRESS.test(q)) return c.redirect(`/nodes/${q.toLowerCase()}`);
    if (/^#?[0-9]{1,78}$/.test(q)) return c.redirect(`/disputes/${q.replace("#", "")}`);
    if (BYTES32.test(q)) {
      const key = q.toLowerCase();
      if (queries.receipts(key).length > 0) return c.redirect(`/receipts/${key}`);
      if (queries.request(key)) return c.redirect(`/requests/${key}`);
      if (queries.model(key)) return c.redirect(`/models/${key}`);
    }
    return notFound(c, `Nothing in the index matches "${q}".`);
  });
  return app;
}

function notFound(c: Context, message: string) {
  return page(c, "Not found", layoutMessage(message), 404);
}

function layoutMessage(message: string): SafeHtml {
  return html`<h1>Not found</h1>
    <p>${message}</p>`;
}

function limitOf(c: Context): number {
  const value = Number(c.req.query("limit") ?? "100");
  return Number.isInteger(value) && value > 0 && value <= 1000 ? value : 100;
}
