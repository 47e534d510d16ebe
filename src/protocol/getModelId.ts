import { type Hex, keccak256 } from "viem";

/** A model's id: keccak256 of its artifact bytes (the ModelRegistry's `modelId`). */
export function getModelId(artifact: Uint8Array): Hex {
  return keccak256(artifact);
}
