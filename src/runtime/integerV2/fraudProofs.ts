import type { Hex } from "viem";
import {
  buildPositionalTree,
  bytesToHex,
  encodeTensor,
  getPositionalDescendants,
  getPositionalProof,
  hexToBytes,
  type OneStepHex,
  type Tensor,
} from "../../protocol";
import type { IntegerModelV2 } from "./format";
import { type ModelCommitmentV2, getWeightProofV2 } from "./modelCommitment";
import { getAccumulators, getElementInputs, getSegmentInputIndices, isAccumulating } from "./ops";
import { CHUNK_ELEMENTS, type TraceV2, getChunkBytes, getTensorRoots, getTraceChunkProofV2 } from "./trace";

/** Tree levels a node reveals per move and parts an accumulator range splits into (FraudGame.ARITY_BITS / ARITY). */
export const FRAUD_ARITY_BITS = 4;
export const FRAUD_ARITY = 16;

const hex = (b: Uint8Array): Hex => bytesToHex(b);

/** Segment boundaries of a split of [lo, hi] into `min(16, hi - lo)` parts, as FraudGame computes them. */
export function getAccumulatorBoundaries(lo: number, hi: number): number[] {
  const parts = Math.min(FRAUD_ARITY, hi - lo);
  return Array.from({ length: parts + 1 }, (_, i) => lo + Math.floor(((hi - lo) * i) / parts));
}

/** A node's answers in a fraud game, read from its own trace (honest or not). */
export function createNodeResponder(model: IntegerModelV2, trace: TraceV2) {
  return {
    /** Move 1: the L + 1 tensor roots. */
    tensorRoots: (): Hex[] => getTensorRoots(trace).map(hex),
    /** The nodes `min(4, depth - level)` levels below node (level from the root, index) of tensor `t`'s tree. */
    nodesBelow(t: number, level: number, index: number, depth: number): Hex[] {
      const bits = Math.min(FRAUD_ARITY_BITS, depth - level);
      return getPositionalDescendants(trace.chunkTrees[t]!, level, index, bits).map(hex);
    },
    /** Chunk `index` of tensor `t`. */
    chunk: (t: number, index: number): Hex => hex(getChunkBytes(trace.tensors[t]!, index)),
    /** The accumulators of element `e` of layer `k` at the inner boundaries of [lo, hi]. */
    accumulators(k: number, e: number, lo: number, hi: number): number[] {
      const accs = getAccumulators(model.layers[k - 1]!, trace.tensors[k - 1]!, e);
      return getAccumulatorBoundaries(lo, hi)
        .slice(1, -1)
        .map((b) => accs[b]!);
    },
  };
}

/**
 * An honest challenger's choices and proofs: it compares what the node reveals with its own (honest) trace and
 * always follows the first difference, and builds the one-step from honest data proven against the node's trace
 * root (the tensors before the first differing one are the node's own).
 */
export function createChallenger(model: IntegerModelV2, commitment: ModelCommitmentV2, honest: TraceV2) {
  const honestRoots = getTensorRoots(honest).map(hex);
  let nodeTop: Uint8Array[][] | undefined;
  const topTree = () => {
    if (nodeTop === undefined) throw new Error("tensor roots not seen yet");
    return nodeTop;
  };
  const chunkProof = (t: number, index: number, nodeRoots: readonly Hex[]) => {
    const own = getTraceChunkProofV2(honest, t, index);
    return {
      tensor: t,
      index,
      data: hex(own.data),
      tensorRoot: nodeRoots[t]!,
      tensorProof: getPositionalProof(topTree(), t).map(hex),
      chunkProof: own.chunkProof.map(hex),
    };
  };
  return {
    header: hex(commitment.header),
    weightsRoot: hex(commitment.weightsRoot),
    /** Remembers the node's tensor roots; returns the first tensor that differs, or `"output"` when none does. */
    pickTensor(nodeRoots: readonly Hex[]): number | "output" {
      nodeTop = buildPositionalTree(nodeRoots.map(hexToBytes));
      const t = honestRoots.findIndex((r, i) => r !== nodeRoots[i]);
      return t === -1 ? "output" : t;
    },
    /** The proof of tensor `t`'s root (the node's) against the trace root. */
    tensorProof: (t: number): Hex[] => getPositionalProof(topTree(), t).map(hex),
    /** The first revealed node that differs from the honest node at the same position. */
    pickNode(t: number, level: number, index: number, nodes: readonly Hex[]): number {
      const mine = getPositionalDescendants(honest.chunkTrees[t]!, level, index, Math.log2(nodes.length)).map(hex);
      const child = mine.findIndex((h, i) => h !== nodes[i]);
      if (child === -1) throw new Error("the node revealed the honest subtree");
      return child;
    },
    /** The first element of the node's chunk that differs from the honest one. */
    pickElement(t: number, index: number, nodeChunk: Hex): number {
      const mine = getChunkBytes(honest.tensors[t]!, index);
      const theirs = hexToBytes(nodeChunk);
      for (let o = 0; o < CHUNK_ELEMENTS; o++) {
        for (let b = 0; b < 4; b++) if (mine[4 * o + b] !== theirs[4 * o + b]) return o;
      }
      throw new Error("the node revealed the honest chunk");
    },
    /** The part of [lo, hi] whose left end agrees with the honest accumulator and whose right end does not. */
    pickAccumulator(k: number, e: number, lo: number, hi: number, accs: readonly number[]): number {
      const mine = getAccumulators(model.layers[k - 1]!, honest.tensors[k - 1]!, e);
      const bounds = getAccumulatorBoundaries(lo, hi);
      for (let i = 1; i < bounds.length - 1; i++) if (accs[i - 1] !== mine[bounds[i]!]) return i - 1;
      return bounds.length - 2;
    },
    /** The one-step of segment `segment` of element `e` of layer `k`, from `accIn`. */
    step(k: number, e: number, segment: number, accIn: number, nodeRoots: readonly Hex[]): OneStepHex {
      const layer = model.layers[k - 1]!;
      const w = getWeightProofV2(model, commitment, k, e, segment);
      const refs = isAccumulating(layer)
        ? getSegmentInputIndices(layer, e, segment)
            .filter((i) => i >= 0)
            .map((index) => ({ tensor: k - 1, index }))
        : getElementInputs(layer, k, e);
      const keys = [...new Set(refs.map((r) => `${r.tensor}:${Math.floor(r.index / CHUNK_ELEMENTS)}`))];
      return {
        layer: k,
        element: e,
        segment,
        accIn,
        weights: {
          header: hex(w.header),
          weightsRoot: hex(w.weightsRoot),
          layerWeightsRoot: hex(w.layerWeightsRoot),
          layerProof: w.layerProof.map(hex),
          leaf: hex(w.leaf),
          leafProof: w.leafProof.map(hex),
        },
        inputs: keys.map((key) => {
          const [t, index] = key.split(":").map(Number) as [number, number];
          return chunkProof(t, index, nodeRoots);
        }),
      };
    },
    /** The honest last tensor, whole (for `proveOutputMismatch`). */
    finalChunks(): Hex {
      const last = honest.tensors[honest.tensors.length - 1]!;
      const parts: Uint8Array[] = [];
      for (let c = 0; c < Math.ceil(last.length / CHUNK_ELEMENTS); c++) parts.push(getChunkBytes(last, c));
      const out = new Uint8Array(parts.length * 128);
      parts.forEach((p, i) => out.set(p, i * 128));
      return hex(out);
    },
    /** The canonical encoding of the receipt's input (for `proveInputMismatch`). */
    inputEncoding: (input: Tensor): Hex => hex(encodeTensor(input)),
  };
}

/**
 * A challenger that follows none of the node's answers: the proofs of `base` (an honest challenger's), but it always
 * picks `tensor`, then the first child, element `offset` and the first part. Against a node whose trace is right it
 * loses: the griefer of the demo and of the attack tests.
 */
export function createNaiveChallenger<challenger extends ReturnType<typeof createChallenger>>(
  base: challenger,
  tensor: number,
  offset = 0,
): challenger {
  return {
    ...base,
    pickTensor: (roots: readonly Hex[]) => {
      base.pickTensor(roots);
      return tensor;
    },
    pickNode: () => 0,
    pickElement: () => offset,
    pickAccumulator: () => 0,
  };
}
