import type { Hex } from "viem";
import { buildPositionalTree, bytesToHex, getPositionalProof, keccak256Bytes } from "../../protocol";
import type { IntegerModelV2 } from "./format";
import { getRowLength, getWeightRows, serializeHeaderV2 } from "./format";
import { getSegmentCount, getSegmentSpan, getWeightRow, isAccumulating } from "./ops";

/**
 * The runtime-v2 model commitment (docs/runtime.md § Model commitment):
 * `modelId = keccak256(keccak256(header) ‖ weightsRoot)`, `weightsRoot` the positional root over `L + 1` leaves
 * (leaf 0 and the leaves of layers without weights are zero; leaf k is layer k's weights root), and a layer's weights
 * root the positional root over `rows · K` leaves, leaf `row · K + s` = `keccak256((s == 0 ? i32 bias BE : "") ‖ i8
 * weights of segment s)`. One segment (≤ 32 weights, or one conv kernel row) is provable with log-size proofs.
 */
export type ModelCommitmentV2 = {
  modelId: Hex;
  header: Uint8Array;
  weightsRoot: Uint8Array;
  /** Positional tree levels of each layer's weights (index k; undefined for tensor 0 and layers without weights). */
  layerTrees: (Uint8Array[][] | undefined)[];
  topTree: Uint8Array[][];
};

/** Everything the one-step needs to prove one weight segment against the model id (the Solidity `WeightProof`). */
export type WeightProofV2 = {
  header: Uint8Array;
  weightsRoot: Uint8Array;
  layerWeightsRoot: Uint8Array;
  layerProof: Uint8Array[];
  leaf: Uint8Array;
  leafProof: Uint8Array[];
};

const ZERO = new Uint8Array(32);

/** Bytes of the weight leaf of (`row`, segment `s`) of layer `k`. */
export function getWeightLeafData(model: IntegerModelV2, k: number, row: number, s: number): Uint8Array {
  const layer = model.layers[k - 1]!;
  const { start, length } = getSegmentSpan(layer, s);
  const head = s === 0 ? 4 : 0;
  const out = new Uint8Array(head + length);
  if (s === 0) new DataView(out.buffer).setInt32(0, layer.bias![row]!);
  const from = row * getRowLength(layer) + start;
  out.set(new Uint8Array(layer.weights!.buffer, layer.weights!.byteOffset + from, length), head);
  return out;
}

/** Computes the commitment of a (validated) model. */
export function getModelCommitmentV2(model: IntegerModelV2): ModelCommitmentV2 {
  const header = serializeHeaderV2(model);
  const layerTrees: (Uint8Array[][] | undefined)[] = [undefined];
  const top: Uint8Array[] = [ZERO];
  model.layers.forEach((layer, i) => {
    const k = i + 1;
    if (!isAccumulating(layer)) {
      layerTrees.push(undefined);
      top.push(ZERO);
      return;
    }
    const K = getSegmentCount(layer);
    const leaves: Uint8Array[] = [];
    for (let row = 0; row < getWeightRows(layer); row++) {
      for (let s = 0; s < K; s++) leaves.push(keccak256Bytes(getWeightLeafData(model, k, row, s)));
    }
    const levels = buildPositionalTree(leaves);
    layerTrees.push(levels);
    top.push(levels[levels.length - 1]![0]!);
  });
  const topTree = buildPositionalTree(top);
  const weightsRoot = topTree[topTree.length - 1]![0]!;
  const pre = new Uint8Array(64);
  pre.set(keccak256Bytes(header), 0);
  pre.set(weightsRoot, 32);
  return { modelId: bytesToHex(keccak256Bytes(pre)), header, weightsRoot, layerTrees, topTree };
}

/** The proof of the weight segment that segment `s` of element `e` of layer `k` uses. */
export function getWeightProofV2(
  model: IntegerModelV2,
  commitment: ModelCommitmentV2,
  k: number,
  e: number,
  s: number,
): WeightProofV2 {
  const layer = model.layers[k - 1]!;
  const levels = commitment.layerTrees[k];
  const base = {
    header: commitment.header,
    weightsRoot: commitment.weightsRoot,
    layerProof: getPositionalProof(commitment.topTree, k),
  };
  if (levels === undefined) return { ...base, layerWeightsRoot: ZERO, leaf: new Uint8Array(0), leafProof: [] };
  const row = getWeightRow(layer, e);
  return {
    ...base,
    layerWeightsRoot: levels[levels.length - 1]![0]!,
    leaf: getWeightLeafData(model, k, row, s),
    leafProof: getPositionalProof(levels, row * getSegmentCount(layer) + s),
  };
}
