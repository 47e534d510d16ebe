import type { Hex } from "viem";
import { equalBytes, fromHex } from "./bytes";
import { InvalidProofError } from "./errors";
import { processMerkleProof } from "./merkle";
import { type Receipt, getReceiptLeafBytes } from "./receipt";

/** Parameters of {@link verifyReceiptProof}. */
export type VerifyReceiptProofParameters = { receipt: Receipt; proof: readonly Hex[]; root: Hex };

/** True when `proof` proves `receipt` is a leaf of the batch with `root` (OpenZeppelin `MerkleProof.verify`). */
export function verifyReceiptProof({ receipt, proof, root }: VerifyReceiptProofParameters): boolean {
  const siblings = new Array<Uint8Array>(proof.length);
  for (let i = 0; i < proof.length; i++) siblings[i] = fromHex(proof[i]!);
  return equalBytes(processMerkleProof(getReceiptLeafBytes(receipt), siblings), fromHex(root));
}

/** Like {@link verifyReceiptProof} but throws {@link InvalidProofError} when the proof fails. */
export function assertReceiptProof(parameters: VerifyReceiptProofParameters): void {
  if (!verifyReceiptProof(parameters)) {
    throw new InvalidProofError("Receipt is not in the batch.", { details: `root ${parameters.root}` });
  }
}
