import { decodeEventLog, type Address, type Hex, type TransactionReceipt } from "viem";
import { disputeManagerAbi } from "../chain/abis.generated";
import { challenge } from "../chain/actions/challenge";
import { ensureAllowance } from "../chain/actions/ensureAllowance";
import { getDisputeOfReceipt } from "../chain/actions/getDisputeOfReceipt";
import { getNode } from "../chain/actions/getNode";
import { getReceiptState } from "../chain/actions/getReceiptState";
import { previewBond } from "../chain/actions/previewBond";
import { ReceiptState } from "../chain/enums.generated";
import { TransactionRevertedError } from "../chain/errors";
import { sendContractCall } from "../chain/sendContractCall";
import { BaseError, buildReceiptBatch, getReceiptStructHash, parseBatchFile, type BatchFileEntry } from "../protocol";
import type { VerifierContext } from "./context";
import { fetchBatchFile } from "../service/fetchContent";
import { SINGLE_RECEIPT_DATA_HASH } from "./syncAttestations";
import type { ReceiptVerdict } from "./VerdictStore";
import { isFraudProvable } from "./isFraudProvable";

/**
 * Opens a challenge for every `wrong-output` verdict not challenged yet. The intent is stored before the transaction
 * is sent and the chain is asked whether the receipt is already disputed before sending, so a crash at any point
 * never leads to a second challenge. A challenge counts as `confirmed` once its transaction is `confirmations` deep;
 * one that a reorganization dropped before (or after: see `syncAttestations`) goes back to `intent` and is sent again
 * once its batch is on the confirmed chain again. `entriesByBatch` holds the entries of batches audited in this run
 * (others are fetched again to rebuild the proof). Returns how many challenges were opened.
 */
export async function openChallenges(
  context: VerifierContext,
  entriesByBatch: ReadonlyMap<string, BatchFileEntry[]>,
): Promise<number> {
  if (!context.challenge) return 0;
  await settleSentChallenges(context);
  let opened = 0;
  for (const verdict of context.store.verdicts({ verdict: "wrong-output" })) {
    const existing = context.store.getChallenge(verdict.receiptHash);
    if (existing && existing.state !== "intent") continue;
    // Wrong runtime-v2 receipts are decided by the fraud-proof game (pursueFraudGames), not by a committee.
    if (await isFraudProvable(context, verdict.modelId as Hex)) continue;
    // Only receipts of batches on the confirmed chain as recorded now (a reorganization may have dropped one).
    const recordKey = verdict.batchId === SINGLE_RECEIPT_DATA_HASH ? verdict.receiptHash : verdict.batchId;
    if (!context.store.getBatch(recordKey)) continue;
    context.store.claimChallenge(verdict.receiptHash, verdict.batchId, now());
    const disputed = await disputeState(context, verdict.receiptHash);
    if (disputed !== "none") continue;
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

/**
 * Whether the receipt is under dispute, by the attestation registry's receipt state (a dispute that expired undecided
 * leaves it challengeable again): `confirmed` (recorded as this verifier's confirmed challenge, whoever opened it) when
 * it is disputed or decided at the confirmed block, `pending` when only at the latest one (wait: it may be reorganized
 * out), `none`.
 */
async function disputeState(context: VerifierContext, receiptHash: string): Promise<"confirmed" | "pending" | "none"> {
  const { publicClient } = context.clients;
  const read = async (blockNumber?: bigint) =>
    Number(
      await getReceiptState(publicClient, {
        address: context.addresses.attestationRegistry,
        receiptHash: receiptHash as Hex,
        blockNumber,
      }),
    );
  if ((await read()) === ReceiptState.None) return "none";
  if (context.confirmations > 0n) {
    const head = await publicClient.getBlockNumber({ cacheTime: 0 });
    const confirmed = head > context.confirmations ? head - context.confirmations : 0n;
    if ((await read(confirmed)) === ReceiptState.None) return "pending";
  }
  const id = await getDisputeOfReceipt(publicClient, {
    address: context.addresses.disputeManager,
    receiptHash: receiptHash as Hex,
  });
  context.store.updateChallenge(receiptHash, { state: "confirmed", disputeId: id.toString(), updatedAt: now() });
  return "confirmed";
}

/**
 * Challenges sent but not confirmed yet: `confirmed` once the transaction is `confirmations` deep (with the dispute
 * id from its logs); back to `intent` when the chain no longer holds it and the receipt is not disputed.
 */
async function settleSentChallenges(context: VerifierContext): Promise<void> {
  const { publicClient } = context.clients;
  for (const challenge of context.store.challenges()) {
    if (challenge.state !== "sent" || !challenge.txHash) continue;
    const mined = await publicClient
      .getTransactionReceipt({ hash: challenge.txHash as Hex })
      .catch((error: unknown) => {
        if (/could not be found|not found/i.test(String((error as Error).message))) return undefined;
        throw error;
      });
    if (mined) {
      await confirmChallenge(context, challenge.receiptHash, mined);
      continue;
    }
    if ((await disputeState(context, challenge.receiptHash)) !== "none") continue;
    context.store.updateChallenge(challenge.receiptHash, {
      state: "intent",
      txHash: null,
      error: "challenge transaction no longer on chain",
      updatedAt: now(),
    });
    context.logger.warn({ receiptHash: challenge.receiptHash }, "challenge reorganized out: will challenge again");
  }
}

/** Marks a sent challenge confirmed once its transaction is deep enough; returns the dispute id, or null (not yet). */
async function confirmChallenge(
  context: VerifierContext,
  receiptHash: string,
  mined: TransactionReceipt,
): Promise<string | null> {
  if (context.confirmations > 0n) {
    const head = await context.clients.publicClient.getBlockNumber({ cacheTime: 0 });
    if (head - mined.blockNumber < context.confirmations) return null;
  }
  let disputeId: string | null = null;
  for (const log of mined.logs) {
    if (log.address.toLowerCase() !== context.addresses.disputeManager.toLowerCase()) continue;
    const event = decodeEventLog({ abi: disputeManagerAbi, data: log.data, topics: log.topics, strict: false });
    if (event.eventName === "DisputeOpened" && event.args.id !== undefined) disputeId = event.args.id.toString();
  }
  context.store.updateChallenge(receiptHash, { state: "confirmed", disputeId, updatedAt: now() });
  return disputeId;
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
  return (await confirmChallenge(context, verdict.receiptHash, minedReceipt)) ?? "";
}

/** The receipt, its batch id and Merkle proof, rebuilt from the batch's entries. */
export async function locateReceipt(
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
