import type { Hex } from "viem";
import { keccak256Bytes, keccak256Into } from "./keccak";
import { fromHex, toHex } from "./bytes";
import { InvalidProofError } from "./errors";

// The OpenZeppelin StandardMerkleTree layout, on bytes: a complete binary tree in an array of 2n-1 nodes, leaf i
// at index (2n-2-i), node k's children at 2k+1 and 2k+2, inner node = keccak256(sorted pair). Proofs verify with
// OpenZeppelin `MerkleProof.verify` / `verifyCalldata`.

const pairBuffer = new Uint8Array(64);

/** Compares two 32-byte nodes as big-endian numbers. */
export function compareBytes32(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** keccak256 of the two nodes concatenated in ascending order (OpenZeppelin `Hashes.commutativeKeccak256`). */
export function hashPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (compareBytes32(a, b) <= 0) {
    pairBuffer.set(a, 0);
    pairBuffer.set(b, 32);
  } else {
    pairBuffer.set(b, 0);
    pairBuffer.set(a, 32);
  }
  return keccak256Bytes(pairBuffer);
}

/** Builds the tree array from leaves (in leaf order). Throws on zero leaves. */
export function buildMerkleTree(leaves: readonly Uint8Array[]): Uint8Array[] {
  if (leaves.length === 0) throw new InvalidProofError("A Merkle tree needs at least one leaf.");
  const tree = new Array<Uint8Array>(2 * leaves.length - 1);
  for (let i = 0; i < leaves.length; i++) tree[tree.length - 1 - i] = leaves[i]!;
  for (let i = tree.length - 1 - leaves.length; i >= 0; i--) tree[i] = hashPair(tree[2 * i + 1]!, tree[2 * i + 2]!);
  return tree;
}

/** Compares the 32-byte nodes at offsets `a` and `b` of `buffer` as big-endian numbers. */
function compareAt(buffer: Uint8Array, a: number, b: number): number {
  for (let i = 0; i < 32; i++) {
    const d = buffer[a + i]! - buffer[b + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** True when the `count` 32-byte leaves back to back in `leaves` are in strictly ascending order. */
export function isStrictlyAscending(leaves: Uint8Array, count: number): boolean {
  for (let i = 1; i < count; i++) if (compareAt(leaves, (i - 1) * 32, i * 32) >= 0) return false;
  return true;
}

/**
 * The root of the tree over `count` leaves stored back to back in `leaves` (32 bytes each, in leaf order): the
 * same tree as {@link buildMerkleTree}, re-derived level by level in one flat buffer, each parent hashed straight
 * from its two children (adjacent in the array layout) without allocating. This is how a verifier checks the
 * inclusion of every receipt of a batch at once: n - 1 hashes in all, against 3 + depth per receipt for
 * one proof each. Throws on zero leaves.
 */
export function getMerkleRootFlat(leaves: Uint8Array, count: number): Uint8Array {
  if (count === 0) throw new InvalidProofError("A Merkle tree needs at least one leaf.");
  if (leaves.length < count * 32) throw new RangeError(`expected ${count} leaves of 32 bytes`);
  const nodes = 2 * count - 1;
  const tree = new Uint8Array(nodes * 32);
  for (let i = 0; i < count; i++) tree.set(leaves.subarray(i * 32, i * 32 + 32), (nodes - 1 - i) * 32);
  for (let k = count - 2; k >= 0; k--) {
    const left = (2 * k + 1) * 32;
    const right = left + 32;
    if (compareAt(tree, left, right) <= 0) {
      keccak256Into(tree, left, 64, tree, k * 32);
    } else {
      pairBuffer.set(tree.subarray(right, right + 32), 0);
      pairBuffer.set(tree.subarray(left, left + 32), 32);
      keccak256Into(pairBuffer, 0, 64, tree, k * 32);
    }
  }
  return tree.slice(0, 32);
}

/** The root of a tree built from `leaves` (without keeping the tree). */
export function getMerkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  return buildMerkleTree(leaves)[0]!;
}

/** The proof (sibling path, bottom-up) of leaf `leafIndex` in a tree built by {@link buildMerkleTree}. */
export function getMerkleProof(tree: readonly Uint8Array[], leafIndex: number): Uint8Array[] {
  const leafCount = (tree.length + 1) / 2;
  if (!Number.isInteger(leafIndex) || leafIndex < 0 || leafIndex >= leafCount) {
    throw new InvalidProofError("Leaf index out of range.", { details: `index ${leafIndex}, ${leafCount} leaves` });
  }
  const proof: Uint8Array[] = [];
  let index = tree.length - 1 - leafIndex;
  while (index > 0) {
    proof.push(tree[index % 2 === 1 ? index + 1 : index - 1]!);
    index = (index - 1) >> 1;
  }
  return proof;
}

/** Folds a proof onto a leaf (OpenZeppelin `MerkleProof.processProof`). */
export function processMerkleProof(leaf: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  let node = leaf;
  for (const sibling of proof) node = hashPair(node, sibling);
  return node;
}

/** Hex convenience: folds a hex proof onto a hex leaf. */
export function processMerkleProofHex(leaf: Hex, proof: readonly Hex[]): Hex {
  return toHex(processMerkleProof(fromHex(leaf), proof.map(fromHex)));
}
