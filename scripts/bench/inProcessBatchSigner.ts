import type { LocalAccount } from "viem";
import {
  type BatchFile,
  type GetVerityDomainParameters,
  buildReceiptBatch,
  getBatchDataHash,
  getBatchId,
  signBatch,
} from "../../src/protocol";
import type { KeeperStore } from "../../src/keeper/KeeperStore";
import type { BatchSigner } from "../../src/keeper/requestBatchSignature";

/**
 * The node's half of `POST /v1/batches`, in process, for the keeper benchmark: it builds the batch file of the
 * receipts (leaves sorted, inputs and outputs by content address), hashes it and signs the `ReceiptBatch` with the
 * node's registered signer key — the same work the node service does, without an HTTP hop and without the node
 * having to store a million receipts of its own (it reads them from the keeper's store by hash).
 */
export function createInProcessBatchSigner(parameters: {
  signer: LocalAccount;
  domain: GetVerityDomainParameters;
  store: () => KeeperStore;
}): BatchSigner {
  return async ({ node, sequence, receiptHashes }) => {
    const store = parameters.store();
    const receipts = receiptHashes.map((hash) => {
      const stored = store.receipt(hash);
      if (!stored) throw new Error(`unknown receipt ${hash}`);
      return stored.receipt;
    });
    const built = buildReceiptBatch(receipts);
    const file: BatchFile = {
      version: 1,
      node,
      sequence,
      entries: built.receipts.map((receipt) => ({
        receipt,
        input: { uri: `tensor:${receipt.inputHash}` },
        output: { uri: `tensor:${receipt.outputHash}` },
      })),
    };
    const batch = { node, sequence, root: built.root, count: built.count, dataHash: getBatchDataHash(file) };
    const signature = await signBatch({ signer: parameters.signer, domain: parameters.domain, batch });
    return { batchId: getBatchId({ node, root: built.root }), batch, signature };
  };
}
