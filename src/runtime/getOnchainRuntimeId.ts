import { keccak256, stringToBytes, type Hex } from "viem";

/**
 * The `runtimeId` a model registers on chain for a runtime named `name` (e.g. `verity-int8-v1`):
 * `keccak256` of the name's UTF-8 bytes.
 */
export function getOnchainRuntimeId(name: string): Hex {
  return keccak256(stringToBytes(name));
}
