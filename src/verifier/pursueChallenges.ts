import { decodeEventLog, erc20Abi, type Address, type Hex } from "viem";
import { disputeManagerAbi, nodeRegistryAbi } from "../chain/abis.generated";
import { sendTransaction, TransactionRevertedError } from "../chain/sendTransaction";
import { buildReceiptBatch, getReceiptStructHash, parseBatchFile, type BatchFileEntry } from "../protocol";
import type { VerifierContext } from "./context";
import { fetchBatchFile } from "./fetchContent";
import { SINGLE_RECEIPT_DATA_HASH } from "./syncAttestations";
import type { ReceiptVerdict } from "./VerdictStore";

/** Dispute states as `IDisputeManager.DisputeState` numbers them. */
export const DisputeState = {
  None: 0,
  Drawing: 1,
  Committing: 2,
  Revealing: 3,
  Resolvable: 4,
  Arbitration: 5,
  Expired: 6,
  Resolved: 7,
} as const;

/**
 * Opens a challenge for every `wrong-output` verdict not challenged yet. The intent is stored before the transaction
 * is sent and the chain is asked whether the receipt is already disputed before sending, so a crash at any point
 * never leads to a second challenge. `entriesByBatch` holds the entries of batches audited in this run (others are
 * fetched again to rebuild the proof). Returns how many challenges were opened.
 */
export async function openChallenges(
  context: VerifierContext,
  entriesByBatch: ReadonlyMap<string, BatchFileEntry[]>,
): Promise<number> {
  if (!context.challenge) return 0;
  let opened = 0;
  for (const verdict of context.store.verdicts({ verdict: "wrong-output" })) {
    const existing = context.store.getChallenge(verdict.receiptHash);
    if (existing && existing.state !== "intent") continue;
    context.store.claimChallenge(verdict.receiptHash, verdict.batchId, now());
    if (await alreadyDisputed(context, verdict.receiptHash)) continue;
    try {
      const disputeId = await challengeReceipt(context, verdict, entriesByBatch);
      opened += 1;
      context.logger.info({ receiptHash: verdict.receiptHash, disputeId }, "challenge opened");
    } catch (error) {
      const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
      const final = error instanceof TransactionRevertedError && error.errorName !== undefined;
      context.store.updateChallenge(verdict.receiptHash, {
        state: final ? "failed" : "intent",
        error: message,
        updatedAt: now(),
      });
      context.logger.warn({ receiptHash: verdict.receiptHash, error: message, final }, "challenge not opened");
    }
  }
  return opened;
}

async function alreadyDisputed(context: VerifierContext, receiptHash: string): Promise<boolean> {
  const id = await context.clients.publicClient.readContract({
    address: context.addresses.disputeManager,
    abi: disputeManagerAbi,
    functionName: "disputeOfReceipt",
    args: [receiptHash as Hex],
  });
  if (id === 0n) return false;
  context.store.updateChallenge(receiptHash, { state: "confirmed", disputeId: id.toString(), updatedAt: now() });
  return true;
}

async function challengeReceipt(
  context: VerifierContext,
  verdict: ReceiptVerdict,
  entriesByBatch: ReadonlyMap<string, BatchFileEntry[]>,
): Promise<string> {
  const { receipt, batchId, proof } = await locateReceipt(context, verdict, entriesByBatch);
  const { publicClient } = context.clients;
  const [bond] = await publicClient.readContract({
    address: context.addresses.disputeManager,
    abi: disputeManagerAbi,
    functionName: "previewBond",
    args: [receipt.node],
  });
  const account = context.clients.walletClient!.account.address;
  const allowance = await publicClient.readContract({
    address: context.addresses.token,
    abi: erc20Abi,
    functionName: "allowance",
    args: [account, context.addresses.disputeManager],
  });
  if (allowance < bond) {
    await sendTransaction(context.clients, {
      address: context.addresses.token,
      abi: erc20Abi,
      functionName: "approve",
      args: [context.addresses.disputeManager, bond],
    });
  }
  const txHash = await sendTransaction(context.clients, {
    address: context.addresses.disputeManager,
    abi: disputeManagerAbi,
    functionName: "challenge",
    args: [receipt, batchId, proof, verdict.replayOutputHash as Hex, context.beneficiary, bond],
  });
  context.store.updateChallenge(verdict.receiptHash, { state: "sent", txHash, updatedAt: now() });
  const minedReceipt = await publicClient.getTransactionReceipt({ hash: txHash });
  let disputeId: string | null = null;
  for (const log of minedReceipt.logs) {
    if (log.address.toLowerCase() !== context.addresses.disputeManager.toLowerCase()) continue;
    const event = decodeEventLog({ abi: disputeManagerAbi, data: log.data, topics: log.topics, strict: false });
    if (event.eventName === "DisputeOpened" && event.args.id !== undefined) disputeId = event.args.id.toString();
  }
  context.store.updateChallenge(verdict.receiptHash, { state: "confirmed", disputeId, updatedAt: now() });
  return disputeId ?? "";
}

/** The receipt, its batch id and Merkle proof, rebuilt from the batch's entries. */
async function locateReceipt(
  context: VerifierContext,
  verdict: ReceiptVerdict,
  entriesByBatch: ReadonlyMap<string, BatchFileEntry[]>,
) {
  if (verdict.batchId === SINGLE_RECEIPT_DATA_HASH) {
    const record = context.store.getBatch(verdict.receiptHash);
    if (!record?.receipt) throw new Error(`single receipt ${verdict.receiptHash} not recorded`);
    return { receipt: record.receipt, batchId: SINGLE_RECEIPT_DATA_HASH, proof: [] as Hex[] };
  }
  let entries = entriesByBatch.get(verdict.batchId);
  if (!entries) {
    const record = context.store.getBatch(verdict.batchId)!;
    const { endpoint } = await context.clients.publicClient.readContract({
      address: context.addresses.nodeRegistry,
      abi: nodeRegistryAbi,
      functionName: "getNode",
      args: [record.node as Address],
    });
    const text = await fetchBatchFile(
      { contentDir: context.contentDir, endpoint: endpoint || undefined },
      record.batchId as Hex,
      record.dataHash as Hex,
    );
    entries = parseBatchFile(text).entries;
  }
  const tree = buildReceiptBatch(entries.map((entry) => entry.receipt));
  const index = tree.receipts.findIndex((receipt) => getReceiptStructHash(receipt) === verdict.receiptHash);
  if (index < 0) throw new Error(`receipt ${verdict.receiptHash} not in batch ${verdict.batchId}`);
  return { receipt: tree.receipts[index]!, batchId: verdict.batchId as Hex, proof: tree.proofs[index]! };
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
