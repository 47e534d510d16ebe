import { keccak256, stringToBytes, type Hex } from "viem";
import { z } from "zod";
import {
  BaseError,
  buildReceiptBatch,
  bytes32Schema,
  bytesToHex,
  serializeBatchFile,
  signBatch,
  uint64Schema,
  type BatchFile,
  type ReceiptBatch,
  type TensorReference,
} from "../protocol";
import type { NodeContext } from "./context";
import { ConflictError, InvalidRequestError } from "./errors";
import type { StoredBatch } from "./NodeStore";

/** Tensors up to this many encoded bytes go inline in the batch file; larger ones by their hash (`GET /tensors`). */
export const INLINE_TENSOR_LIMIT = 1024;
/** Most receipts one batch request may name. */
export const MAX_BATCH_RECEIPTS = 1 << 20;

/** The body of `POST /v1/batches`. */
export const batchRequestSchema = z
  .object({
    sequence: uint64Schema,
    receiptHashes: z.array(bytes32Schema).min(1, "a batch holds at least one receipt").max(MAX_BATCH_RECEIPTS),
  })
  .strict();

/** The answer of `POST /v1/batches`. */
export type BatchAnswer = {
  batchId: Hex;
  batch: { node: Hex; sequence: string; root: Hex; count: number; dataHash: Hex };
  signature: Hex;
};

/**
 * Signs a batch of receipts this node issued (docs/services.md): builds the batch file from the stored receipts in
 * leaf order, stores it with the signature, and answers the signed header. The same sequence with the same set
 * answers the stored batch again; a sequence already signed for another set (which would be equivocation) or a
 * receipt already in another batch is a {@link ConflictError}; an unknown receipt hash an {@link InvalidRequestError}.
 */
export async function signReceiptBatch(context: NodeContext, body: unknown): Promise<BatchAnswer> {
  const parsed = batchRequestSchema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(body)"}: ${issue.message}`)
      .join("; ");
    throw new InvalidRequestError("InvalidRequest", `Invalid batch request: ${problems}`);
  }
  const { sequence } = parsed.data;
  const members = [...parsed.data.receiptHashes].sort();
  for (let i = 1; i < members.length; i++) {
    if (members[i] === members[i - 1]) {
      throw new InvalidRequestError("DuplicateReceipt", `Receipt ${members[i]} is named twice.`);
    }
  }
  const { store } = context;
  const node = context.operator.toLowerCase() as Hex;
  const checkConflicts = () => {
    const existing = store.getBatchBySequence(sequence);
    if (existing) {
      if (sameMembers(existing.members, members)) return existing;
      throw new ConflictError(
        "SequenceConflict",
        `Sequence ${sequence} is already signed for another set of ${existing.count} receipt(s) (batch ${existing.batchId}).`,
      );
    }
    const receipts = store.getReceipts(members);
    if (receipts.length !== members.length) {
      const known = new Set(receipts.map((r) => r.receiptHash));
      const unknown = members.filter((hash) => !known.has(hash));
      throw new InvalidRequestError(
        "UnknownReceipt",
        `This node never issued ${unknown.length} of the receipts: ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ", …" : ""}.`,
      );
    }
    const batched = receipts.find((r) => r.batchId !== null);
    if (batched) {
      throw new ConflictError(
        "ReceiptAlreadyBatched",
        `Receipt ${batched.receiptHash} is already in batch ${batched.batchId}.`,
      );
    }
    return receipts;
  };

  const checked = checkConflicts();
  if (!Array.isArray(checked)) return toAnswer(checked, node);

  const tree = buildReceiptBatch(checked.map((r) => r.receipt));
  const file: BatchFile = {
    version: 1,
    node: context.operator,
    sequence,
    entries: tree.receipts.map((receipt) => ({
      receipt,
      input: toReference(context, receipt.inputHash),
      output: toReference(context, receipt.outputHash),
    })),
  };
  const fileText = serializeBatchFile(file);
  const batch: ReceiptBatch = {
    node: context.operator,
    sequence,
    root: tree.root,
    count: tree.count,
    dataHash: keccak256(stringToBytes(fileText)),
  };
  const signature = await signBatch({ signer: context.signer, domain: context.domain, batch });
  const stored: StoredBatch = {
    sequence,
    batchId: tree.root,
    members,
    fileText,
    root: tree.root,
    count: tree.count,
    dataHash: batch.dataHash,
    signature,
  };
  // Signing awaited: check again inside the write, so two concurrent requests can't both win.
  let winner: StoredBatch | undefined;
  try {
    store.insertBatch(stored, () => {
      const again = checkConflicts();
      if (!Array.isArray(again)) {
        winner = again;
        throw new SameBatchStoredError();
      }
    });
  } catch (error) {
    if (error instanceof SameBatchStoredError && winner) return toAnswer(winner, node);
    throw error;
  }
  context.metrics.batchesSigned.inc();
  context.logger.info({ sequence: sequence.toString(), batchId: stored.batchId, count: stored.count }, "batch signed");
  return toAnswer(stored, node);
}

/** Another request stored the same batch first (a race on the same members); its answer is returned. */
class SameBatchStoredError extends BaseError {
  override name = "SameBatchStoredError";
  constructor() {
    super("The same batch was stored by a concurrent request.");
  }
}

function sameMembers(a: readonly Hex[], b: readonly Hex[]): boolean {
  return a.length === b.length && a.every((hash, i) => hash === b[i]);
}

function toReference(context: NodeContext, tensorHash: Hex): TensorReference {
  const encoding = context.store.getTensor(tensorHash);
  if (encoding && encoding.length <= INLINE_TENSOR_LIMIT) return { encoding: bytesToHex(encoding) };
  return { uri: tensorHash.toLowerCase() };
}

function toAnswer(batch: StoredBatch, node: Hex): BatchAnswer {
  return {
    batchId: batch.batchId,
    batch: {
      node,
      sequence: batch.sequence.toString(10),
      root: batch.root,
      count: batch.count,
      dataHash: batch.dataHash,
    },
    signature: batch.signature,
  };
}
