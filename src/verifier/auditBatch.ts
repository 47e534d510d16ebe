import { decodeFunctionData, type Address, type Hex } from "viem";
import { attestationRegistryAbi } from "../chain/abis.generated";
import { getModel } from "../chain/actions/getModel";
import { getNode } from "../chain/actions/getNode";
import { getSigner } from "../chain/actions/getSigner";
import { ModelStatus } from "../chain/enums.generated";
import {
  BaseError,
  getReceiptLeaf,
  getReceiptStructHash,
  parseBatchFile,
  verifyBatchFile,
  type BatchFile,
  type BatchFileEntry,
} from "../protocol";
import type { VerifierContext } from "./context";
import { ContentMismatchError } from "./errors";
import { fetchBatchFile, type ContentSources } from "../service/fetchContent";
import { replayEntry, type ModelPolicy } from "./replayEntry";
import { shouldAudit } from "./shouldAudit";
import { SINGLE_RECEIPT_DATA_HASH } from "./syncAttestations";
import type { BatchRecord, ReceiptVerdict } from "./VerdictStore";

/** What an audit found, with what a challenge needs for the wrong receipts. */
export interface BatchAudit {
  verdicts: ReceiptVerdict[];
  /** The batch's entries (leaf order), so proofs can be rebuilt for a challenge. */
  entries: BatchFileEntry[];
}

/**
 * Audits one attested batch (or single receipt): fetches its data (content store first, then the node's endpoint)
 * and checks it hashes to the signed `dataHash`; rebuilds the tree and checks the root is the batch id; re-checks the
 * batch signature from the attesting transaction against the node's signer at that block; then, for each sampled
 * receipt, the model's registration and policy, and replays it. Content that can't be fetched, or doesn't hash to
 * the signed `dataHash`, throws `ContentUnavailableError` / `ContentMismatchError` (the caller retries with backoff); a
 * batch file that parses wrong, or whose tree or signature doesn't match the chain, gets a `malformed` verdict for
 * every receipt it lists.
 */
export async function auditBatch(context: VerifierContext, batch: BatchRecord): Promise<BatchAudit> {
  const { clients, addresses } = context;
  const node = batch.node as Address;
  const nodeInfo = await getNode(clients.publicClient, { address: addresses.nodeRegistry, node });
  const sources: ContentSources = { contentDir: context.contentDir, endpoint: nodeInfo.endpoint || undefined };
  const now = Math.floor(Date.now() / 1000);

  let entries: BatchFileEntry[];
  let batchProblem: string | undefined;
  if (batch.receipt) {
    entries = [
      {
        receipt: batch.receipt,
        input: { uri: batch.receipt.inputHash },
        output: { uri: batch.receipt.outputHash },
      },
    ];
  } else {
    // Data that can't be fetched, or doesn't hash to what the node signed, is retried (and may be demanded on chain).
    const text = await fetchBatchFile(sources, batch.batchId as Hex, batch.dataHash as Hex);
    let file: BatchFile | undefined;
    try {
      file = parseBatchFile(text);
      await checkBatchSignature(context, batch, file);
    } catch (error) {
      if (!(error instanceof BaseError)) throw error;
      batchProblem = `${error.shortMessage}${error.details ? ` (${error.details})` : ""}`;
    }
    entries = file?.entries ?? [];
    if (batchProblem) {
      context.logger.warn({ batchId: batch.batchId, node, problem: batchProblem }, "batch data rejected");
      return {
        entries,
        verdicts: entries.map((entry) => toVerdict(batch, entry, "malformed", batchProblem!, undefined, now)),
      };
    }
  }

  const secret = context.store.samplingSecret();
  const verdicts: ReceiptVerdict[] = [];
  for (const entry of entries) {
    if (!shouldAudit(secret, getReceiptLeaf(entry.receipt), context.auditShare)) {
      verdicts.push(toVerdict(batch, entry, "skipped", "outside the sampled share", undefined, now));
      continue;
    }
    const policy = await getPolicy(context, entry.receipt.modelId);
    const outcome = await replayEntry(entry, policy, context.catalog, sources);
    verdicts.push(toVerdict(batch, entry, outcome.verdict, outcome.reason, outcome.replayOutputHash, now));
  }
  return { verdicts, entries };
}

async function getPolicy(context: VerifierContext, modelId: Hex): Promise<ModelPolicy | undefined> {
  const model = await getModel(context.clients.publicClient, { address: context.addresses.modelRegistry, id: modelId });
  if (model.status === ModelStatus.None) return undefined;
  return {
    mode: model.mode,
    tolerance: model.tolerance,
    runtimeId: model.runtimeId,
    metadataURI: model.metadataURI,
  };
}

/**
 * Recovers the batch signature from the attesting transaction's calldata and checks it was made by the node's signer
 * as of that block (the registry checked the same at submission; this guards against a registry bug or a relay that
 * substituted data). Batches attested through another contract are accepted on the registry's word.
 */
async function checkBatchSignature(context: VerifierContext, batch: BatchRecord, file: BatchFile): Promise<void> {
  const { publicClient } = context.clients;
  const transaction = await publicClient.getTransaction({ hash: batch.txHash as Hex });
  if (transaction.to?.toLowerCase() !== context.addresses.attestationRegistry.toLowerCase()) return;
  const call = decodeFunctionData({ abi: attestationRegistryAbi, data: transaction.input });
  if (call.functionName !== "submitBatch") return;
  const [, signature] = call.args;
  const { signer } = await verifyBatchFile({
    file,
    domain: { chainId: context.chainId, verifyingContract: context.addresses.attestationRegistry },
    signature,
    expectedRoot: batch.root as Hex,
  });
  const registered = await getSigner(publicClient, {
    address: context.addresses.nodeRegistry,
    node: batch.node as Address,
    blockNumber: batch.blockNumber,
  });
  if (signer.toLowerCase() !== registered.toLowerCase()) {
    throw new ContentMismatchError("Batch signed by a key that was not the node's signer.", {
      details: `signer ${signer}, registered ${registered} at block ${batch.blockNumber}`,
    });
  }
}

function toVerdict(
  batch: BatchRecord,
  entry: BatchFileEntry,
  verdict: ReceiptVerdict["verdict"],
  reason: string,
  replayOutputHash: Hex | undefined,
  now: number,
): ReceiptVerdict {
  return {
    receiptHash: getReceiptStructHash(entry.receipt),
    batchId: batch.dataHash === SINGLE_RECEIPT_DATA_HASH ? SINGLE_RECEIPT_DATA_HASH : batch.batchId,
    node: batch.node,
    requestId: entry.receipt.requestId,
    modelId: entry.receipt.modelId,
    verdict,
    reason,
    claimedOutputHash: entry.receipt.outputHash,
    replayOutputHash: replayOutputHash ?? null,
    checkedAt: now,
  };
}
