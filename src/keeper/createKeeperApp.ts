import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";
import type { Address, Hex } from "viem";
import { type GetVerityDomainParameters, getBatchId } from "../protocol";
import type { KeeperStore } from "./KeeperStore";
import type { KeeperMetrics } from "./metrics";
import type { NodeInfo } from "./NodeDirectory";
import type { ReceiptIngest } from "./ingest/ReceiptIngest";
import { type Rejection, receiptsRequestSchema, validateReceipts } from "./validateReceipts";

export interface KeeperAppOptions {
  store: KeeperStore;
  metrics: KeeperMetrics;
  logger: Logger;
  domain: GetVerityDomainParameters;
  lookupNode: (node: Address) => Promise<NodeInfo>;
  refreshNode: (node: Address) => Promise<NodeInfo>;
  /** Called after receipts were stored (wakes the batcher). */
  onAccepted: () => void;
  health: () => Promise<Record<string, unknown>>;
  /** Largest body (default 8 MiB); larger ones get 413. */
  maxBodyBytes?: number | undefined;
  /** The fast path (worker pool, group commit) and its limits; without it, receipts are checked one by one inline. */
  ingest?: KeeperIngestState | undefined;
}

/** The keeper's ingestion pipeline with its back-pressure state. */
export interface KeeperIngestState {
  ingest: ReceiptIngest;
  /** Receipts being checked or committed now. */
  pending: number;
  /** At this many pending receipts, new requests get 503 with `Retry-After`. */
  maxPending: number;
  /** True when the stored queue (receipts waiting for a batch) is at its limit: 503 too. */
  queueFull: () => boolean;
  retryAfterSeconds: number;
}

/** Largest `POST /v1/receipts` body: room for the most receipts one request may carry. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

const error = (name: string, message: string) => ({ error: name, message });

/** The keeper's HTTP API (docs/services.md § Keeper). */
export function createKeeperApp(o: KeeperAppOptions): Hono {
  const app = new Hono();
  const maxBodyBytes = o.maxBodyBytes ?? MAX_BODY_BYTES;
  const busy = (c: Context, why: string) => {
    o.metrics.requestsRefused.inc({ reason: "busy" });
    c.header("retry-after", String(o.ingest?.retryAfterSeconds ?? 1));
    return c.json(error("Busy", `the keeper is at its limit (${why}); retry later`), 503);
  };

  app.post(
    "/v1/receipts",
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) => {
        o.metrics.requestsRefused.inc({ reason: "body_too_large" });
        return c.json(error("BodyTooLarge", `the body exceeds ${maxBodyBytes} bytes`), 413);
      },
    }),
    async (c) => {
      // Queue limit first, before parsing: a keeper that cannot keep up says so cheaply, and the outbox backs off.
      if (o.ingest && o.ingest.pending >= o.ingest.maxPending) return busy(c, "ingestion queue full");
      if (o.ingest?.queueFull()) return busy(c, "receipt queue full");
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return c.json(error("InvalidBody", "the body is not JSON"), 400);
      }
      const parsed = receiptsRequestSchema.safeParse(body);
      if (!parsed.success) {
        const message = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
        return c.json(error("InvalidBody", message), 400);
      }
      const items = parsed.data;
      let result: { accepted: number; duplicates: number; rejected: Rejection[]; valid: number };
      try {
        if (o.ingest) {
          if (o.ingest.pending + items.length > o.ingest.maxPending && o.ingest.pending > 0) {
            return busy(c, "ingestion queue full");
          }
          o.ingest.pending += items.length;
          try {
            result = await o.ingest.ingest.ingest(items);
          } finally {
            o.ingest.pending -= items.length;
          }
        } else {
          // Today's path (the benchmarks' baseline): check one by one on the event loop, one commit per request.
          const { valid, rejected } = await validateReceipts({
            items,
            domain: o.domain,
            lookupNode: o.lookupNode,
            refreshNode: o.refreshNode,
          });
          result = { ...o.store.insertReceipts(valid), rejected, valid: valid.length };
        }
      } catch (cause) {
        o.metrics.errors.inc({ kind: "rpc" });
        o.logger.warn({ err: cause }, "cannot read node registrations or store receipts");
        c.header("retry-after", "1");
        return c.json(error("ChainUnavailable", "cannot check or store the receipts now; try again"), 503);
      }
      const { accepted, duplicates, rejected } = result;
      const byError = new Map<string, number>();
      for (const r of rejected) byError.set(r.error, (byError.get(r.error) ?? 0) + 1);
      for (const [name, n] of byError) o.metrics.receiptsRejected.inc({ error: name }, n);
      o.metrics.counts.receiptsRejected += rejected.length;
      o.metrics.receiptsAccepted.inc(accepted);
      o.metrics.receiptsDuplicate.inc(duplicates);
      o.metrics.counts.receiptsAccepted += accepted;
      o.metrics.counts.receiptsDuplicate += duplicates;
      if (accepted > 0) o.onAccepted();
      const answer = { accepted, duplicates, rejected };
      return c.json(answer, result.valid === 0 ? 400 : 200);
    },
  );

  app.get("/v1/receipts/:hash", (c) => {
    const hash = c.req.param("hash");
    if (!/^0x[0-9a-fA-F]{64}$/.test(hash))
      return c.json(error("InvalidHash", "expected a 0x-prefixed 32-byte hash"), 400);
    const stored = o.store.receipt(hash.toLowerCase() as Hex);
    if (!stored) return c.json(error("UnknownReceipt", `no receipt ${hash}`), 404);
    const batch = stored.batch === null ? undefined : o.store.batch(stored.batch);
    const task = stored.routerRequest ? o.store.task(stored.hash) : undefined;
    const state = !batch
      ? "queued"
      : batch.state === "attested"
        ? task?.fulfilled
          ? "fulfilled"
          : "attested"
        : batch.state === "submitted"
          ? "submitted"
          : "planned";
    return c.json({
      state,
      batchId: batch ? getBatchId({ node: batch.node, root: batch.root }) : null,
      sequence: batch ? batch.sequence.toString() : null,
      txHash: batch && batch.txHashes.length > 0 ? batch.txHashes[batch.txHashes.length - 1] : null,
    });
  });

  app.get("/health", async (c) => {
    const health = await o.health();
    return c.json(health, health.status === "ok" ? 200 : 503);
  });

  app.get("/metrics", async (c) => {
    o.metrics.queued.set(o.store.queuedCount());
    o.metrics.openBatches.set(o.store.openBatches().length);
    return c.text(await o.metrics.registry.metrics(), 200, { "content-type": o.metrics.registry.contentType });
  });

  app.notFound((c) => c.json(error("NotFound", `no route ${c.req.method} ${c.req.path}`), 404));
  app.onError((cause, c) => {
    o.logger.error({ err: cause }, "request failed");
    return c.json(error("InternalError", cause.message), 500);
  });
  return app;
}
