import type { Logger } from "pino";
import { createBatchChainView } from "./batchChain";
import type { NodeStartup } from "./checkNodeStartup";
import type { NodeContext } from "./context";
import { createNodeMetrics } from "./createNodeMetrics";
import type { NodeStore } from "./NodeStore";
import { DEFAULT_TRACE_RETENTION_SECONDS } from "./getReceiptTrace";
import type { NodeServiceOptions } from "./startNodeService";

/** Parameters of {@link createNodeContext}. */
export interface CreateNodeContextParameters {
  options: NodeServiceOptions;
  startup: NodeStartup;
  store: NodeStore;
  models: NodeContext["models"];
  logger: Logger;
  /** Called after every stored receipt (the service wakes its outbox). */
  onReceiptStored: () => void;
}

/** What every part of a node shares: its keys, store, models, EIP-712 domain, view of its batch chain, metrics. */
export function createNodeContext(p: CreateNodeContextParameters): NodeContext {
  const { options, startup, store } = p;
  const { chainId, publicClient } = startup;
  const { attestationRegistry } = options.deployment.contracts;
  return {
    store,
    models: p.models,
    signer: options.signer,
    operator: options.operator,
    chainId,
    domain: { chainId, verifyingContract: attestationRegistry },
    batchChain: createBatchChainView({
      publicClient,
      attestationRegistry,
      operator: options.operator,
      confirmations: BigInt(options.confirmations ?? 0),
    }),
    dishonestShare: options.dishonestShare ?? 0,
    dishonestMode: options.dishonestMode ?? "output",
    traceRetentionSeconds: options.traceRetentionSeconds ?? DEFAULT_TRACE_RETENTION_SECONDS,
    metrics: createNodeMetrics(() => store.countOutbox()),
    logger: p.logger,
    now: () => BigInt(Math.floor(Date.now() / 1000)),
    onReceiptStored: p.onReceiptStored,
    groupCommit: options.groupCommit ?? true,
  };
}
