import { decodeEventLog, type Address, type Hex } from "viem";
import { disputeManagerAbi } from "../chain/abis.generated";
import { challenge } from "../chain/actions/challenge";
import { ensureAllowance } from "../chain/actions/ensureAllowance";
import { getDisputeOfReceipt } from "../chain/actions/getDisputeOfReceipt";
import { getNode } from "../chain/actions/getNode";
import { previewBond } from "../chain/actions/previewBond";
import { TransactionRevertedError } from "../chain/errors";
import { sendContractCall } from "../chain/sendContractCall";
import { BaseError, buildReceiptBatch, getReceiptStructHash, parseBatchFile, type BatchFileEntry } from "../protocol";
import type { VerifierContext } from "./context";
import { fetchBatchFile } from "./fetchContent";
import { SINGLE_RECEIPT_DATA_HASH } from "./syncAttestations";
import type { ReceiptVerdict } from "./VerdictStore";

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
  const id = await getDisputeOfReceipt(context.clients.publicClient, {
    address: context.addresses.disputeManager,
    receiptHash: receiptHash as Hex,
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
  const [bond] = await previewBond(publicClient, { address: context.addresses.disputeManager, node: receipt.node });
  await ensureAllowance(context.clients, {
    token: context.addresses.token,
    spender: context.addresses.disputeManager,
    amount: bond,
  });
  const txHash = await sendContractCall(
    context.clients,
    challenge({
      address: context.addresses.disputeManager,
      receipt,
      batchId,
      proof,
      outputHash: verdict.replayOutputHash as Hex,
      beneficiary: context.beneficiary,
      maxBond: bond,
    }),
  );
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
    if (!record?.receipt) throw new BaseError(`single receipt ${verdict.receiptHash} not recorded`);
    return { receipt: record.receipt, batchId: SINGLE_RECEIPT_DATA_HASH, proof: [] as Hex[] };
  }
  let entries = entriesByBatch.get(verdict.batchId);
  if (!entries) {
    const record = context.store.getBatch(verdict.batchId)!;
    const { endpoint } = await getNode(context.clients.publicClient, {
      address: context.addresses.nodeRegistry,
      node: record.node as Address,
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
  if (index < 0) throw new BaseError(`receipt ${verdict.receiptHash} not in batch ${verdict.batchId}`);
  return { receipt: tree.receipts[index]!, batchId: verdict.batchId as Hex, proof: tree.proofs[index]! };
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
