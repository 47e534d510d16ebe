import { BlockNotFoundError, type Hex } from "viem";
import { getBatchSubmittedEvents } from "../chain/actions/getBatchSubmittedEvents";
import { getDisputeOfReceipt } from "../chain/actions/getDisputeOfReceipt";
import { getReceiptSubmittedEvents } from "../chain/actions/getReceiptSubmittedEvents";
import type { VerifierContext } from "./context";

/** The dataHash recorded for single receipts (they have no batch file; their tensors are fetched by hash). */
export const SINGLE_RECEIPT_DATA_HASH: Hex = `0x${"00".repeat(32)}`;

/**
 * Reads `BatchSubmitted` and `ReceiptSubmitted` events from the stored cursor up to the head less the confirmations,
 * in bounded block ranges, and records them with the new cursor and the hash of the range's last block in one
 * transaction per range (a crash re-reads at most one range; records are idempotent). First it checks that the
 * chain still holds the blocks it recorded: after a reorganization deeper than the confirmations, it rewinds to the
 * last block that is still there, so a re-included batch is read again, and challenges whose transaction is gone go
 * back to be sent again. Returns how many attestations were recorded.
 */
export async function syncAttestations(context: VerifierContext, fromBlockIfNew: bigint): Promise<number> {
  const { clients, store, addresses } = context;
  await rewindReorganized(context, fromBlockIfNew);
  const head = await clients.publicClient.getBlockNumber({ cacheTime: 0 });
  let recorded = 0;
  const safeHead = head - context.confirmations;
  let from = store.cursor() ?? fromBlockIfNew;
  while (from <= safeHead) {
    const to = from + context.maxBlockRange - 1n < safeHead ? from + context.maxBlockRange - 1n : safeHead;
    const before = await clients.publicClient.getBlock({ blockNumber: to });
    const range = { address: addresses.attestationRegistry, fromBlock: from, toBlock: to };
    const [batches, singles] = await Promise.all([
      getBatchSubmittedEvents(clients.publicClient, range),
      getReceiptSubmittedEvents(clients.publicClient, range),
    ]);
    const records = [
      ...batches.map((log) => ({
        batchId: log.args.id,
        node: log.args.node,
        sequence: log.args.sequence,
        root: log.args.root,
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
    const after = await clients.publicClient.getBlock({ blockNumber: to });
    // The range changed under the query (a reorganization right now): read it again.
    if (after.hash !== before.hash) continue;
    store.recordBlocks(records, to + 1n, after.hash);
    if (records.length > 0) {
      context.logger.info({ from, to, batches: batches.length, singles: singles.length }, "attestations recorded");
    }
    recorded += records.length;
    from = to + 1n;
  }
  return recorded;
}

/**
 * Finds the newest recorded block the chain still holds (same number, same hash); when it is not the newest recorded
 * one, the chain was reorganized below the cursor: rewinds there and sends back to `intent` every challenge whose
 * transaction (or, for one found on chain, whose dispute) the chain no longer holds.
 */
async function rewindReorganized(context: VerifierContext, fromBlockIfNew: bigint): Promise<void> {
  const { publicClient } = context.clients;
  const checkpoints = context.store.checkpoints();
  if (checkpoints.length === 0) return;
  let rewindTo = fromBlockIfNew;
  for (const [index, checkpoint] of checkpoints.entries()) {
    let hash: string | undefined;
    try {
      hash = (await publicClient.getBlock({ blockNumber: checkpoint.blockNumber })).hash ?? undefined;
    } catch (error) {
      if (!(error instanceof BlockNotFoundError)) throw error;
    }
    if (hash === checkpoint.hash) {
      if (index === 0) return;
      rewindTo = checkpoint.blockNumber + 1n;
      break;
    }
  }
  const dropped = context.store.rewind(rewindTo);
  context.logger.warn(
    { fromBlock: rewindTo, batchesDropped: dropped.length },
    "chain reorganized below the cursor: reading again",
  );
  for (const challenge of context.store.challenges()) {
    if (challenge.state !== "sent" && challenge.state !== "confirmed") continue;
    let gone: boolean;
    if (challenge.txHash) {
      gone = await publicClient.getTransactionReceipt({ hash: challenge.txHash as Hex }).then(
        () => false,
        (error: unknown) => {
          if (/could not be found|not found/i.test(String((error as Error).message))) return true;
          throw error;
        },
      );
    } else {
      const id = await getDisputeOfReceipt(publicClient, {
        address: context.addresses.disputeManager,
        receiptHash: challenge.receiptHash as Hex,
      });
      gone = id === 0n;
    }
    if (!gone) continue;
    context.store.updateChallenge(challenge.receiptHash, {
      state: "intent",
      txHash: null,
      disputeId: null,
      error: "reorganized out",
      updatedAt: Math.floor(Date.now() / 1000),
    });
    context.logger.warn({ receiptHash: challenge.receiptHash }, "challenge reorganized out: will challenge again");
  }
}
