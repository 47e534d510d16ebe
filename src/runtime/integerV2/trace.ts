import type { Hex } from "viem";
import { buildPositionalTree, bytesToHex, getPositionalProof, keccak256Bytes } from "../../protocol";
import { SEGMENT_ELEMENTS } from "./ops";

/** Elements per trace chunk; each is an int32, big-endian, so a chunk is 128 bytes. */
export const CHUNK_ELEMENTS = SEGMENT_ELEMENTS;
export const CHUNK_BYTES = 4 * CHUNK_ELEMENTS;

/**
 * The runtime-v2 trace commitment (docs/runtime.md § Trace commitment): tensor t (0 = input, k = layer k's output)
 * is cut into chunks of 32 int32 elements (big-endian, the last chunk zero-padded to 128 bytes); its root is the
 * positional root over `keccak256(chunk)`; `traceRoot` is the positional root over the `L + 1` tensor roots.
 * One element and each of its inputs open with a proof of depth ⌈log2(L+1)⌉ + ⌈log2(chunks)⌉.
 */
export type TraceV2 = {
  tensors: Int32Array[];
  chunkTrees: Uint8Array[][][];
  topTree: Uint8Array[][];
  traceRoot: Hex;
};

/** One trace chunk with its proofs (the Solidity `TraceChunk`). */
export type TraceChunkProofV2 = {
  tensor: number;
  index: number;
  data: Uint8Array;
  tensorRoot: Uint8Array;
  tensorProof: Uint8Array[];
  chunkProof: Uint8Array[];
};

/** The 128 bytes of chunk `index` of `values`. */
export function getChunkBytes(values: Int32Array, index: number): Uint8Array {
  const out = new Uint8Array(CHUNK_BYTES);
  const view = new DataView(out.buffer);
  const start = index * CHUNK_ELEMENTS;
  const end = Math.min(values.length, start + CHUNK_ELEMENTS);
  for (let i = start; i < end; i++) view.setInt32(4 * (i - start), values[i]!);
  return out;
}

/** Chunks of a tensor of `n` elements. */
export function getChunkCount(n: number): number {
  return Math.ceil(n / CHUNK_ELEMENTS);
}

/** Positional tree levels over a tensor's chunks. */
export function buildTensorTree(values: Int32Array): Uint8Array[][] {
  const leaves: Uint8Array[] = [];
  for (let c = 0; c < getChunkCount(values.length); c++) leaves.push(keccak256Bytes(getChunkBytes(values, c)));
  return buildPositionalTree(leaves);
}

/** Root of a positional tree given its levels. */
export function getTreeRoot(levels: readonly Uint8Array[][]): Uint8Array {
  return levels[levels.length - 1]![0]!;
}

/** Commits the trace tensors (tensor 0 first). */
export function buildTraceV2(tensors: Int32Array[]): TraceV2 {
  const chunkTrees = tensors.map(buildTensorTree);
  const topTree = buildPositionalTree(chunkTrees.map(getTreeRoot));
  return { tensors, chunkTrees, topTree, traceRoot: bytesToHex(getTreeRoot(topTree)) };
}

/** Chunk `index` of tensor `t` with its proof against the tensor root and the tensor root's against `traceRoot`. */
export function getTraceChunkProofV2(trace: TraceV2, t: number, index: number): TraceChunkProofV2 {
  const levels = trace.chunkTrees[t]!;
  return {
    tensor: t,
    index,
    data: getChunkBytes(trace.tensors[t]!, index),
    tensorRoot: getTreeRoot(levels),
    tensorProof: getPositionalProof(trace.topTree, t),
    chunkProof: getPositionalProof(levels, index),
  };
}

/** Tensor roots in order (what a node reveals as its first move in a fraud game). */
export function getTensorRoots(trace: TraceV2): Uint8Array[] {
  return trace.chunkTrees.map(getTreeRoot);
}
