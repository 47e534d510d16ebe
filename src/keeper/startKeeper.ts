import { setMaxListeners } from "node:events";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { serve } from "@hono/node-server";
import pino, { type Logger } from "pino";
import type { Address, LocalAccount, PrivateKeyAccount } from "viem";
import { createVerityClients } from "../chain/createVerityClients";
import type { DeploymentRecord } from "../chain/deployment";
import {
  getErrorMessage,
  type GetVerityDomainParameters,
  getNativeUnavailableReason,
  getSecp256k1Backend,
} from "../protocol";
import { backoffDelay, sleep } from "./backoff";
import { Batcher } from "./Batcher";
import { createKeeperApp, type KeeperIngestState } from "./createKeeperApp";
import { ReceiptIngest } from "./ingest/ReceiptIngest";
import { SignaturePool } from "./ingest/SignaturePool";
import { GroupCommit } from "../service/GroupCommit";
import { NodeBatchError, PermanentError } from "./errors";
import { KeeperStore } from "./KeeperStore";
import { KeeperMetrics } from "./metrics";
import { NodeDirectory } from "./NodeDirectory";
import {
  type BatchReleaser,
  type BatchSigner,
  createHttpBatchFileReader,
  createHttpBatchReleaser,
  createHttpBatchSigner,
} from "./requestBatchSignature";
import { RouterWorker } from "./RouterWorker";
import { TxSender } from "./TxSender";
import { ValidatorWorker } from "./ValidatorWorker";

/** Permanent failures of one batch plan before its receipts are re-batched (it is never retried forever). */
const MAX_PERMANENT_ATTEMPTS = 5;

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
  const pollingIntervalMs = options.pollingIntervalMs ?? 500;
  const confirmations = BigInt(options.confirmations ?? 0);
  const { deployment } = options;
  const { contracts } = deployment;
  const { publicClient } = createVerityClients({
    rpcUrl: options.rpcUrl,
    chainId: deployment.chainId,
    pollingInterval: pollingIntervalMs,
    retryCount: options.rpcRetryCount ?? 1,
  });
  const domain: GetVerityDomainParameters = {
    chainId: deployment.chainId,
    verifyingContract: contracts.attestationRegistry,
  };
  const store = new KeeperStore(options.db);
  const metrics = new KeeperMetrics();
  const controller = new AbortController();
  // Every loop, backoff sleep and in-flight request of the keeper listens to this one signal.
  setMaxListeners(0, controller.signal);
  const directory = new NodeDirectory(
    publicClient,
    contracts.nodeRegistry,
    options.nodeEndpoints ?? {},
    options.nodeCacheTtlMs ?? 10_000,
  );
  const sender = new TxSender(
    publicClient,
    options.account as LocalAccount,
    deployment.chainId,
    pollingIntervalMs,
    options.replaceAfterMs ?? 60_000,
  );
  const batcher = new Batcher({
    store,
    publicClient,
    sender,
    directory,
    domain,
    attestationRegistry: contracts.attestationRegistry,
    signBatch: options.batchSigner ?? createHttpBatchSigner({ token: options.batchToken }),
    releaseBatch: options.batchReleaser ?? createHttpBatchReleaser({ token: options.batchToken }),
    readBatchFile: createHttpBatchFileReader(),
    confirmations,
    metrics,
    logger,
    maxBatchSize: options.maxBatchSize ?? 1024,
    maxBatchAgeMs: options.maxBatchAgeMs ?? 30_000,
    submit: true,
    signal: controller.signal,
  });
  const settle = options.settle ?? true;
  const router = settle
    ? new RouterWorker({
        store,
        publicClient,
        sender,
        router: contracts.inferenceRouter,
        metrics,
        logger,
        recheckMs: options.routerRecheckMs ?? 2_000,
        confirmations,
        signal: controller.signal,
      })
    : undefined;

  const validatorUpdates =
    (options.validatorUpdates ?? true) && Boolean(contracts.verityValidator && contracts.validationRegistry);
  const validator = validatorUpdates
    ? new ValidatorWorker({
        store,
        publicClient,
        sender,
        validator: contracts.verityValidator!,
        registry: contracts.validationRegistry!,
        chainId: deployment.chainId,
        fromBlock: BigInt(deployment.startBlock),
        maxBlockRange: 2_000n,
        recheckMs: options.validatorRecheckMs ?? 2_000,
        confirmations,
        metrics,
        logger,
        signal: controller.signal,
      })
    : undefined;

  // ---------------------------------------------------------------- the work loop
  let wakeUp: () => void = () => {};
  const wake = () => wakeUp();
  let forcePlan = false;
  let lastError: string | undefined;
  let lastProgress = Date.now();
  const retry = new Map<string, { attempts: number; at: number }>();
  const due = (key: string) => (retry.get(key)?.at ?? 0) <= Date.now();
  const failed = (key: string, error: unknown) => {
    const entry = retry.get(key) ?? { attempts: 0, at: 0 };
    entry.attempts++;
    const permanent = error instanceof PermanentError || error instanceof NodeBatchError;
    const delay = backoffDelay(entry.attempts, permanent ? 2_000 : 250, permanent ? 300_000 : 30_000);
    entry.at = Date.now() + delay;
    retry.set(key, entry);
    lastError = `${key}: ${getErrorMessage(error)}`;
    metrics.errors.inc({ kind: permanent ? "permanent" : "transient" });
    logger.warn(
      { key, attempt: entry.attempts, retryInMs: delay, err: getErrorMessage(error) },
      "step failed; will retry",
    );
  };
  const succeeded = (key: string) => {
    retry.delete(key);
    lastProgress = Date.now();
  };

  async function step(): Promise<boolean> {
    let progressed = false;
    for (const batch of store.openBatches()) {
      if (controller.signal.aborted) return progressed;
      const key = `batch:${batch.id}`;
      if (!due(key)) continue;
      try {
        if (await batcher.advance(batch.id)) progressed = true;
        succeeded(key);
      } catch (error) {
        failed(key, error);
        // A permanent failure is retried a few times (a node may come back), never forever: the receipts are re-batched.
        const permanent = error instanceof PermanentError || error instanceof NodeBatchError;
        if (permanent && batcher.giveUp(batch.id, error, retry.get(key)?.attempts ?? 0, MAX_PERMANENT_ATTEMPTS)) {
          retry.delete(key);
          progressed = true;
        }
      }
    }
    if (due("plan")) {
      try {
        const force = forcePlan;
        const planned = await batcher.planDue(force);
        if (force && !store.hasQueued()) forcePlan = false;
        succeeded("plan");
        if (planned > 0) progressed = true;
      } catch (error) {
        failed("plan", error);
      }
    }
    if (router && due("router")) {
      try {
        if (await router.step()) progressed = true;
        succeeded("router");
      } catch (error) {
        failed("router", error);
      }
    }
    if (validator && due("validator")) {
      try {
        if (await validator.step()) progressed = true;
        succeeded("validator");
      } catch (error) {
        failed("validator", error);
      }
    }
    return progressed;
  }

  const loop = (async () => {
    while (!controller.signal.aborted) {
      const progressed = await step();
      if (progressed) continue;
      const nextRetry = Math.min(...[...retry.values()].map((r) => r.at), Date.now() + pollingIntervalMs);
      await new Promise<void>((resolve) => {
        wakeUp = resolve;
        void sleep(Math.max(10, nextRetry - Date.now()), controller.signal).then(resolve);
      });
      wakeUp = () => {};
    }
  })();

  // ---------------------------------------------------------------- HTTP
  const ingestWorkers = options.ingestWorkers ?? Math.min(4, Math.max(1, os.availableParallelism()));
  const pool = ingestWorkers > 0 ? new SignaturePool(ingestWorkers) : undefined;
  const commits = new GroupCommit(store.db, { onCommit: () => metrics.groupCommits.inc() });
  const maxQueued = options.maxQueuedReceipts ?? Number.POSITIVE_INFINITY;
  let queuedSeen = { count: 0, at: 0 };
  const ingestState: KeeperIngestState | undefined = pool
    ? {
        ingest: new ReceiptIngest({
          store,
          commits,
          pool,
          domain,
          lookupNode: (node) => directory.get(node),
          refreshNode: (node) => {
            directory.forget(node);
            return directory.get(node);
          },
        }),
        pending: 0,
        maxPending: options.maxPendingReceipts ?? 50_000,
        retryAfterSeconds: options.retryAfterSeconds ?? 1,
        queueFull: () => {
          if (maxQueued === Number.POSITIVE_INFINITY) return false;
          // Counting a large queue costs a few milliseconds: at most once per 250 ms.
          if (Date.now() - queuedSeen.at > 250) queuedSeen = { count: store.queuedCount(), at: Date.now() };
          return queuedSeen.count >= maxQueued;
        },
      }
    : undefined;
  const app = createKeeperApp({
    ingest: ingestState,
    maxBodyBytes: options.maxBodyBytes,
    store,
    metrics,
    logger,
    domain,
    lookupNode: (node) => directory.get(node),
    refreshNode: (node) => {
      directory.forget(node);
      return directory.get(node);
    },
    onAccepted: wake,
    health: async () => {
      let lastBlock: string | null = null;
      try {
        lastBlock = (await publicClient.getBlockNumber({ cacheTime: 0 })).toString();
      } catch {
        lastBlock = null;
      }
      const open = store.openBatches();
      return {
        status: lastBlock === null ? "degraded" : "ok",
        account: options.account.address,
        chainId: deployment.chainId,
        crypto: getSecp256k1Backend(),
        queued: store.queuedCount(),
        openBatches: open.length,
        lastBlock,
        lastError: lastError ?? null,
        lastProgressAt: new Date(lastProgress).toISOString(),
      };
    },
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const requestTimeout = options.requestTimeoutMs ?? 30_000;
    const s = serve(
      {
        fetch: app.fetch,
        hostname: options.host ?? "127.0.0.1",
        port: options.port ?? 0,
        serverOptions: {
          requestTimeout,
          headersTimeout: Math.min(options.headersTimeoutMs ?? 10_000, requestTimeout),
          // How often Node looks for connections past those timeouts (its default, 30 s, would let a slow client sit).
          connectionsCheckingInterval: Math.max(100, Math.min(1_000, requestTimeout / 4)),
        },
      },
      () => resolve(s),
    );
  });
  const address = server.address() as AddressInfo;
  const url = `http://${options.host ?? "127.0.0.1"}:${address.port}`;
  logger.info(
    {
      url,
      account: options.account.address,
      crypto: getSecp256k1Backend(),
      cryptoFallback: getNativeUnavailableReason(),
    },
    "keeper listening",
  );

  let closed = false;
  return {
    url,
    store,
    wake,
    counts: metrics.counts,
    metrics,
    async flush(flushOptions = {}) {
      const deadline = Date.now() + (flushOptions.timeoutMs ?? Number.POSITIVE_INFINITY);
      forcePlan = true;
      wake();
      for (;;) {
        if (closed) throw new Error("keeper closed");
        if (Date.now() > deadline) throw new Error(`flush timed out; last error: ${lastError ?? "none"}`);
        const idle = !store.hasQueued() && store.openBatches().length === 0 && (router ? router.fulfilsDone() : true);
        if (idle) return;
        forcePlan = true;
        await sleep(Math.min(pollingIntervalMs, 100));
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      commits.flush();
      await pool?.close();
      controller.abort();
      wake();
      await loop;
      store.close();
    },
  };
}
