import { keccak256, stringToBytes, type Hex } from "viem";
import { z } from "zod";
import {
  BaseError,
  buildReceiptBatch,
  getBatchId,
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
import { ConflictError, InvalidRequestError, NotFoundError } from "./errors";
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
 * leaf order, stores it with the signature, and answers the signed header.
 *
 * A signature is a capability anyone holding it can submit, so the node signs only at the sequence the chain expects
 * now (`nextSequence`), and a receipt goes into a new batch only when no other batch could still attest it at
 * another sequence: the same sequence with the same set answers the stored batch again; another set at a sequence
 * with a live batch is `SequenceConflict` (the keeper may release that batch first), a receipt in a live batch is
 * `ReceiptAlreadyBatched`, one in an attested batch `ReceiptAlreadyAttested` (with where), one freed from a released
 * batch at another sequence not yet used on chain `ReceiptReleasePending` (all 409, with the batch in the way); an
 * unknown receipt hash is an {@link InvalidRequestError}.
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
  await resolveSignedBatches(context);
  const expected = await context.batchChain.latestSequence();
  if (sequence !== expected) {
    throw new ConflictError(
      "SequenceNotCurrent",
      `The chain expects sequence ${expected} of this node, not ${sequence}: batches are signed only at the next sequence.`,
      { expected: expected.toString(10) },
    );
  }
  const checkConflicts = () => {
    const atSequence = store.getBatchesAt(sequence).filter((b) => b.state === "signed" || b.state === "attested");
    for (const existing of atSequence) {
      if (sameMembers(existing.members, members)) return existing;
      throw new ConflictError(
        "SequenceConflict",
        `Sequence ${sequence} is already signed for another set of ${existing.count} receipt(s) (batch ${existing.batchId}); release it first.`,
        describeBatch(existing),
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
    const attested = receipts.flatMap((r) => {
      const batch = r.batchId === null ? undefined : store.getBatchById(r.batchId);
      return batch?.state === "attested" ? [{ receiptHash: r.receiptHash, batchId: batch.batchId }] : [];
    });
    if (attested.length > 0) {
      throw new ConflictError(
        "ReceiptAlreadyAttested",
        `${attested.length} of the receipts are attested already, e.g. ${attested[0]!.receiptHash} in batch ${attested[0]!.batchId}.`,
        { attested },
      );
    }
    const batched = receipts.find((r) => r.batchId !== null);
    if (batched) {
      const batch = store.getBatchById(batched.batchId!)!;
      throw new ConflictError(
        "ReceiptAlreadyBatched",
        `Receipt ${batched.receiptHash} is already in batch ${batched.batchId} (sequence ${batch.sequence}).`,
        describeBatch(batch),
      );
    }
    const wanted = new Set(members);
    const pending = store
      .getBatchesInState("released")
      .find((b) => b.sequence !== sequence && b.members.some((hash) => wanted.has(hash)));
    if (pending) {
      throw new ConflictError(
        "ReceiptReleasePending",
        `Batch ${pending.batchId} was released but its sequence ${pending.sequence} is not used on chain yet; its receipts can go into another sequence only after that.`,
        describeBatch(pending),
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
    batchId: getBatchId({ node: context.operator, root: tree.root }),
    members,
    fileText,
    root: tree.root,
    count: tree.count,
    dataHash: batch.dataHash,
    signature,
    state: "signed",
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

/** The answer of `POST /v1/batches/:batchId/release`. */
export type ReleaseAnswer = { batchId: Hex; sequence: string; state: StoredBatch["state"] };

/**
 * Releases a signed batch that is not attested (docs/services.md): its receipts are freed for another batch. Since
 * whoever holds its signature can still submit it while its sequence is next on chain, they may only go into a batch
 * at the same sequence until the chain has used that sequence (confirmed); then the released batch is dead for good.
 * An attested batch is a 409 `BatchAttested`; releasing a released or dead batch again answers its state.
 */
export async function releaseReceiptBatch(context: NodeContext, batchId: Hex): Promise<ReleaseAnswer> {
  await resolveSignedBatches(context);
  const batch = context.store.getBatchById(batchId);
  if (!batch) throw new NotFoundError("UnknownBatch", `This node signed no batch ${batchId}.`);
  const answer = (state: StoredBatch["state"]): ReleaseAnswer => ({
    batchId: batch.batchId,
    sequence: batch.sequence.toString(10),
    state,
  });
  if (batch.state === "released" || batch.state === "dead") return answer(batch.state);
  if (batch.state === "attested" || (await context.batchChain.attestedAtLatest(batch.root))) {
    throw new ConflictError("BatchAttested", `Batch ${batch.batchId} is attested on chain; it can't be released.`, {
      ...describeBatch(batch),
      state: "attested",
    });
  }
  context.store.releaseBatch(batch.batchId);
  context.metrics.batchesReleased.inc();
  context.logger.info(
    { sequence: batch.sequence.toString(), batchId: batch.batchId, count: batch.count },
    "batch released",
  );
  return answer("released");
}

/**
 * Settles the node's signed and released batches against the confirmed chain: a batch whose sequence the chain has
 * used is attested when its root is there, else dead (its sequence can never come back), and a dead batch's receipts
 * are free again. Runs before every signing and release, and on the node's timer.
 */
export async function resolveSignedBatches(context: NodeContext): Promise<void> {
  const open = context.store.getBatchesInState("signed", "released");
  if (open.length === 0) return;
  const view = await context.batchChain.confirmed(open.map((b) => b.root));
  const used = open.filter((b) => b.sequence < view.nextSequence);
  if (used.length === 0) return;
  const attested = used.filter((b) => view.attested.has(b.root));
  const dead = used.filter((b) => !view.attested.has(b.root));
  context.store.resolveBatches(attested, dead);
  for (const batch of dead) {
    context.logger.info(
      { sequence: batch.sequence.toString(), batchId: batch.batchId, count: batch.count },
      "batch can no longer be submitted: receipts freed",
    );
  }
}

function describeBatch(batch: StoredBatch): Record<string, unknown> {
  return { batchId: batch.batchId, sequence: batch.sequence.toString(10), state: batch.state };
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
