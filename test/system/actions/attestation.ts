import { getBatchId, signBatch } from "../../../src/protocol";
import { eventsOf, reverted, send } from "../chain";
import type { TrackedBatch, TrackedReceipt } from "../model";
import { getReceiptStructHash, signedBatch } from "../system";
import type { Receipt } from "../system";
import type { World } from "../world";

/** Attestation: single receipts and batches, by honest and lying nodes. */

export async function submitReceipt(w: World, nodeIndex: number, wrong: boolean) {
  const node = w.node(nodeIndex);
  const correct = node.honest || !wrong;
  w.note(`${node.name} attests a ${correct ? "correct" : "wrong"} receipt`);
  await w.attestSingle(node, await w.receiptFor(node, correct), correct);
}

/**
 * A batch of `size` receipts (`wrongMask` bit i: the lying node's i-th receipt is wrong). With `squatted` the lying node
 * first copies the honest node's pending root under its own identity: batch ids are keyed by node, so the honest batch
 * must still be attested under its own id.
 */
export async function submitBatch(w: World, nodeIndex: number, size: number, wrongMask: number, squatted: boolean) {
  const node = w.node(nodeIndex);
  if (node.honest && !(await w.s.nodeRegistry.isActive(node.address))) return;
  const receipts: Receipt[] = [];
  const correctness: boolean[] = [];
  for (let i = 0; i < size; i++) {
    const correct = node.honest || ((wrongMask >> i) & 1) === 0;
    receipts.push(await w.receiptFor(node, correct));
    correctness.push(correct);
  }
  const sequence = await w.s.attestation.nextSequence(node.address);
  const { built, header, signature } = await signedBatch(w.s, node.key, receipts, sequence);
  w.note(`${node.name} attests a batch of ${size} (${correctness.filter((c) => !c).length} wrong)`);
  if (squatted && node.honest) {
    const liar = w.liar;
    const copy = {
      ...header,
      node: liar.address as Receipt["node"],
      sequence: await w.s.attestation.nextSequence(liar.address),
    };
    const liarSignature = await signBatch({ signer: liar.key, domain: w.s.domain, batch: copy });
    const squat = await send("liar squats a batch root", () => w.s.attestation.submitBatch(copy, liarSignature), [
      "AttestationNodeNotActive",
    ]);
    w.note(`  liar squats the root: ${reverted(squat) ? `reverted ${squat.reverted}` : "accepted"}`);
  }
  const allowed = node.honest ? ["AttestationBatchExists"] : ["AttestationNodeNotActive"];
  const result = await send(
    `${node.name} submits a batch`,
    () => w.s.attestation.submitBatch(header, signature),
    allowed,
  );
  if (reverted(result)) {
    if (node.honest) {
      w.fail(
        "an honest node's batch is attested whatever others submitted",
        `${node.name}'s batch was refused: ${result.reverted}`,
      );
    }
    return;
  }
  const id = String(eventsOf(result, w.s.attestation, "BatchSubmitted")[0]!.args.id);
  const expected = getBatchId({ node: node.address as Receipt["node"], root: built.root });
  if (id.toLowerCase() !== expected.toLowerCase()) {
    w.fail("batch ids are keyed by node", `${node.name}'s batch got id ${id}, src/protocol says ${expected}`);
  }
  const batch: TrackedBatch = { id, node, receipts: [], revealed: new Set() };
  built.receipts.forEach((receipt, i) => {
    const tracked: TrackedReceipt = {
      receipt,
      hash: getReceiptStructHash(receipt),
      node,
      correct: correctness[built.order[i]!]!,
      batchId: id,
      proof: built.proofs[i]!,
    };
    batch.receipts.push(tracked);
    w.m.receipts.push(tracked);
  });
  w.m.batches.push(batch);
}
