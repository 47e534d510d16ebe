import type { Logger } from "pino";
import type { Address, Hex, LocalAccount } from "viem";
import type { GetVerityDomainParameters } from "../protocol";
import type { BatchChainView } from "./batchChain";
import type { NodeMetrics } from "./createNodeMetrics";
import type { ServedModel } from "./loadServedModels";
import type { NodeStore } from "./NodeStore";

/** What the node's routes and loops share. */
export interface NodeContext {
  store: NodeStore;
  models: ReadonlyMap<Hex, ServedModel>;
  /** Signs receipts and batches (raw digests through `sign` when it has one); the operator's registered signer. */
  signer: Pick<LocalAccount, "address" | "signTypedData" | "sign">;
  /** The operator address: `node` in every receipt and batch. */
  operator: Address;
  chainId: number;
  domain: GetVerityDomainParameters;
  /** The node's batches as the chain sees them: which sequence is next, which roots are attested. */
  batchChain: BatchChainView;
  /** Share of outputs corrupted on purpose, in [0, 1] (test and demo mode). */
  dishonestShare: number;
  /**
   * How a dishonest answer is wrong: `output` (default) changes the output only; `trace` (runtime-v2 models; others
   * fall back to `output`) changes one intermediate trace element and propagates it (src/node/corruptTrace.ts).
   */
  dishonestMode?: "output" | "trace";
  /** How long after `issuedAt` the trace of a runtime-v2 receipt is served (default 7 days: src/node/getReceiptTrace.ts). */
  traceRetentionSeconds?: number;
  metrics: NodeMetrics;
  logger: Logger;
  /** Unix seconds (the receipts' `issuedAt`). */
  now(): bigint;
  /** Group the receipts of concurrent requests into one commit (default true; false commits each alone). */
  groupCommit?: boolean;
  /** Called after a receipt is stored, so the outbox pushes it without waiting for its next tick. */
  onReceiptStored(): void;
}
