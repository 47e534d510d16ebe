import os from "node:os";
import type { GetVerityDomainParameters } from "../../protocol";
import { GroupCommit } from "../../service/GroupCommit";
import type { KeeperIngestState } from "../createKeeperApp";
import type { KeeperStore } from "../KeeperStore";
import type { KeeperMetrics } from "../metrics";
import type { NodeDirectory } from "../NodeDirectory";
import { ReceiptIngest } from "./ReceiptIngest";
import { SignaturePool } from "./SignaturePool";

export interface StartIngestionParameters {
  store: KeeperStore;
  directory: NodeDirectory;
  domain: GetVerityDomainParameters;
  metrics: KeeperMetrics;
  /** Worker threads for signature checks (default: the cores, at most 4); 0 turns the pipeline off. */
  workers?: number | undefined;
  /** Group commits fsync the WAL off the event loop (default true; src/service/GroupCommit.ts). */
  backgroundSync?: boolean | undefined;
  maxPendingReceipts?: number | undefined;
  maxQueuedReceipts?: number | undefined;
  retryAfterSeconds?: number | undefined;
}

/** The ingestion pipeline of `POST /v1/receipts` and what stopping it takes. */
export interface Ingestion {
  /** Undefined when the pipeline is off (0 workers): the route checks on the event loop and commits per request. */
  state: KeeperIngestState | undefined;
  /** Commits what is pending and stops the worker threads. */
  close(): Promise<void>;
}

/**
 * Starts the keeper's receipt ingestion: signature checks on worker threads, grouped SQLite commits, and the
 * back-pressure limits that turn into 503 with `Retry-After` (pending receipts, and the stored queue, counted at most
 * every 250 ms since counting a large queue takes milliseconds).
 */
export function startIngestion(p: StartIngestionParameters): Ingestion {
  const workers = p.workers ?? Math.min(4, Math.max(1, os.availableParallelism()));
  const pool = workers > 0 ? new SignaturePool(workers) : undefined;
  const { db } = p.store;
  const commits = new GroupCommit(db, {
    onCommit: () => p.metrics.groupCommits.inc(),
    // Each group's WAL fsync on the thread pool: the event loop parses and answers other requests meanwhile.
    ...(db.memory || p.backgroundSync === false ? {} : { backgroundSync: { file: db.name } }),
  });
  const maxQueued = p.maxQueuedReceipts ?? Number.POSITIVE_INFINITY;
  let queuedSeen = { count: 0, at: 0 };
  const state: KeeperIngestState | undefined = pool && {
    ingest: new ReceiptIngest({
      store: p.store,
      commits,
      pool,
      domain: p.domain,
      lookupNode: (node) => p.directory.get(node),
      refreshNode: (node) => p.directory.refresh(node),
    }),
    pending: 0,
    maxPending: p.maxPendingReceipts ?? 50_000,
    retryAfterSeconds: p.retryAfterSeconds ?? 1,
    queueFull: () => {
      if (maxQueued === Number.POSITIVE_INFINITY) return false;
      if (Date.now() - queuedSeen.at > 250) queuedSeen = { count: p.store.queuedCount(), at: Date.now() };
      return queuedSeen.count >= maxQueued;
    },
  };
  return {
    state,
    async close() {
      commits.close();
      await pool?.close();
    },
  };
}
