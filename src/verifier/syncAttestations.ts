import type { Hex } from "viem";
import { scanAttestations } from "../chain/actions/scanAttestations";
import type { VerifierContext } from "./context";

/** The dataHash recorded for single receipts (they have no batch file; their tensors are fetched by hash). */
export const SINGLE_RECEIPT_DATA_HASH: Hex = `0x${"00".repeat(32)}`;

/**
 * Reads `BatchSubmitted` and `ReceiptSubmitted` events from the stored cursor up to the head less the confirmations,
 * in bounded block ranges, and records them with the new cursor in one transaction per range (a crash re-reads at
 * most one range; records are idempotent). Returns how many attestations were recorded.
 */
export async function syncAttestations(context: VerifierContext, fromBlockIfNew: bigint): Promise<number> {
  const { clients, store, addresses } = context;
  const head = await clients.publicClient.getBlockNumber({ cacheTime: 0 });
  let recorded = 0;
  await scanAttestations(clients.publicClient, {
    address: addresses.attestationRegistry,
    fromBlock: store.cursor() ?? fromBlockIfNew,
    toBlock: head - context.confirmations,
    maxBlockRange: context.maxBlockRange,
    onLogs: ({ batches, singles }, { fromBlock: from, toBlock: to, nextBlock }) => {
      const records = [
        ...batches.map((log) => ({
          batchId: log.args.id,
          node: log.args.node,
          sequence: log.args.sequence,
          root: log.args.id,
          count: log.args.count,
          dataHash: log.args.dataHash,
          windowEnd: log.args.windowEnd,
          blockNumber: log.blockNumber,
          txHash: log.transactionHash,
          receipt: null,
        })),
        ...singles.map((log) => ({
          batchId: log.args.receiptHash,
          node: log.args.node,
          sequence: 0n,
          root: log.args.receiptHash,
          count: 1,
          dataHash: SINGLE_RECEIPT_DATA_HASH,
          windowEnd: log.args.windowEnd,
          blockNumber: log.blockNumber,
          txHash: log.transactionHash,
          receipt: {
            requestId: log.args.requestId,
            modelId: log.args.modelId,
            inputHash: log.args.inputHash,
            outputHash: log.args.outputHash,
            traceRoot: log.args.traceRoot,
            node: log.args.node,
            issuedAt: log.args.issuedAt,
          },
        })),
      ];
      store.recordBlocks(records, nextBlock);
      if (records.length > 0) {
        context.logger.info({ from, to, batches: batches.length, singles: singles.length }, "attestations recorded");
      }
      recorded += records.length;
    },
  });
  return recorded;
}
