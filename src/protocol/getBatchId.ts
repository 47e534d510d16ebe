import type { Address, Hex } from "viem";
import { toHex, writeHex } from "./bytes";
import { keccak256Bytes } from "./keccak";

export type GetBatchIdParameters = {
  /** The node's operator address (the batch's `node`). */
  node: Address;
  /** The batch's Merkle root. */
  root: Hex;
};

/**
 * A batch's id in the AttestationRegistry: `keccak256(abi.encode(node, root))`, the root keyed by the node that signed
 * it (so another node copying a root names another batch). The one place off-chain code computes batch ids.
 */
export function getBatchId({ node, root }: GetBatchIdParameters): Hex {
  const buffer = new Uint8Array(64);
  writeHex(buffer, 0, node, 32);
  writeHex(buffer, 32, root, 32);
  return toHex(keccak256Bytes(buffer));
}
