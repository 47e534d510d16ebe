import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";
import type { Address, Hex } from "viem";
import { type GetVerityDomainParameters, getBatchId } from "../protocol";
import type { KeeperStore } from "./KeeperStore";
import type { KeeperMetrics } from "./metrics";
import type { NodeInfo } from "./NodeDirectory";
import { receiptsBodySchema, validateReceipts } from "./validateReceipts";

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
}

/** Largest `POST /v1/receipts` body: room for the most receipts one request may carry. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

const error = (name: string, message: string) => ({ error: name, message });

/** The keeper's HTTP API (docs/services.md § Keeper). */
export function createKeeperApp(o: KeeperAppOptions): Hono {
  const app = new Hono();

  app.post(
    "/v1/receipts",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json(error("BodyTooLarge", `the body exceeds ${MAX_BODY_BYTES} bytes`), 413),
    }),
    async (c) => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return c.json(error("InvalidBody", "the body is not JSON"), 400);
      }
      const parsed = receiptsBodySchema.safeParse(body);
      if (!parsed.success) {
        const message = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
        return c.json(error("InvalidBody", message), 400);
      }
      let result;
      try {
        result = await validateReceipts({
          items: parsed.data.receipts,
          domain: o.domain,
          lookupNode: o.lookupNode,
          refreshNode: o.refreshNode,
        });
      } catch (cause) {
        o.metrics.errors.inc({ kind: "rpc" });
        o.logger.warn({ err: cause }, "cannot read node registrations");
        return c.json(error("ChainUnavailable", "cannot read the node registry; try again"), 503);
      }
      const { valid, rejected } = result;
      for (const r of rejected) o.metrics.receiptsRejected.inc({ error: r.error });
      o.metrics.counts.receiptsRejected += rejected.length;
      const { accepted, duplicates } = o.store.insertReceipts(valid);
      o.metrics.receiptsAccepted.inc(accepted);
      o.metrics.receiptsDuplicate.inc(duplicates);
      o.metrics.counts.receiptsAccepted += accepted;
      o.metrics.counts.receiptsDuplicate += duplicates;
      if (accepted > 0) o.onAccepted();
      const answer = { accepted, duplicates, rejected };
      return c.json(answer, valid.length === 0 ? 400 : 200);
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
