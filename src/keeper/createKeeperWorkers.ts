import type { Logger } from "pino";
import type { LocalAccount, PublicClient } from "viem";
import type { GetVerityDomainParameters } from "../protocol";
import { Batcher } from "./Batcher";
import type { KeeperStore } from "./KeeperStore";
import type { KeeperMetrics } from "./metrics";
import { NodeDirectory } from "./NodeDirectory";
import { JailSweeper } from "./JailSweeper";
import { createHttpBatchFileReader, createHttpBatchReleaser, createHttpBatchSigner } from "./requestBatchSignature";
import { RequestWatcher } from "./RequestWatcher";
import { RouterWorker } from "./RouterWorker";
import type { KeeperOptions } from "./startKeeper";
import { TxSender } from "./TxSender";
import { ValidatorWorker } from "./ValidatorWorker";

export interface KeeperWorkersParameters {
  options: KeeperOptions;
  publicClient: PublicClient;
  store: KeeperStore;
  domain: GetVerityDomainParameters;
  metrics: KeeperMetrics;
  logger: Logger;
  signal: AbortSignal;
}

/** The keeper's workers, sharing one transaction sender (one nonce sequence) and one directory of nodes. */
export interface KeeperWorkers {
  directory: NodeDirectory;
  batcher: Batcher;
  /** Undefined with `settle: false`. */
  router: RouterWorker | undefined;
  /** Every request on the router, moved on when due (undefined with `settle: false`). */
  requests: RequestWatcher | undefined;
  /** Undefined when validator updates are off or the deployment has no VerityValidator. */
  validator: ValidatorWorker | undefined;
  /** Clears jailed nodes' stale sortition weight (undefined with `sweepJails: false`). */
  jails: JailSweeper | undefined;
}

/**
 * Builds the directory of nodes, the batcher, and the router, ERC-8004 validator and jail-sweeping workers the options
 * and the deployment call for.
 */
export function createKeeperWorkers(p: KeeperWorkersParameters): KeeperWorkers {
  const { options, publicClient, store, metrics, logger, signal } = p;
  const { deployment } = options;
  const { contracts } = deployment;
  const pollingIntervalMs = options.pollingIntervalMs ?? 500;
  const directory = new NodeDirectory(
    publicClient,
    contracts.nodeRegistry,
    options.nodeEndpoints ?? {},
    options.nodeCacheTtlMs ?? 10_000,
  );
  const confirmations = BigInt(options.confirmations ?? 0);
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
    domain: p.domain,
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
    signal,
  });
  const settling = options.settle ?? true;
  const router = settling
    ? new RouterWorker({
        store,
        publicClient,
        sender,
        router: contracts.inferenceRouter,
        metrics,
        logger,
        recheckMs: options.routerRecheckMs ?? 2_000,
        confirmations,
        signal,
      })
    : undefined;
  const requests = settling
    ? new RequestWatcher({
        store,
        publicClient,
        sender,
        router: contracts.inferenceRouter,
        fromBlock: BigInt(deployment.startBlock),
        maxBlockRange: 2_000n,
        confirmations,
        recheckMs: options.routerRecheckMs ?? 2_000,
        metrics,
        logger,
        signal,
      })
    : undefined;
  const { verityValidator, validationRegistry } = contracts;
  const validator =
    (options.validatorUpdates ?? true) && verityValidator && validationRegistry
      ? new ValidatorWorker({
          store,
          publicClient,
          sender,
          validator: verityValidator,
          registry: validationRegistry,
          chainId: deployment.chainId,
          fromBlock: BigInt(deployment.startBlock),
          maxBlockRange: 2_000n,
          recheckMs: options.validatorRecheckMs ?? 2_000,
          confirmations,
          metrics,
          logger,
          signal,
        })
      : undefined;
  const jails =
    (options.sweepJails ?? true)
      ? new JailSweeper({
          publicClient,
          sender,
          nodeRegistry: contracts.nodeRegistry,
          fromBlock: BigInt(deployment.startBlock),
          maxBlockRange: 2_000n,
          confirmations,
          recheckMs: options.routerRecheckMs ?? 2_000,
          metrics,
          logger,
          signal,
        })
      : undefined;
  return { directory, batcher, router, requests, validator, jails };
}
