import type { Hex } from "viem";

/**
 * The one-step of the fraud-proof game as the Solidity `IOneStepExecutor.Step` takes it, hex-encoded (numbers where
 * the ABI takes uint256): the element and accumulator segment recomputed, the weights with their proofs against the
 * model commitment, and the input chunks with their proofs against the node's trace.
 */
export interface OneStepHex {
  layer: number;
  element: number;
  segment: number;
  accIn: number;
  weights: {
    header: Hex;
    weightsRoot: Hex;
    layerWeightsRoot: Hex;
    layerProof: Hex[];
    leaf: Hex;
    leafProof: Hex[];
  };
  inputs: { tensor: number; index: number; data: Hex; tensorRoot: Hex; tensorProof: Hex[]; chunkProof: Hex[] }[];
}
