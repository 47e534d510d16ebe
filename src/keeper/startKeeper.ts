import pino, { type Logger } from "pino";
import type { Address, LocalAccount, PrivateKeyAccount } from "viem";
import type { DeploymentRecord } from "../chain/deployment";
import { getNativeUnavailableReason, getSecp256k1Backend } from "../protocol";
import { listenHttp } from "../service/listenHttp";
import { createKeeperApp } from "./createKeeperApp";
import { flushKeeper } from "./createKeeperSteps";
import { getKeeperHealth } from "./getKeeperHealth";
import { startIngestion } from "./ingest/startIngestion";
import type { KeeperStore } from "./KeeperStore";
import type { KeeperMetrics } from "./metrics";
import type { BatchReleaser, BatchSigner } from "./requestBatchSignature";
import { startKeeperWork } from "./startKeeperWork";

export interface KeeperOptions {
  rpcUrl: string;
  deployment: DeploymentRecord;
  /** The account that pays for and sends the keeper's transactions (signs locally). */
  account: PrivateKeyAccount | LocalAccount;
  /** SQLite file of the keeper's state. */
  db: string;
  host?: string;
  /** HTTP port; 0 picks a free one (default 0). */
  port?: number;
  /** Most receipts in one batch (default 1024). */
  maxBatchSize?: number;
  /** Oldest a queued receipt may get before its node's batch is planned anyway (default 30 s). */
  maxBatchAgeMs?: number;
  /** Node endpoints overriding those registered in NodeRegistry, by operator address. */
  nodeEndpoints?: Record<Address, string>;
  /** Bearer token for the nodes' `POST /v1/batches`. */
  batchToken?: string | undefined;
  /** Whether to fulfil, settle, reassign and refund router requests (default true). */
  settle?: boolean;
  /** Whether to clear the stale sortition weight of jailed nodes (`JailSweeper`; default true). */
  sweepJails?: boolean;
  /**
   * Whether to push the VerityValidator's ERC-8004 answers for requests about receipts this keeper attested (default
   * true; needs `verityValidator` and `validationRegistry` in the deployment, else off).
   */
  validatorUpdates?: boolean;
  /** Least time between two looks at a followed ERC-8004 request whose answer did not move (default 2 s). */
  validatorRecheckMs?: number;
  /** Pause of the work loop when idle, and of transaction polling (default 500 ms). */
  pollingIntervalMs?: number;
  /** Least time between two looks at an open router request (default 2 s). */
  routerRecheckMs?: number;
  /** How long a transaction may stay unmined before it is replaced at higher fees (default 60 s). */
  replaceAfterMs?: number;
  /** How long a node registration (signer, endpoint) is cached (default 10 s). */
  nodeCacheTtlMs?: number;
  /** Retries of one RPC call inside viem before the keeper's own backoff takes over (default 1). */
  rpcRetryCount?: number;
  /** Replaces the HTTP batch signer (`POST {endpoint}/v1/batches`), e.g. for a node running in-process. */
  batchSigner?: BatchSigner;
  /** Replaces the HTTP batch releaser (`POST {endpoint}/v1/batches/:batchId/release`). */
  batchReleaser?: BatchReleaser;
  /**
   * Blocks a transaction or a state must be below the head before the keeper counts it (default 0: the latest
   * block). A batch transaction that a reorganization drops before that is broadcast again.
   */
  confirmations?: number;
  /**
   * Worker threads that check receipt signatures (default: the number of cores, at most 4). 0 is the old path:
   * every signature checked on the event loop and one SQLite commit per request (the benchmarks' baseline).
   */
  ingestWorkers?: number;
  /**
   * Ingestion's group commits fsync the WAL on libuv's thread pool while the event loop serves on (default true);
   * false: SQLite's fsync inside each commit, on the event loop. `POST /v1/receipts` answers after the fsync either way.
   */
  backgroundSync?: boolean;
  /** Receipts being checked or committed at once before `POST /v1/receipts` answers 503 (default 50,000). */
  maxPendingReceipts?: number;
  /** Receipts waiting for a batch before `POST /v1/receipts` answers 503 (default: no limit). */
  maxQueuedReceipts?: number;
  /** `Retry-After` of a 503, in seconds (default 1). */
  retryAfterSeconds?: number;
  /** Largest `POST /v1/receipts` body in bytes (default 8 MiB). */
  maxBodyBytes?: number;
  /** A request must arrive whole within this time, or its connection is cut (slow clients; default 30 s). */
  requestTimeoutMs?: number;
  /** The request headers must arrive within this time (default 10 s, at most `requestTimeoutMs`). */
  headersTimeoutMs?: number;
  logger?: Logger;
}

/** Counters since start that a caller (the demo, the benchmark) can report. */
export type KeeperCounts = KeeperMetrics["counts"];

export interface Keeper {
  /** `http://host:port` of the HTTP API. */
  url: string;
  /** Stops taking receipts, finishes the step in progress and closes the database. */
  close(): Promise<void>;
  /**
   * Plans every receipt queued now (whatever the batch size or age), and resolves once all are attested and their
   * router receipts fulfilled. Rejects after `timeoutMs` (default: never) with the last error seen.
   */
  flush(options?: { timeoutMs?: number }): Promise<void>;
  /** Stores receipts that already passed validation: the function `POST /v1/receipts` calls (for in-process feeders). */
  store: KeeperStore;
  /** Wakes the work loop. */
  wake(): void;
  counts: KeeperCounts;
  metrics: KeeperMetrics;
}

/**
 * Starts a keeper: the HTTP API, and one work loop that plans batches, has nodes sign them, submits and confirms
 * them, reconciles what a previous run left unfinished, and does the router's fulfil/settle work. Transient failures
 * (RPC or node down, HTTP 5xx) are retried per batch with exponential backoff and jitter.
 */
export async function startKeeper(options: KeeperOptions): Promise<Keeper> {
  const logger = options.logger ?? pino({ name: "keeper", level: process.env.VERITY_LOG_LEVEL ?? "info" });
  const { deployment } = options;
  const work = startKeeperWork(options, logger);
  const { pollingIntervalMs, publicClient, domain, store, metrics, controller, steps, loop } = work;
  const { directory, router } = work.workers;
  const ingestion = startIngestion({
    store,
    directory,
    domain,
    metrics,
    workers: options.ingestWorkers,
    backgroundSync: options.backgroundSync,
    maxPendingReceipts: options.maxPendingReceipts,
    maxQueuedReceipts: options.maxQueuedReceipts,
    retryAfterSeconds: options.retryAfterSeconds,
  });
  const { address: account } = options.account;
  const app = createKeeperApp({
    ingest: ingestion.state,
    maxBodyBytes: options.maxBodyBytes,
    store,
    metrics,
    logger,
    domain,
    lookupNode: (node) => directory.get(node),
    refreshNode: (node) => directory.refresh(node),
    onAccepted: () => loop.wake(),
    health: () => getKeeperHealth({ publicClient, store, account, chainId: deployment.chainId, steps }),
  });
  const http = await listenHttp({
    fetch: app.fetch,
    host: options.host,
    port: options.port,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    headersTimeoutMs: options.headersTimeoutMs ?? 10_000,
  });
  const crypto = { crypto: getSecp256k1Backend(), cryptoFallback: getNativeUnavailableReason() };
  logger.info({ url: http.url, account, ...crypto }, "keeper listening");

  let closed = false;
  const idle = () => !store.hasQueued() && store.openBatches().length === 0 && (router?.fulfilsDone() ?? true);
  return {
    url: http.url,
    store,
    wake: () => loop.wake(),
    counts: metrics.counts,
    metrics,
    flush: ({ timeoutMs } = {}) =>
      flushKeeper({ steps, loop, idle, closed: () => closed, pollingIntervalMs, timeoutMs }),
    async close() {
      if (closed) return;
      closed = true;
      await http.close();
      await ingestion.close();
      controller.abort();
      await loop.stop();
      store.close();
    },
  };
}
