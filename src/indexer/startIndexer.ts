import pino, { type Logger } from "pino";
import type { Address } from "viem";
import { createVerityClients } from "../chain/createVerityClients";
import type { DeploymentRecord } from "../chain/deployment";
import { ConfigError } from "../config/ConfigError";
import type { IndexerContext } from "./context";
import { getIndexedAddresses } from "./decodeVerityLogs";
import { indexBatchContents } from "./indexBatchContents";
import { IndexStore } from "./IndexStore";
import { syncIndex, type SyncReport } from "./syncIndex";

export interface CreateIndexerContextParameters {
  rpcUrl: string;
  deployment: DeploymentRecord;
  /** SQLite file of the index (created when missing). */
  db: string;
  confirmations: number;
  maxBlockRange: number;
  contentDir?: string | undefined;
  logger?: Logger;
}

/** Opens the index and connects to the deployment's chain (refusing an RPC on another chain). */
export async function createIndexerContext(parameters: CreateIndexerContextParameters): Promise<IndexerContext> {
  const { deployment } = parameters;
  const staking = deployment.contracts.staking;
  if (!staking) throw new ConfigError("the deployment file has no staking address");
  const clients = createVerityClients({ rpcUrl: parameters.rpcUrl, chainId: deployment.chainId });
  const chainId = await clients.publicClient.getChainId();
  if (chainId !== deployment.chainId) {
    throw new ConfigError(`RPC ${parameters.rpcUrl} is chain ${chainId}, the deployment is on ${deployment.chainId}`);
  }
  return {
    clients,
    store: new IndexStore(parameters.db),
    addresses: getIndexedAddresses(deployment.contracts),
    stakingAddress: staking as Address,
    startBlock: BigInt(deployment.startBlock),
    confirmations: BigInt(parameters.confirmations),
    maxBlockRange: BigInt(parameters.maxBlockRange),
    contentDir: parameters.contentDir,
    logger: parameters.logger ?? pino({ level: "silent" }),
  };
}

/** One indexer step: new confirmed events, then due batch files. */
export interface IndexerStepReport extends SyncReport {
  batchFiles: number;
}

/** Runs one step: confirmed events first (the index's truth), then batch files (best effort). */
export async function runIndexerStep(context: IndexerContext): Promise<IndexerStepReport> {
  const report = await syncIndex(context);
  const batchFiles = await indexBatchContents(context);
  return { ...report, batchFiles };
}

/**
 * Runs the indexer until `signal` aborts: one step per interval, `onStep` after each (the explorer pushes live
 * updates from it). RPC failures are logged and retried at the next interval; the cursor makes every step resume.
 */
export async function runIndexer(
  context: IndexerContext,
  options: { intervalMs: number; signal?: AbortSignal },
  onStep: (report: IndexerStepReport) => void = () => {},
): Promise<void> {
  while (!options.signal?.aborted) {
    try {
      onStep(await runIndexerStep(context));
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
      context.logger.error({ error: message }, "indexer step failed; retrying");
    }
    await new Promise<void>((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        options.signal?.removeEventListener("abort", onAbort);
        resolve();
      }, options.intervalMs);
      options.signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}
