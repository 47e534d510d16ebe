import type { Address, PublicClient } from "viem";
import { getSecp256k1Backend } from "../protocol";
import type { KeeperSteps } from "./createKeeperSteps";
import type { KeeperStore } from "./KeeperStore";

export interface KeeperHealthParameters {
  publicClient: PublicClient;
  store: KeeperStore;
  account: Address;
  chainId: number;
  steps: KeeperSteps;
}

/** `GET /health` of the keeper: `degraded` while the chain doesn't answer; the queue, open batches and last error. */
export async function getKeeperHealth(p: KeeperHealthParameters) {
  let lastBlock: string | null = null;
  try {
    lastBlock = (await p.publicClient.getBlockNumber({ cacheTime: 0 })).toString();
  } catch {
    lastBlock = null;
  }
  return {
    status: lastBlock === null ? "degraded" : "ok",
    account: p.account,
    chainId: p.chainId,
    crypto: getSecp256k1Backend(),
    queued: p.store.queuedCount(),
    openBatches: p.store.openBatches().length,
    openRequests: p.store.openRequestCount(),
    lastBlock,
    lastError: p.steps.lastError() ?? null,
    lastProgressAt: new Date(p.steps.lastProgressAt()).toISOString(),
  };
}
