import type { Hex } from "viem";
import { getBatchSubmittedEvents } from "../chain/actions/getBatchSubmittedEvents";
import { buildReceiptBatch, getErrorMessage, getReceiptStructHash, parseBatchFile, type Receipt } from "../protocol";
import { fetchBatchFile, type ContentSources } from "../service/fetchContent";
import type { ChainContext } from "./options";

/** Most batches of one node whose files `receipt verify` reads, newest first. */
const MAX_BATCH_FILES = 50;

/** What the batch files told: the receipt's batch and proof, or why none was found. */
export type FindReceiptInBatchFilesReturnType =
  { kind: "found"; batchId: Hex; proof: Hex[] } | { kind: "not-found"; reason: string };

/**
 * Looks for a receipt in the batch files of its node's `BatchSubmitted` events (newest first, at most 50): each file
 * is read from the content directory, else the node's `GET /batches/<id>`, and must hash to the batch's `dataHash`;
 * the proof is rebuilt from the file's receipts. For when the node does not answer `GET /v1/receipts/<hash>`.
 */
export async function findReceiptInBatchFiles(
  context: ChainContext,
  receipt: Receipt,
  sources: ContentSources,
): Promise<FindReceiptInBatchFilesReturnType> {
  const events = await getBatchSubmittedEvents(context.clients.publicClient, {
    address: context.contracts.attestationRegistry,
    args: { node: receipt.node },
    fromBlock: BigInt(context.deployment.startBlock),
  });
  if (events.length === 0) return { kind: "not-found", reason: `node ${receipt.node} has submitted no batch` };
  const receiptHash = getReceiptStructHash(receipt);
  const failures: string[] = [];
  for (const event of events.slice(-MAX_BATCH_FILES).reverse()) {
    const { id, dataHash } = event.args;
    let text: string;
    try {
      text = await fetchBatchFile(sources, id, dataHash);
    } catch (error) {
      failures.push(`${id}: ${getErrorMessage(error).split("\n")[0]}`);
      continue;
    }
    const tree = buildReceiptBatch(parseBatchFile(text).entries.map((entry) => entry.receipt));
    const index = tree.receipts.findIndex((item) => getReceiptStructHash(item) === receiptHash);
    if (index >= 0) return { kind: "found", batchId: id, proof: tree.proofs[index]! };
  }
  const tried = Math.min(events.length, MAX_BATCH_FILES);
  return {
    kind: "not-found",
    reason:
      `in none of the ${tried - failures.length} batch files read of its ${tried} newest batches` +
      (failures.length > 0 ? ` (unreadable: ${failures.slice(0, 2).join("; ")})` : ""),
  };
}
