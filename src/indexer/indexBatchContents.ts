import type { Hex } from "viem";
import { buildReceiptBatch, getReceiptStructHash, parseBatchFile } from "../protocol";
import { fetchBatchFile } from "../service/fetchContent";
import type { IndexerContext } from "./context";

/** Fetch attempts per batch file before the indexer stops asking (its receipts stay unknown until a restart). */
export const MAX_BATCH_FILE_ATTEMPTS = 8;
const BATCHES_PER_STEP = 32;

/**
 * Learns which receipts each attested batch holds: fetches the batch file from the content directory or the node's
 * endpoint, checks it against the signed `dataHash` and the Merkle root on chain, and stores its receipts in leaf
 * order (so a receipt page can show its proof). Failures back off (1 s doubling) and never block event indexing.
 * Returns how many batches were indexed.
 */
export async function indexBatchContents(context: IndexerContext, now = Date.now()): Promise<number> {
  let indexed = 0;
  for (const batch of context.store.pendingBatches(now, MAX_BATCH_FILE_ATTEMPTS, BATCHES_PER_STEP)) {
    try {
      const text = await fetchBatchFile(
        { contentDir: context.contentDir, endpoint: batch.endpoint ?? undefined, timeoutMs: 5_000 },
        batch.batchId as Hex,
        batch.dataHash as Hex,
      );
      const file = parseBatchFile(JSON.parse(text));
      const receipts = file.entries.map((entry) => entry.receipt);
      const root = context.store.prepare("SELECT root FROM batches WHERE batch_id = ?").get(batch.batchId) as {
        root: string;
      };
      const built = buildReceiptBatch(receipts);
      if (built.root.toLowerCase() !== root.root)
        throw new Error("batch file receipts do not hash to the root on chain");
      context.store.recordBatchContents(
        batch.batchId,
        built.receipts.map((receipt, i) => ({
          receiptHash: getReceiptStructHash(receipt),
          leaf: built.leaves[i]!,
          receipt,
        })),
      );
      indexed++;
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
      context.store.recordBatchFailure(batch.batchId, message, now + 1_000 * 2 ** batch.attempts);
      context.logger.debug({ batchId: batch.batchId, error: message }, "batch file not fetched");
    }
  }
  return indexed;
}
