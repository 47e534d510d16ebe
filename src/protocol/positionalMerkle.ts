import { keccak256Bytes } from "./keccak";
import { InvalidProofError } from "./errors";

// A fixed-depth, position-binding Merkle tree (contracts/libraries/PositionalMerkle.sol): `count` leaves padded with
// zero leaves to the next power of two (depth = ceil(log2 count), depth 0 for one leaf), inner node =
// keccak256(left ‖ right) in position order (OpenZeppelin `Hashes.efficientKeccak256`). Unlike the sorted-pair
// StandardMerkleTree, a proof binds the leaf's index: one root opens to exactly one value at each position, which
// the fraud game needs (a node must not be able to show two values for one trace element or weight row).

const ZERO = new Uint8Array(32);

/** Depth of a positional tree over `count` leaves: ceil(log2(count)), 0 for a single leaf. */
export function getPositionalDepth(count: number): number {
  if (!Number.isInteger(count) || count < 1) throw new InvalidProofError("A Merkle tree needs at least one leaf.");
  let depth = 0;
  while (2 ** depth < count) depth++;
  return depth;
}

function hashPair(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(64);
  buffer.set(left, 0);
  buffer.set(right, 32);
  return keccak256Bytes(buffer);
}

/** All levels of the tree, leaves (padded) first, the root last as `levels[depth][0]`. */
export function buildPositionalTree(leaves: readonly Uint8Array[]): Uint8Array[][] {
  const depth = getPositionalDepth(leaves.length);
  const levels: Uint8Array[][] = [];
  let level = Array.from({ length: 2 ** depth }, (_, i) => leaves[i] ?? ZERO);
  levels.push(level);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(hashPair(level[i]!, level[i + 1]!));
    levels.push(next);
    level = next;
  }
  return levels;
}

/** Root of the positional tree over `leaves`. */
export function getPositionalRoot(leaves: readonly Uint8Array[]): Uint8Array {
  const levels = buildPositionalTree(leaves);
  return levels[levels.length - 1]![0]!;
}

/** Sibling path (bottom-up) of leaf `index`. */
export function getPositionalProof(levels: readonly Uint8Array[][], index: number): Uint8Array[] {
  if (!Number.isInteger(index) || index < 0 || index >= levels[0]!.length) {
    throw new InvalidProofError("Leaf index out of range.", { details: `index ${index}` });
  }
  const proof: Uint8Array[] = [];
  for (let d = 0, i = index; d < levels.length - 1; d++, i >>= 1) proof.push(levels[d]![i ^ 1]!);
  return proof;
}

/** The `2^bits` nodes `bits` levels below node (`level` counted from the leaves, `index`), left to right. */
export function getPositionalDescendants(
  levels: readonly Uint8Array[][],
  levelFromRoot: number,
  index: number,
  bits: number,
): Uint8Array[] {
  const depth = levels.length - 1;
  const target = levels[depth - levelFromRoot - bits]!;
  const first = index << bits;
  return target.slice(first, first + 2 ** bits);
}

/** Folds a proof onto a leaf at `index` (PositionalMerkle.processProof). */
export function processPositionalProof(leaf: Uint8Array, index: number, proof: readonly Uint8Array[]): Uint8Array {
  let node = leaf;
  for (let d = 0, i = index; d < proof.length; d++, i >>= 1) {
    node = (i & 1) === 0 ? hashPair(node, proof[d]!) : hashPair(proof[d]!, node);
  }
  return node;
}
